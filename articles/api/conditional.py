"""ETags and If-Match for articles and site settings.

An ETag names one version of an editable row: ``"article-12-v7"``. Every successful edit
bumps the version, so a client that sends back the ETag it read proves it edited the
current version. Writes without If-Match answer 428; with another version, 412.
"""

import re

from .errors import PreconditionFailed, PreconditionRequired

_TAG = re.compile(r'^(?:W/)?"(?P<kind>[a-z]+)-(?P<pk>[0-9]+)-v(?P<version>[0-9]+)"$')


def etag(kind: str, obj) -> str:
    return f'"{kind}-{obj.pk}-v{obj.version}"'


def set_validators(response, kind: str, obj, modified=None):
    """Put ``ETag`` (and ``Last-Modified``) for ``obj`` on ``response``."""
    response["ETag"] = etag(kind, obj)
    if modified is not None:
        from django.utils.http import http_date

        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def expected_version(request, kind: str, obj) -> int | None:
    """Return the version the client's ``If-Match`` names for ``obj``.

    Raise 428 when the header is missing, 412 when it names no version of this resource.
    ``If-Match: *`` means "whatever is current" (returns None: the edit is unconditional).
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return None
    versions = []
    for tag in (part.strip() for part in header.split(",")):
        match = _TAG.match(tag)
        if match and not tag.startswith("W/") and match["kind"] == kind and int(match["pk"]) == obj.pk:
            versions.append(int(match["version"]))
    if not versions:
        raise PreconditionFailed()
    # Any listed tag may match (RFC 9110 13.1.1); the write itself re-checks atomically.
    return obj.version if obj.version in versions else versions[0]
