"""Posting and moderating comments. The HTML form, the API and the admin all call these."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from articles import pagecache
from articles.commenting import comments_state
from articles.models import Article, SiteSettings

from .models import Comment
from .text import count_links, keyed_hash, normalise, render_comment

EMPTY = "Write something before posting."
TOO_LONG = "Comments are limited to {limit} characters (this one has {length})."
NAME_NEEDED = "Give a name to show with your comment."
NAME_TOO_LONG = "Names are limited to {limit} characters."
DUPLICATE = "You have already posted this comment."
BAD_STATUS = "Unknown moderation status “{status}”."


class CommentsClosed(Exception):
    """Commenting is not open on the article; ``message`` is the notice readers see."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


class RateLimited(Exception):
    """Too many comments from one client or on one article; try again after ``retry_after`` s."""

    def __init__(self, retry_after: int):
        super().__init__(f"Too many comments: try again in {retry_after} seconds.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    max_length: int
    max_name_length: int
    max_links: int
    per_client: tuple[int, int]
    per_article: tuple[int, int]
    duplicate_window: timedelta
    min_fill_seconds: int

    @classmethod
    def from_settings(cls) -> "Limits":
        c = settings.COMMENTS
        return cls(
            max_length=c["MAX_LENGTH"],
            max_name_length=c["MAX_NAME_LENGTH"],
            max_links=c["MAX_LINKS"],
            per_client=tuple(c["PER_CLIENT"]),
            per_article=tuple(c["PER_ARTICLE"]),
            duplicate_window=timedelta(hours=c["DUPLICATE_WINDOW_HOURS"]),
            min_fill_seconds=c["MIN_FILL_SECONDS"],
        )


def _hit(scope: str, ident: str, limit: int, window: int) -> None:
    """Count one event in a fixed window on the shared cache; raise ``RateLimited`` past
    ``limit``. A cache that is down lets the comment through (the other checks still hold)."""
    now = int(timezone.now().timestamp())
    start = now - now % window
    key = f"comments:rate:{scope}:{ident}:{start}"
    try:
        cache.add(key, 0, window + 5)
        count = cache.incr(key)
    except Exception:  # the cache is an optimisation here, never a reason to fail
        return
    if count > limit:
        raise RateLimited(retry_after=max(1, start + window - now))


def _clean_text(*, display_name: str, body: str, limits: Limits) -> tuple[str, str]:
    display_name = " ".join((display_name or "").split())
    body = (body or "").replace("\x00", "").strip()
    errors = {}
    if not display_name:
        errors["display_name"] = NAME_NEEDED
    elif len(display_name) > limits.max_name_length:
        errors["display_name"] = NAME_TOO_LONG.format(limit=limits.max_name_length)
    if not body:
        errors["body"] = EMPTY
    elif len(body) > limits.max_length:
        errors["body"] = TOO_LONG.format(limit=limits.max_length, length=len(body))
    if errors:
        raise ValidationError(errors)
    return display_name, body


def _share_lock_settings(site_id: int) -> None:
    """Hold a share lock on the site's settings row until this comment commits (CON-08).

    Switching commenting off updates that row, so the switch waits for comments already
    past the check to commit, and comments arriving meanwhile wait for the switch and then
    read it: no comment commits after the switch-off has committed. Comments do not block
    each other. SQLite needs nothing: its transactions take the write lock when they begin.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = SiteSettings._meta.db_table
            cursor.execute(f"SELECT 1 FROM {table} WHERE site_id = %s FOR SHARE", [site_id])  # noqa: S608


@transaction.atomic
def comment_post(
    *,
    article: Article,
    display_name: str,
    body: str,
    client_address: str,
    email: str = "",
    user=None,
    site_settings: SiteSettings | None = None,
    filled_in_seconds: float | None = None,
) -> Comment:
    """Post a reader comment on ``article``, or refuse it with nothing stored.

    Raises ``CommentsClosed`` (with the notice to show) unless ``comments_state`` says open,
    ``ValidationError`` for an empty, too long or duplicate comment, ``RateLimited`` past the
    per-client or per-article rate. New comments wait for a moderator unless the site
    post-moderates; comments with many links, or sent faster than a person types, always
    wait. ``site_settings`` are those of the site the reader is on.
    """
    # Lock the article row so a concurrent switch-off of commenting (which also changes
    # the settings row) and this post are ordered.
    Article.objects.select_for_update().filter(pk=article.pk).exists()
    _share_lock_settings(site_settings.pk if site_settings is not None else article.site_id)
    if site_settings is not None:
        site_settings = SiteSettings.objects.filter(pk=site_settings.pk).first()
    state = comments_state(article, site_settings=site_settings)
    if not state.is_open:
        raise CommentsClosed(state.message or "Comments are not open on this article.", state.reason)

    limits = Limits.from_settings()
    display_name, body = _clean_text(display_name=display_name, body=body, limits=limits)
    body_hash = keyed_hash(normalise(body), purpose="comment-body")
    since = timezone.now() - limits.duplicate_window
    if Comment.objects.filter(article=article, body_hash=body_hash, created_at__gte=since).exists():
        raise ValidationError({"body": DUPLICATE})

    client_hash = keyed_hash(client_address or "unknown", purpose="comment-client")
    _hit("client", client_hash, *limits.per_client)
    _hit("article", str(article.pk), *limits.per_article)

    premoderated = site_settings.comments_premoderated if site_settings is not None else True
    suspicious = count_links(body) > limits.max_links or (
        filled_in_seconds is not None and filled_in_seconds < limits.min_fill_seconds
    )
    status = Comment.Status.PENDING if premoderated or suspicious else Comment.Status.APPROVED
    comment = Comment(
        article=article,
        site_id=site_settings.pk if site_settings is not None else article.site_id,
        display_name=display_name,
        email_hash=keyed_hash(email.strip().casefold(), purpose="comment-email") if email.strip() else "",
        user=user if user is not None and user.is_authenticated else None,
        body=body,
        body_html=render_comment(body),
        body_hash=body_hash,
        status=status,
        client_hash=client_hash,
    )
    comment.save()
    if comment.status == Comment.Status.APPROVED:
        pagecache.invalidate(site_ids=[article.site_id, comment.site_id], article_ids=[article.pk], page_only=True)
    return comment


@transaction.atomic
def comments_moderate(*, comments: Iterable[Comment], status: str, user=None) -> int:
    """Set the moderation status of ``comments``; return how many changed."""
    if status not in Comment.Status.values:
        raise ValidationError({"status": BAD_STATUS.format(status=status)})
    changing = Comment.objects.filter(pk__in=[c.pk for c in comments]).exclude(status=status)
    touched = set(changing.values_list("article_id", "article__site_id", "site_id"))
    count = changing.update(
        status=status,
        moderated_at=timezone.now(),
        moderated_by=user if user is not None and user.is_authenticated else None,
    )
    if count:
        # The pages showing these comments (and their counts) change once this commits.
        pagecache.invalidate(
            site_ids={site for _a, home, posted in touched for site in (home, posted)},
            article_ids={article_id for article_id, _h, _p in touched},
            page_only=True,  # the lists and feeds show no comments: bake just the article pages
        )
    return count
