"""The commenting policy. ``comments_state`` is the only place that decides whether readers
may comment on an article; pages, API, feeds and admin all ask it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext as _

OPEN = "open"
CLOSED = "closed"  # existing comments shown, no new ones
HIDDEN = "hidden"  # neither comments nor form shown


@dataclass(frozen=True)
class CommentsState:
    """Whether an article takes comments, and why, in words a reader can be shown."""

    mode: str  # OPEN, CLOSED or HIDDEN
    reason: str  # a stable code: open, article_open, article_closed, article_hidden,
    #              not_published, site_disabled, site_suspended, closed_after_days
    message: str  # what readers see when commenting is not open ("" when open or hidden)

    @property
    def is_open(self) -> bool:
        return self.mode == OPEN

    @property
    def is_visible(self) -> bool:
        return self.mode != HIDDEN


def comments_state(article, *, site_settings=None, now: datetime | None = None) -> CommentsState:
    """Decide the effective commenting state of ``article``.

    ``site_settings`` are those of the site the reader is on (a syndicated article follows
    the policy of the site showing it); by default, those of the article's own site.

    Precedence, first match wins:
    1. the article hides comments → hidden; the article closes them → closed;
    2. the article is not public → closed;
    3. the site has commenting switched off → closed with the site's notice;
    4. the site has suspended commenting until a future moment → closed with the notice
       (it reopens by itself once that moment passes);
    5. the site closes comments N days after publication and that has passed → closed,
       unless the article is explicitly open;
    6. otherwise open.
    A site-wide switch-off or suspension wins over an article set to "open": it exists to
    stop comments everywhere at once.
    """
    from .models import Article  # the model imports nothing from here; avoid a cycle

    now = now or timezone.now()
    mode = article.comments_mode
    if mode == Article.Comments.HIDDEN:
        return CommentsState(HIDDEN, "article_hidden", "")
    if mode == Article.Comments.CLOSED:
        return CommentsState(CLOSED, "article_closed", _("Comments are closed on this article."))
    if not article.is_published(now=now):
        return CommentsState(CLOSED, "not_published", _("Comments open when the article is published."))

    if site_settings is None:
        try:
            site_settings = article.site.settings
        except ObjectDoesNotExist:
            site_settings = None
    if site_settings is not None:
        if not site_settings.comments_enabled:
            return CommentsState(
                CLOSED, "site_disabled", site_settings.comments_notice or _("Commenting is switched off on this site.")
            )
        until = site_settings.comments_suspended_until
        if until is not None and until > now:
            try:
                when = formats.date_format(timezone.localtime(until, site_settings.tzinfo), "DATETIME_FORMAT")
            except OverflowError:  # a moment at the edge of the calendar, shown as stored
                when = until.isoformat()
            default = _("Commenting is suspended until %(when)s.") % {"when": when}
            return CommentsState(CLOSED, "site_suspended", site_settings.comments_notice or default)
        days = site_settings.comments_close_after_days
        if mode == Article.Comments.INHERIT and days and article.published_at + timedelta(days=days) <= now:
            return CommentsState(
                CLOSED,
                "closed_after_days",
                _("Comments close %(days)d days after publication.") % {"days": days},
            )
    if mode == Article.Comments.OPEN:
        return CommentsState(OPEN, "article_open", "")
    return CommentsState(OPEN, "open", "")
