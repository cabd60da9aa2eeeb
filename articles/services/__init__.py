"""Writes. Every surface (admin, API, views, commands) changes articles, bylines, images
and site settings through these functions, so the rules hold whichever door is used.

Each function takes keyword-only arguments, runs in one transaction, validates before it
writes and raises ``ValidationError`` (with the module-level messages) instead of writing
part of a change. The package is split by concern; everything is importable from
``articles.services``.
"""

from .articles import (  # noqa: F401
    ALREADY_PUBLISHED,
    ALREADY_WITHDRAWN,
    BODY_TOO_LARGE,
    CANNOT_UNPUBLISH,
    DRAFT_SLUG_TAKEN,
    DUPLICATE_AUTHOR,
    NOT_RELEASED,
    RELEASED,
    RESTORED_FIELDS,
    SLUG_TAKEN,
    article_create,
    article_publish,
    article_publish_warnings,
    article_restore,
    article_save,
    article_set_bylines,
    article_set_images,
    article_update,
    article_withdraw,
    correction_add,
)
from .common import (  # noqa: F401
    STALE_VERSION,
    EditConflict,
)
from .history import (  # noqa: F401
    article_snapshot,
    revision_create,
)
from .images import (  # noqa: F401
    CREDIT_FIELDS,
    IMAGE_IN_LIBRARY,
    IMAGE_IN_USE,
    check_upload_quota,
    file_sha256,
    image_create,
    image_delete,
    image_replace_file,
    image_update,
)
from .quality import (  # noqa: F401
    NO_ALT_TEXT,
    NO_BODY,
    NO_BYLINE,
    NO_CREDIT,
    NO_DATELINE,
    NO_HEADLINE,
    TWO_LEADS,
    BylineSpec,
    PlacementSpec,
    article_publication_problems,
    byline_problems,
    image_problems,
    text_problems,
)
from .sites import (  # noqa: F401
    author_save,
    site_settings_for,
    site_settings_update,
    sites_set_commenting,
)
from .trash import (  # noqa: F401
    PurgeReport,
    trash_expired,
    trash_purge,
    trash_retention,
)
