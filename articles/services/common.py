"""What the write services share: the optimistic version claim."""

STALE_VERSION = "The article was changed by someone else since you loaded it."


class EditConflict(Exception):
    """The article or settings row changed since the version the caller edited."""

    def __init__(self, message: str = "", *, current_version: int | None = None):
        super().__init__(message or STALE_VERSION)
        self.current_version = current_version


def _claim_version(model, pk: int, expected_version: int | None):
    """Take the row for this transaction and return its stored state.

    With ``expected_version``, the claim is a conditional UPDATE (``… WHERE version = N``)
    issued first, so of many concurrent writers holding the same version exactly one
    succeeds and the others get ``EditConflict``. Without it, the row is locked
    (``SELECT … FOR UPDATE`` where the database has it) and the edit applies to whatever is
    current.
    """
    if expected_version is not None:
        if not model.objects.filter(pk=pk, version=expected_version).update(version=expected_version + 1):
            current = model.objects.filter(pk=pk).values_list("version", flat=True).first()
            raise EditConflict(current_version=current)
        return model.objects.get(pk=pk), expected_version + 1
    previous = model.objects.select_for_update().get(pk=pk)
    return previous, previous.version + 1
