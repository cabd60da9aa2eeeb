"""RSS 2.0 and Atom feeds of the request's site (``django.contrib.syndication``).

Each item credits every byline (``dc:creator`` in RSS, one ``<author>`` per byline in
Atom) and carries its lead photo as Media RSS: ``media:content`` (url, width, height,
type) with ``media:description`` (the caption) and ``media:credit`` (the credit line).
Feeds are public pages: page cache, ETag, Last-Modified and 304 like the HTML lists.
"""

import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from .models import Article
from .pagecache import archive_page, latest, seconds_until, set_freshness, set_last_modified
from .templatetags.archive import photo_placements, site_url
from .views import LIST_ORDER, shown_parts_changed_at, site_state

DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"


def _add_media(handler, media: dict | None) -> None:
    if not media:
        return
    handler.startElement("media:content", media["attributes"])
    if media["caption"]:
        handler.addQuickElement("media:description", media["caption"], {"type": "plain"})
    if media["credit"]:
        handler.addQuickElement("media:credit", media["credit"])
    handler.endElement("media:content")


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with Dublin Core creators and Media RSS photos."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DC, "xmlns:media": MEDIA}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for creator in item["creators"]:
            handler.addQuickElement("dc:creator", creator["name"])
        _add_media(handler, item["media"])


class MediaAtomFeed(Atom1Feed):
    """Atom 1.0 with one ``<author>`` per byline and Media RSS photos."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for creator in item["creators"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", creator["name"])
            if creator["uri"]:
                handler.addQuickElement("uri", creator["uri"])
            handler.endElement("author")
        _add_media(handler, item["media"])


class LatestArticlesFeed(Feed):
    """The latest published articles of the request's site (made per request).

    Queries: 1 the site's settings and state; 2 the articles; 3 bylines and authors;
    4 photos; 5 tags.
    """

    feed_type = MediaRssFeed

    def __init__(self, request):
        super().__init__()
        self.request = request
        self.now = timezone.now()
        self.state = site_state(request, now=self.now)
        self.language = self.state.language

    def absolute(self, path: str) -> str:
        return site_url(self.request, path)

    def title(self):
        return self.state.publisher_name or self.request.site.name

    def link(self):
        return reverse("articles:front")

    def description(self):
        return f"The latest articles from {self.title()}."

    def author_name(self):
        return self.title()

    def feed_url(self):
        return self.request.path

    def items(self):
        queryset = (
            Article.objects.published(now=self.now)
            .for_site(self.request.site)
            .with_listing_relations()
            .prefetch_related("corrections")
            .order_by(*LIST_ORDER)  # the released-order index's order: a walk, not a sort of every article
        )
        self.articles = list(queryset[: settings.ARCHIVE_PAGES["FEED_ITEMS"]])
        return self.articles

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        """The dek, then the article's corrections in order (readers of the feed see them too)."""
        notes = [f"{c.get_kind_display()} ({c.created_at:%Y-%m-%d}): {c.text}" for c in item.corrections.all()]
        return "\n\n".join([item.dek, *notes]).strip()

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The short permalink never changes, even when the slug or date does.
        return self.absolute(reverse("articles:permalink", kwargs={"pk": item.pk}))

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return timezone.localtime(item.published_at, self.state.tzinfo)

    def item_updateddate(self, item):
        return timezone.localtime(item.updated_at or item.published_at, self.state.tzinfo)

    def item_categories(self, item):
        section = [item.section.name] if item.section_id else []
        return section + [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        creators = [
            {
                "name": b.display_name,
                "uri": self.absolute(reverse("articles:author", kwargs={"slug": b.author.slug})) if b.author_id else "",
            }
            for b in item.bylines.all()
        ]
        return {"creators": creators, "media": self.media(item)}

    def media(self, item) -> dict | None:
        lead = photo_placements(item).lead
        if lead is None or not lead.image.file:
            return None
        image = lead.image
        attributes = {"url": self.absolute(image.file.url), "medium": "image"}
        content_type = mimetypes.guess_type(image.file.name)[0]
        if content_type:
            attributes["type"] = content_type
        if image.width and image.height:
            attributes.update(width=str(image.width), height=str(image.height))
        return {"attributes": attributes, "caption": lead.effective_caption, "credit": lead.effective_credit}


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = MediaAtomFeed
    subtitle = LatestArticlesFeed.description


def _feed_response(request, feed_class):
    feed = feed_class(request)
    response = feed(request)
    state = feed.state
    set_last_modified(
        response,
        latest(
            state.updated_at,
            state.articles_changed_at,
            state.articles_released_at,
            shown_parts_changed_at(feed.articles),
        ),
    )
    return set_freshness(response, seconds_until(state.next_release_at, feed.now))


@require_safe
@archive_page(params=())
def rss_feed(request):
    return _feed_response(request, LatestArticlesFeed)


@require_safe
@archive_page(params=())
def atom_feed(request):
    return _feed_response(request, LatestArticlesAtomFeed)
