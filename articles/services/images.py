"""Writing images: upload, metadata edits, new files, deletion."""

import contextlib
import hashlib
import weakref
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..images import inspect_upload
from ..models import (
    Image,
)


def file_sha256(file) -> str:
    """Return the SHA-256 of a file-like object, read in chunks, rewound afterwards."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


QUOTA_BYTES = (
    "You have uploaded {used} bytes of pictures in the last 24 hours; with this file ({size} bytes) that "
    "passes your quota of {limit} bytes. Try again tomorrow or ask an administrator."
)
QUOTA_FILES = "You have uploaded {used} pictures in the last 24 hours, your quota. Try again tomorrow."


def check_upload_quota(user, size: int) -> None:
    """Refuse (``ValidationError``, code ``quota``) an upload of ``size`` bytes that would take
    ``user`` past ``NEWSROOM["UPLOAD_QUOTA_FILES_PER_DAY"]`` or ``["UPLOAD_QUOTA_BYTES_PER_DAY"]``,
    counted from the images they uploaded in the last 24 hours (stored file sizes)."""
    if user is None or not user.is_authenticated:
        return
    max_files = settings.NEWSROOM.get("UPLOAD_QUOTA_FILES_PER_DAY")
    max_bytes = settings.NEWSROOM.get("UPLOAD_QUOTA_BYTES_PER_DAY")
    if max_files is None and max_bytes is None:
        return
    recent = Image.objects.filter(uploaded_by=user, created_at__gte=timezone.now() - timedelta(days=1))
    names = list(recent.exclude(file="").values_list("file", flat=True)[: (max_files or 10_000) + 1])
    if max_files is not None and len(names) >= max_files:
        raise ValidationError(QUOTA_FILES.format(used=len(names)), code="quota")
    if max_bytes is None:
        return
    storage = Image._meta.get_field("file").storage
    used = 0
    for name in names:
        try:
            used += storage.size(name)
        except (OSError, NotImplementedError):
            continue  # a file gone missing counts for nothing
    if used + size > max_bytes:
        raise ValidationError(QUOTA_BYTES.format(used=used, size=size, limit=max_bytes), code="quota")


@transaction.atomic
def image_create(*, file: UploadedFile | None = None, user=None, **fields) -> tuple[Image, bool]:
    """Store a new image, or return the existing one with the same bytes.

    Returns ``(image, created)``. ``fields`` are Image metadata fields (alt_text, caption,
    creator, agency, distributor, copyright_notice, credit_text…). The file is checked by
    its content first (``images.inspect_upload``): anything refused raises
    ``ValidationError`` and nothing is stored (no row, no file).

    The credit, caption and alt text the file carries (XMP, then IPTC IIM, then EXIF) fill
    the fields left empty, never those given; the values read are kept in ``metadata``.
    What is stored is a clean copy of the picture (``images.clean_copy``: re-encoded,
    upright, no GPS or other metadata but the credit), named by the server. The SHA-256 is
    that of the uploaded bytes, so uploading the same file twice finds the first image.
    Renditions are made after the transaction commits.
    """
    from ..images import client_filename
    from ..renditions import schedule_renditions

    image = Image(**fields)
    if file is not None:
        inspect_upload(file)
        check_upload_quota(user, file.size)
        image.sha256 = file_sha256(file)
        existing = Image.objects.filter(sha256=image.sha256).first()
        if existing is not None:
            return existing, False
        image.original_filename = client_filename(file)
        _image_take_upload(image, file)
    if user is not None and user.is_authenticated:
        image.uploaded_by = user
    image.full_clean(exclude=["file"])
    try:
        _image_save_with_file(image)
    except IntegrityError:
        # The same bytes were stored by a concurrent upload since the check above.
        existing = Image.objects.filter(sha256=image.sha256).first() if image.sha256 else None
        if existing is None:
            raise
        return existing, False
    schedule_renditions(image)
    return image, True


CREDIT_FIELDS = ("creator", "agency", "distributor", "copyright_notice", "credit_text")


@transaction.atomic
def image_update(*, image: Image, **fields) -> Image:
    """Change an image's metadata (caption, alt text, credit chain…); the file stays (or is
    cleared: then the old file and its renditions are deleted after the commit).

    Every rendition carries the credit, so a changed credit has them made again after the
    transaction commits.
    """
    from ..renditions import refresh_renditions, schedule_files_deletion

    stored = Image.objects.filter(pk=image.pk).values(*CREDIT_FIELDS, "file", "renditions")
    before = stored.first() if image.pk else None
    for name, value in fields.items():
        setattr(image, name, value)
    # A file taken away (the admin's "clear"): its renditions go with it, after the commit.
    dropped = before is not None and before["file"] and before["file"] != (image.file.name or "")
    if dropped:
        image.renditions = []
    image.full_clean(exclude=["file"])
    image.save()
    if dropped:
        schedule_files_deletion(image.file.storage, before["file"], before["renditions"])
    elif before is not None and any(before[name] != getattr(image, name) for name in CREDIT_FIELDS):
        refresh_renditions(image)
    return image


IMAGE_IN_LIBRARY = "The same file is already in the library as image {pk} (“{image}”)."
IMAGE_IN_USE = "The photo “{image}” is used by {count} article(s); remove it from them before deleting it."


def _image_take_upload(image: Image, file: UploadedFile) -> None:
    """Read the metadata of a checked upload into ``image`` (empty fields only) and give it
    the clean copy of the picture as its file (not yet saved)."""
    from django.core.files.base import ContentFile

    from ..images import FileCredit, clean_copy, opened_upload
    from ..metadata import fill_empty, read_metadata

    with opened_upload(file) as picture:
        embedded = read_metadata(picture)
        filled = fill_empty(image, embedded.image_fields())
        clean = clean_copy(picture, credit=FileCredit.of(image), source=file)
    image.metadata = {**embedded.raw, "filled": filled} if (embedded.raw or filled) else {}
    image.renditions = []
    # The stored name is made by image_upload_to; its extension follows the decoded format.
    image.file = ContentFile(clean.content, name=f"upload.{clean.extension}")


def _image_save_with_file(image: Image) -> None:
    """Save ``image``, removing the file it just wrote if the row cannot be written, or if
    the transaction that wrote the row is rolled back later (CON-07: no orphan files)."""
    try:
        with transaction.atomic():
            image.save()
            if image.file and image.file.name:
                delete_unless_committed(image.file.storage, image.file.name)
    except Exception:
        if image.file and image.file.name:
            image.file.storage.delete(image.file.name)
        raise


class _CommitFlag:
    """An on-commit callback that only records that the transaction committed."""

    def __init__(self, state: dict):
        self.state = state

    def __call__(self):
        self.state["committed"] = True


def _delete_if_rolled_back(state: dict, storage, name: str) -> None:
    if not state["committed"]:
        with contextlib.suppress(OSError):
            storage.delete(name)


def delete_unless_committed(storage, name: str) -> None:
    """Delete the stored file ``name`` if the current transaction (or the savepoint it was
    written in) is rolled back instead of committed.

    Django has on-commit hooks but no on-rollback ones. A rollback discards the pending
    on-commit callbacks, so the file's fate is tied to one: it marks the file as committed
    when it runs; when the callback is dropped unrun (rollback), its finaliser deletes the
    file. Storage writes happen before the row exists, so this is how a rolled-back upload
    leaves no file behind.
    """
    state = {"committed": False}
    flag = _CommitFlag(state)
    weakref.finalize(flag, _delete_if_rolled_back, state, storage, name)
    connection = transaction.get_connection()
    transaction.on_commit(flag, robust=True)
    # Django stops running a commit's hooks at the first non-robust one that raises and
    # drops the rest unrun: a flag behind such a hook would be dropped although the
    # transaction committed, and its finaliser would delete a committed file. ``robust``
    # only protects the hooks after a raising one, so the flag is also moved in front of
    # the first non-robust hook pending: it only records the commit, so running earlier
    # changes nothing for the others (robust hooks before it cannot stop it).
    hooks = connection.run_on_commit
    if connection.in_atomic_block and hooks and hooks[-1][1] is flag:
        first = next((n for n, (_sids, _func, robust) in enumerate(hooks) if not robust), None)
        if first is not None and first < len(hooks) - 1:
            hooks.insert(first, hooks.pop())


@transaction.atomic
def image_replace_file(*, image: Image, file: UploadedFile, user=None) -> Image:
    """Give a stored image a new picture, checked and cleaned as ``image_create`` does;
    the file's metadata fills only fields still empty. The old file and its renditions are
    deleted after the transaction commits. Refuses (``ValidationError`` on ``file``) bytes
    that another image already has.
    """
    from ..images import client_filename
    from ..renditions import schedule_file_deletion, schedule_renditions

    inspect_upload(file)
    check_upload_quota(user, file.size)
    digest = file_sha256(file)
    twin = Image.objects.filter(sha256=digest).exclude(pk=image.pk).first()
    if twin is not None:
        raise ValidationError({"file": IMAGE_IN_LIBRARY.format(pk=twin.pk, image=twin)})
    previous = Image.objects.filter(pk=image.pk).first() if image.pk else None
    image.sha256 = digest
    image.original_filename = client_filename(file)
    _image_take_upload(image, file)
    if image.pk is None and user is not None and user.is_authenticated:
        image.uploaded_by = user
    image.full_clean(exclude=["file"])
    _image_save_with_file(image)
    if previous is not None and previous.file.name != image.file.name:
        schedule_file_deletion(previous)
    schedule_renditions(image)
    return image


@transaction.atomic
def image_delete(*, image: Image) -> None:
    """Delete an image that no article uses; its file and every rendition are deleted
    after the transaction commits. An image in use is refused with ``ValidationError``
    (code ``protected``): articles keep their photos (``ArticleImage.image`` is PROTECT).
    """
    from django.db.models import ProtectedError

    from ..renditions import schedule_file_deletion

    uses = image.placements.count()
    if uses:
        raise ValidationError(IMAGE_IN_USE.format(image=image, count=uses), code="protected")
    try:
        image.delete()
    except ProtectedError as error:  # placed by a concurrent edit since the count
        raise ValidationError(IMAGE_IN_USE.format(image=image, count=1), code="protected") from error
    schedule_file_deletion(image)
