"""REST API: articles. Visibility and permission matrix, filters, cursor pagination, the
change feed, ETag / If-Match, strict ids, bad input, the exact JSON of one article and the
number of SQL queries per request."""

import base64
import json
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from articles import services
from articles.models import Article, ArticleImage, Author, Byline, Image, Revision, SiteSettings, Tag
from tests import factories

API = "/api/v1/articles/"
iso = DateTimeField().to_representation  # how the API writes a datetime ("…Z")

NOT_FOUND = {"detail": "No Article matches the given query."}
NOT_AUTHENTICATED = {"detail": "Authentication credentials were not provided."}
NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
NO_PUBLISHING = {"detail": "You may write drafts but not publish, schedule or withdraw articles."}
JSON_ERROR = "JSON parse error - "
PRECONDITION_REQUIRED = {
    "detail": (
        "This change needs an If-Match header holding the article's current ETag: GET the "
        "resource, then send its ETag header back as If-Match."
    )
}
PRECONDITION_FAILED = {
    "detail": "The resource was changed by someone else since you loaded it: GET it again and reapply your change."
}


@pytest.fixture(autouse=True)
def _clear_throttle_counts():
    # DRF keeps throttle counts in the (local-memory) cache.
    cache.clear()


def detail(article) -> str:
    return f"{API}{article.pk}/"


def etag(article) -> str:
    article.refresh_from_db()
    return f'"article-{article.pk}-v{article.version}"'


def headlines(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["headline"] for item in response.json()["results"]]


def database_state() -> dict:
    """Everything an article write could touch: a failed write leaves all of it equal."""
    return {
        "articles": list(
            Article.objects.order_by("pk").values_list(
                "pk",
                "headline",
                "slug",
                "dek",
                "body",
                "status",
                "version",
                "published_at",
                "embargo_until",
                "withdrawn_at",
                "withdrawn_reason",
                "site_id",
                "section_id",
                "modified_at",
            )
        ),  # fmt: skip
        "bylines": list(Byline.objects.order_by("pk").values_list("pk", "article_id", "author_id", "role", "position")),
        "placements": list(ArticleImage.objects.order_by("pk").values_list("pk", "article_id", "image_id", "role")),
        "tags": list(Tag.objects.order_by("pk").values_list("pk", "slug")),
        "article_tags": list(Article.tags.through.objects.order_by("pk").values_list("article_id", "tag_id")),
        "article_sites": list(Article.sites.through.objects.order_by("pk").values_list("article_id", "site_id")),
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", "article_id", "number")),
        "authors": Author.objects.count(),
        "images": Image.objects.count(),
    }


@pytest.fixture
def clients(db, contributor, editor, admin_user):
    """``clients("editor")`` → an APIClient signed in as that role (None: anonymous)."""
    users = {"anonymous": None, "contributor": contributor, "editor": editor, "superuser": admin_user}

    def make(role: str) -> APIClient:
        client = APIClient(raise_request_exception=False)
        if users[role] is not None:
            client.force_authenticate(users[role])
        return client

    return make


@pytest.fixture
def by_status(site):
    """One article in each state the public must or must not see."""
    now = timezone.now()
    withdrawn = factories.published_article(site=site, headline="Withdrawn story", slug="withdrawn-story")
    services.article_withdraw(article=withdrawn, reason="The story relied on a forged document.")
    return {
        "draft": factories.draft_article(site=site, headline="Draft story", slug="draft-story"),
        "scheduled": factories.published_article(
            site=site, headline="Scheduled story", slug="scheduled-story", published_at=now + timedelta(days=1)
        ),
        "embargoed": factories.published_article(
            site=site, headline="Embargoed story", slug="embargoed-story", embargo_until=now + timedelta(days=1)
        ),
        "published": factories.published_article(site=site, headline="Published story", slug="published-story"),
        "withdrawn": withdrawn,
    }


# --- Visibility matrix -------------------------------------------------------------------


def test_states_are_what_their_names_say(by_status):
    assert {name: a.status for name, a in by_status.items()} == {
        "draft": "draft",
        "scheduled": "scheduled",
        "embargoed": "published",
        "published": "published",
        "withdrawn": "withdrawn",
    }
    assert list(Article.objects.published()) == [by_status["published"]]


def test_anonymous_list_shows_only_published_articles(clients, by_status):
    assert headlines(clients("anonymous").get(API)) == ["Published story"]


@pytest.mark.parametrize("role", ["contributor", "editor", "superuser"])
def test_staff_list_shows_unpublished_articles_and_withdrawn_on_request(clients, by_status, role):
    client = clients(role)
    assert sorted(headlines(client.get(API))) == [
        "Draft story",
        "Embargoed story",
        "Published story",
        "Scheduled story",
    ]
    assert headlines(client.get(API, {"status": "withdrawn"})) == ["Withdrawn story"]


@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        ("anonymous", "draft", 404),
        ("anonymous", "scheduled", 404),
        ("anonymous", "embargoed", 404),
        ("anonymous", "published", 200),
        ("anonymous", "withdrawn", 410),
        *[
            (role, state, 200)
            for role in ("contributor", "editor", "superuser")
            for state in ("draft", "scheduled", "embargoed", "published", "withdrawn")
        ],
    ],
)
def test_detail_visibility_matrix(clients, by_status, role, state, expected):
    article = by_status[state]
    response = clients(role).get(detail(article))
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == article.pk
        assert response.json()["status"] == article.status
        assert response["ETag"] == etag(article)
    elif expected == 404:
        # Indistinguishable from an id that does not exist.
        assert response.json() == NOT_FOUND
        assert clients(role).get(f"{API}999999999/").json() == NOT_FOUND


def test_withdrawn_article_answers_410_with_its_public_reason(clients, by_status):
    response = clients("anonymous").get(detail(by_status["withdrawn"]))
    assert response.status_code == 410
    assert response.json() == {
        "detail": "This article was withdrawn.",
        "reason": "The story relied on a forged document.",
    }


def test_scheduled_article_becomes_visible_at_its_time_without_a_job(clients, by_status):
    article = by_status["scheduled"]
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert clients("anonymous").get(detail(article)).status_code == 200


# --- Writes: who may do what ------------------------------------------------------------


def minimal_article(**extra) -> dict:
    return {"site": 1, "headline": "Council backs tram plan", "body": "<p>The vote was 31 to 4.</p>", **extra}


@pytest.mark.parametrize(
    ("method", "auth"),
    [(m, a) for m in ("post", "put", "patch", "delete") for a in ("none", "bad-token")],
)
def test_anonymous_writes_are_refused_and_change_nothing(clients, by_status, method, auth):
    article = by_status["published"]
    client = clients("anonymous")
    if auth == "bad-token":
        client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    before = database_state()
    url = API if method == "post" else detail(article)
    response = getattr(client, method)(url, minimal_article(), format="json", HTTP_IF_MATCH=etag(article))
    assert response.status_code == 403  # 401 would need a WWW-Authenticate scheme; session auth comes first
    assert response.json() == (NOT_AUTHENTICATED if auth == "none" else {"detail": "Invalid token."})
    assert database_state() == before


def test_contributor_creates_a_draft(clients, contributor):
    response = clients("contributor").post(API, minimal_article(), format="json")
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert response.json()["status"] == "draft"
    assert response["Location"] == f"http://testserver{API}{article.pk}/"
    assert response["ETag"] == f'"article-{article.pk}-v1"'
    assert article.created_by == contributor
    assert list(article.revisions.values_list("number", "message", "user")) == [
        (1, "Created over the API", contributor.pk)
    ]


@pytest.mark.parametrize("status", ["published", "scheduled", "withdrawn"])
def test_contributor_cannot_create_a_released_article(clients, status):
    author = factories.AuthorFactory()
    before = database_state()
    body = minimal_article(status=status, bylines=[{"author": author.pk}])
    response = clients("contributor").post(API, body, format="json")
    assert response.status_code == 403
    assert response.json() == NO_PUBLISHING
    assert database_state() == before


def test_contributor_edits_a_draft(clients, by_status):
    article = by_status["draft"]
    response = clients("contributor").patch(
        detail(article), {"headline": "Draft, sharper"}, format="json", HTTP_IF_MATCH=etag(article)
    )
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert article.headline == "Draft, sharper"
    assert article.status == "draft"


@pytest.mark.parametrize(
    ("state", "target"), [("draft", "published"), ("draft", "scheduled"), ("published", "withdrawn")]
)
def test_contributor_cannot_publish_or_withdraw_by_patch(clients, by_status, state, target):
    article = by_status[state]
    before = database_state()
    response = clients("contributor").patch(
        detail(article), {"status": target, "headline": "Sneaky"}, format="json", HTTP_IF_MATCH=etag(article)
    )
    assert response.status_code == 403
    assert response.json() == NO_PUBLISHING
    assert database_state() == before


def test_contributor_cannot_withdraw_by_delete(clients, by_status):
    article = by_status["published"]
    before = database_state()
    response = clients("contributor").delete(detail(article), HTTP_IF_MATCH=etag(article))
    assert response.status_code == 403
    assert response.json() == NO_PERMISSION
    assert database_state() == before


def test_editor_publishes_a_draft_with_if_match(clients, by_status):
    article = by_status["draft"]
    old_tag = etag(article)
    response = clients("editor").patch(detail(article), {"status": "published"}, format="json", HTTP_IF_MATCH=old_tag)
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert article.status == "published"
    assert article.published_at is not None
    assert response.json()["status"] == "published"
    assert response.json()["page_url"] == f"http://testserver{article.get_absolute_url()}"
    assert response["ETag"] == etag(article) != old_tag
    assert clients("anonymous").get(detail(article)).status_code == 200


def test_editor_cannot_publish_an_article_without_a_byline(clients, site):
    article = factories.draft_article(site=site, authors=[])
    before = database_state()
    response = clients("editor").patch(
        detail(article), {"status": "published"}, format="json", HTTP_IF_MATCH=etag(article)
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "An article needs at least one byline before it can be published.",
        "errors": ["An article needs at least one byline before it can be published."],
    }
    assert database_state() == before


def test_editor_withdraws_by_delete_and_nothing_is_lost(clients, by_status):
    article = by_status["published"]
    revisions_before = list(article.revisions.values_list("number", "snapshot"))
    response = clients("editor").delete(f"{detail(article)}?reason=Published+in+error", HTTP_IF_MATCH=etag(article))
    assert response.status_code == 204
    assert response.content == b""
    article.refresh_from_db()
    assert article.status == "withdrawn"
    assert article.withdrawn_at is not None
    assert article.withdrawn_reason == "Published in error"
    revisions_after = list(article.revisions.values_list("number", "snapshot"))
    assert revisions_after[: len(revisions_before)] == revisions_before
    assert len(revisions_after) == len(revisions_before) + 1
    assert Byline.objects.filter(article=article).count() == 1
    gone = clients("anonymous").get(detail(article))
    assert (gone.status_code, gone.json()) == (
        410,
        {"detail": "This article was withdrawn.", "reason": "Published in error"},
    )


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("draft", "Only a published or scheduled article can be withdrawn."),
        ("withdrawn", "The article is already withdrawn."),
    ],
)
def test_withdrawing_what_is_not_released_is_refused(clients, by_status, state, message):
    article = by_status[state]
    before = database_state()
    response = clients("editor").delete(detail(article), HTTP_IF_MATCH=etag(article))
    assert response.status_code == 400
    assert response.json() == {"detail": message, "errors": [message]}
    assert database_state() == before


def test_editor_creates_a_published_article_in_one_request(clients):
    author = factories.AuthorFactory(name="Ana Ribeiro")
    body = minimal_article(status="published", bylines=[{"author": author.pk}], dateline={"place": "Porto"})
    response = clients("editor").post(API, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["dateline"]["text"], data["bylines"][0]["name"]) == (
        "published",
        "PORTO —",
        "Ana Ribeiro",
    )


def test_read_only_fields_in_a_body_are_ignored(clients, by_status):
    """Mass assignment: id, version and other output fields cannot be set by a client."""
    article, other = by_status["draft"], by_status["published"]
    other_before = Article.objects.filter(pk=other.pk).values().get()
    version = article.version
    body = {"id": other.pk, "version": 99, "word_count": 1, "headline": "New headline"}
    response = clients("editor").patch(detail(article), body, format="json", HTTP_IF_MATCH=etag(article))
    assert response.status_code == 200, response.content
    article.refresh_from_db()
    assert (article.headline, article.version) == ("New headline", version + 1)
    assert Article.objects.filter(pk=other.pk).values().get() == other_before
    refused = clients("editor").patch(detail(article), {"created_by": 1}, format="json", HTTP_IF_MATCH=etag(article))
    assert (refused.status_code, refused.json()) == (400, {"created_by": ["Unknown field."]})


# --- ETag and If-Match -------------------------------------------------------------------


def test_get_answers_with_etag_and_last_modified(clients, published_article):
    response = clients("anonymous").get(detail(published_article))
    published_article.refresh_from_db()
    assert response["ETag"] == f'"article-{published_article.pk}-v{published_article.version}"'
    assert response["Last-Modified"]


def put_body(article) -> dict:
    return {"site": article.site_id, "headline": "Replaced headline", "body": "<p>Replaced body.</p>"}


WRITES = {
    "patch": lambda client, article, **headers: client.patch(
        detail(article), {"headline": "Patched headline"}, format="json", **headers
    ),
    "put": lambda client, article, **headers: client.put(detail(article), put_body(article), format="json", **headers),
    "delete": lambda client, article, **headers: client.delete(detail(article), **headers),
}


@pytest.mark.parametrize("method", WRITES)
def test_write_without_if_match_answers_428_and_changes_nothing(clients, published_article, method):
    before = database_state()
    response = WRITES[method](clients("editor"), published_article)
    assert response.status_code == 428
    assert response.json() == PRECONDITION_REQUIRED
    assert "If-Match" in response.json()["detail"]
    assert database_state() == before


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize(
    "stale",
    [
        "old-version",
        "other-article",
        "weak",
        "garbage",
    ],
)
def test_write_with_a_stale_if_match_answers_412_and_changes_nothing(clients, site, published_article, method, stale):
    current = etag(published_article)
    other = factories.draft_article(site=site)
    header = {
        "old-version": current.replace(f"-v{published_article.version}", f"-v{published_article.version - 1}"),
        "other-article": etag(other),
        "weak": f"W/{current}",
        "garbage": "not-an-etag",
    }[stale]
    before = database_state()
    response = WRITES[method](clients("editor"), published_article, HTTP_IF_MATCH=header)
    assert response.status_code == 412
    assert response.json() == PRECONDITION_FAILED
    assert database_state() == before


@pytest.mark.parametrize("method", ["patch", "put"])
def test_write_with_the_current_etag_answers_200_with_a_new_etag(clients, published_article, method):
    old = etag(published_article)
    response = WRITES[method](clients("editor"), published_article, HTTP_IF_MATCH=old)
    assert response.status_code == 200, response.content
    new = etag(published_article)
    assert response["ETag"] == new
    assert new == old.replace(f"-v{published_article.version - 1}", f"-v{published_article.version}")
    assert response.json()["version"] == published_article.version
    # The old ETag is now stale.
    again = WRITES[method](clients("editor"), published_article, HTTP_IF_MATCH=old)
    assert again.status_code == 412


def test_delete_with_the_current_etag_answers_204(clients, published_article):
    response = WRITES["delete"](clients("editor"), published_article, HTTP_IF_MATCH=etag(published_article))
    assert response.status_code == 204
    published_article.refresh_from_db()
    assert published_article.status == "withdrawn"


def test_if_match_list_accepts_the_current_etag_among_others(clients, published_article):
    header = f'"article-{published_article.pk}-v999", {etag(published_article)}'
    response = clients("editor").patch(
        detail(published_article), {"dek": "New dek"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 200


def test_two_editors_with_the_same_etag_the_second_gets_412(clients, published_article):
    tag = etag(published_article)
    first = clients("editor").patch(detail(published_article), {"dek": "A's dek"}, format="json", HTTP_IF_MATCH=tag)
    second = clients("superuser").patch(detail(published_article), {"dek": "B's dek"}, format="json", HTTP_IF_MATCH=tag)
    assert (first.status_code, second.status_code) == (200, 412)
    published_article.refresh_from_db()
    assert published_article.dek == "A's dek"


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def catalogue(site):
    """Published articles across two sites, authors, sections and tags, plus a draft and a
    withdrawn article that the public never lists."""
    partner = Site.objects.create(domain="partner.example", name="Partner")
    SiteSettings.objects.create(site=partner)
    ana = factories.AuthorFactory(name="Ana Ribeiro", slug="ana-ribeiro")
    tom = factories.AuthorFactory(name="Tom Hale", slug="tom-hale")
    world = factories.SectionFactory(name="World", slug="world")
    sport = factories.SectionFactory(name="Sport", slug="sport")
    trams = factories.TagFactory(name="Trams", slug="trams")
    ferries = factories.TagFactory(name="Ferries", slug="ferries")
    base = timezone.now() - timedelta(days=30)

    def make(headline, *, site, authors, days, **fields):
        return factories.published_article(
            site=site, headline=headline, slug=headline.lower().replace(" ", "-"), authors=authors,
            published_at=base + timedelta(days=days), **fields,
        )  # fmt: skip

    articles = {
        "harbour": make("Harbour trams", site=site, authors=[ana], days=1, section=world, tags=[trams]),
        "ferry": make("Ferry strike", site=site, authors=[tom], days=2, section=sport, tags=[ferries]),
        "partner_news": make("Partner news", site=partner, authors=[tom], days=3),
        "syndicated": make(
            "Syndicated feature", site=site, authors=[ana, tom], days=4, sites=[partner], tags=[trams, ferries]
        ),
        "draft": factories.draft_article(site=site, headline="Secret draft", slug="secret-draft", authors=[ana]),
    }
    withdrawn = make("Withdrawn piece", site=site, authors=[ana], days=5, tags=[trams], section=world)
    services.article_withdraw(article=withdrawn, reason="Legal")
    articles["withdrawn"] = withdrawn
    articles["draft"].tags.set([trams])
    return {"base": base, "partner_site": partner, **articles}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Syndicated feature", "Partner news", "Ferry strike", "Harbour trams"]),
        ({"site": "1"}, ["Syndicated feature", "Ferry strike", "Harbour trams"]),
        ({"site": "partner"}, ["Syndicated feature", "Partner news"]),
        ({"site": "999999"}, []),
        ({"author": "ana-ribeiro"}, ["Syndicated feature", "Harbour trams"]),
        ({"author": "tom-hale"}, ["Syndicated feature", "Partner news", "Ferry strike"]),
        ({"author": "nobody"}, []),
        ({"tag": "trams"}, ["Syndicated feature", "Harbour trams"]),
        ({"tag": "ferries"}, ["Syndicated feature", "Ferry strike"]),
        ({"section": "world"}, ["Harbour trams"]),
        ({"section": "sport"}, ["Ferry strike"]),
        ({"tag": "trams", "author": "ana-ribeiro", "site": "partner"}, ["Syndicated feature"]),
        ({"status": "draft"}, ["Syndicated feature", "Partner news", "Ferry strike", "Harbour trams"]),
        ({"status": "withdrawn"}, ["Syndicated feature", "Partner news", "Ferry strike", "Harbour trams"]),
        ({"ordering": "published_at"}, ["Harbour trams", "Ferry strike", "Partner news", "Syndicated feature"]),
    ],
)
def test_anonymous_filters(clients, catalogue, params, expected):
    if params.get("site") == "partner":
        params = {**params, "site": str(catalogue["partner_site"].pk)}
    assert headlines(clients("anonymous").get(API, params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "draft"}, ["Secret draft"]),
        ({"status": "withdrawn"}, ["Withdrawn piece"]),
        ({"status": "published", "tag": "trams"}, ["Syndicated feature", "Harbour trams"]),
        ({"tag": "trams"}, ["Syndicated feature", "Harbour trams", "Secret draft"]),
        ({"author": "ana-ribeiro", "status": "draft"}, ["Secret draft"]),
    ],
)
def test_staff_filter_by_status(clients, catalogue, params, expected):
    assert headlines(clients("editor").get(API, params)) == expected


def test_publication_time_filters(clients, catalogue):
    base, client = catalogue["base"], clients("anonymous")
    day = lambda n: (base + timedelta(days=n)).isoformat()  # noqa: E731
    assert headlines(client.get(API, {"published_after": day(2)})) == [
        "Syndicated feature",
        "Partner news",
        "Ferry strike",
    ]  # at or after
    assert headlines(client.get(API, {"published_before": day(2)})) == ["Harbour trams"]  # strictly before
    assert headlines(client.get(API, {"published_after": day(2), "published_before": day(4)})) == [
        "Partner news",
        "Ferry strike",
    ]
    zulu = (base + timedelta(days=3)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert headlines(client.get(API, {"published_after": zulu})) == ["Syndicated feature", "Partner news"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"site": "abc"}, {"site": ["Give a site id (a whole number)."]}),
        ({"site": "01"}, {"site": ["Give a site id (a whole number)."]}),
        ({"site": "99999999999999999999"}, {"site": ["Give a site id (a whole number)."]}),
        ({"published_after": "notadate"}, {"published_after": ["Enter a valid date/time."]}),
        ({"published_before": "2024-13-45"}, {"published_before": ["Enter a valid date/time."]}),
        ({"updated_since": "yesterday"}, {"updated_since": ["Enter a valid date/time."]}),
        ({"page_size": "0"}, {"page_size": "page_size must be a whole number from 1 to 100."}),
        ({"page_size": "101"}, {"page_size": "page_size must be a whole number from 1 to 100."}),
        ({"page_size": "abc"}, {"page_size": "page_size must be a whole number from 1 to 100."}),
        ({"page_size": "-1"}, {"page_size": "page_size must be a whole number from 1 to 100."}),
        ({"page_size": "٣"}, {"page_size": "page_size must be a whole number from 1 to 100."}),
        (
            {"page_size": "99999999999999999999"},
            {"page_size": "page_size must be a whole number from 1 to 100."},
        ),
        (
            {"cursor": "garbage"},
            {"cursor": "The cursor is not valid for this list; start again from the first page."},
        ),
        (
            {"ordering": "bogus"},
            {"ordering": "ordering must be one of: -published_at, published_at, -modified_at, modified_at."},
        ),
        ({"q": "a\x00b"}, {"q": ["Null characters are not allowed."]}),
        ({"author": "x\x00"}, {"author": ["Null characters are not allowed."]}),
        ({"q": "x" * 201}, {"q": ["Ensure this value has at most 200 characters (it has 201)."]}),
    ],
)
@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_bad_list_parameters_answer_400_with_a_message(clients, published_article, params, expected, role):
    response = clients(role).get(API, params)
    assert response.status_code == 400
    assert response.json() == expected


def test_bad_status_is_400_for_staff_and_ignored_for_the_public(clients, published_article):
    staff = clients("editor").get(API, {"status": "bogus"})
    assert staff.status_code == 400
    assert staff.json() == {"status": ["Select a valid choice. bogus is not one of the available choices."]}
    assert headlines(clients("anonymous").get(API, {"status": "bogus"})) == [published_article.headline]


def test_unknown_query_parameters_are_ignored(clients, catalogue):
    """A filter on a private field is not an oracle: unknown parameters change nothing."""
    client = clients("anonymous")
    plain = client.get(API).json()
    for params in ({"created_by__password__startswith": "a"}, {"status__in": "draft"}, {"_connector": "OR"}):
        assert client.get(API, params).json() == plain


@pytest.mark.parametrize("words", ["cobblestones", "COBBLESTONES", "lighthouse keeper", "standfirst"])
def test_search_finds_words_in_headline_dek_or_body(clients, site, words):
    factories.published_article(
        site=site,
        headline="Lighthouse keeper retires",
        dek="A standfirst about the coast.",
        body="<p>The old road was paved with cobblestones in 1850.</p>",
        slug="lighthouse",
    )
    factories.published_article(site=site, headline="Unrelated", slug="unrelated", body="<p>Nothing here.</p>")
    factories.draft_article(site=site, headline="Draft about cobblestones", body="<p>cobblestones standfirst</p>")
    assert headlines(clients("anonymous").get(API, {"q": words})) == ["Lighthouse keeper retires"]


def test_search_needs_every_word_and_tolerates_odd_syntax(clients, site):
    factories.published_article(site=site, headline="Ferry timetable changes", slug="ferry", body="<p>Boats.</p>")
    client = clients("anonymous")
    assert headlines(client.get(API, {"q": "ferry boats"})) == ["Ferry timetable changes"]
    assert headlines(client.get(API, {"q": "ferry zeppelin"})) == []
    for odd in ('"', "((((", "-", "ferry OR", "&|!:*", "'", "\\", "   "):
        assert client.get(API, {"q": odd}).status_code == 200


# --- Change feed -----------------------------------------------------------------------------


def test_change_feed_reports_changes_and_withdrawals_as_tombstones(clients, site):
    edited = factories.published_article(site=site, headline="Edited later", slug="edited-later")
    untouched = factories.published_article(site=site, headline="Untouched", slug="untouched")
    doomed = factories.published_article(site=site, headline="Withdrawn later", slug="withdrawn-later")
    draft = factories.draft_article(site=site, headline="Draft edited later", slug="draft-edited")
    long_ago = timezone.now() - timedelta(days=2)
    Article.objects.update(modified_at=long_ago)  # update() leaves auto_now alone
    since = timezone.now() - timedelta(hours=1)

    services.article_update(article=edited, headline="Edited later (updated)")
    services.article_withdraw(article=doomed, reason="Legal")
    services.article_update(article=draft, headline="Draft edited later (again)")
    doomed.refresh_from_db()

    public = clients("anonymous").get(API, {"updated_since": since.isoformat()})
    assert public.status_code == 200
    results = public.json()["results"]
    assert [r["id"] for r in results] == [edited.pk, doomed.pk]  # oldest change first
    assert results[0]["headline"] == "Edited later (updated)"
    assert results[1] == {
        "id": doomed.pk,
        "status": "withdrawn",
        "modified_at": iso(doomed.modified_at),
        "withdrawn_at": iso(doomed.withdrawn_at),
    }
    assert untouched.pk not in [r["id"] for r in results]
    # Without updated_since the public never hears of the withdrawn article.
    assert doomed.pk not in [r["id"] for r in clients("anonymous").get(API).json()["results"]]

    staff = clients("editor").get(API, {"updated_since": since.isoformat()}).json()["results"]
    assert [(r["id"], r["status"]) for r in staff] == [
        (edited.pk, "published"),
        (doomed.pk, "withdrawn"),
        (draft.pk, "draft"),
    ]
    assert staff[1]["headline"] == "Withdrawn later"  # staff get the whole article


def test_change_feed_pages_with_a_cursor(clients, site):
    articles = [factories.published_article(site=site, slug=f"feed-{n}") for n in range(5)]
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    seen, params = [], {"updated_since": since, "page_size": 2}
    client = clients("anonymous")
    while True:
        page = client.get(API, params).json()
        seen += [r["id"] for r in page["results"]]
        if page["next"] is None:
            break
        params = {k: v[0] for k, v in parse_qs(urlsplit(page["next"]).query).items()}
    assert seen == [a.pk for a in sorted(articles, key=lambda a: (a.modified_at, a.pk))]


# --- Cursor pagination --------------------------------------------------------------------


def follow(client, url_or_params):
    """GET a page (by params or by a ``next`` URL); return (ids, next)."""
    response = client.get(API, url_or_params) if isinstance(url_or_params, dict) else client.get(url_or_params)
    assert response.status_code == 200, response.content
    data = response.json()
    return [r["id"] for r in data["results"]], data["next"]


def test_cursor_pages_through_25_articles(clients, site):
    base = timezone.now() - timedelta(days=1)
    articles = [
        factories.published_article(site=site, slug=f"story-{n}", published_at=base + timedelta(minutes=n))
        for n in range(25)
    ]
    expected = [a.pk for a in reversed(articles)]  # newest first
    client = clients("anonymous")
    first, next_url = follow(client, {"page_size": 10})
    second, next_url = follow(client, next_url)
    third, last_next = follow(client, next_url)
    assert (len(first), len(second), len(third)) == (10, 10, 5)
    assert first + second + third == expected
    assert last_next is None
    assert "page_size=10" in next_url


def test_cursor_is_stable_when_articles_are_inserted_between_pages(clients, site):
    base = timezone.now() - timedelta(days=1)
    originals = [
        factories.published_article(site=site, slug=f"story-{n}", published_at=base + timedelta(minutes=n))
        for n in range(25)
    ]
    client = clients("anonymous")
    first, next_url = follow(client, {"page_size": 10})
    # Breaking news lands on top of the list while a mirror is on page 1 …
    newer = [factories.published_article(site=site, slug=f"breaking-{n}") for n in range(3)]
    second, next_url = follow(client, next_url)
    # … and an old story is backdated into the part not read yet.
    backdated = factories.published_article(
        site=site, slug="backdated", published_at=base + timedelta(minutes=2, seconds=30)
    )
    third, last_next = follow(client, next_url)
    seen = first + second + third
    original_ids = [a.pk for a in reversed(originals)]
    assert [pk for pk in seen if pk in original_ids] == original_ids  # each once, in order
    assert len(seen) == len(set(seen))
    assert not {a.pk for a in newer} & set(seen)
    assert backdated.pk in third
    assert last_next is None


def test_cursor_breaks_ties_on_equal_publication_times(clients, site):
    moment = timezone.now() - timedelta(hours=3)
    articles = [factories.published_article(site=site, slug=f"tie-{n}", published_at=moment) for n in range(7)]
    client = clients("anonymous")
    seen, params = [], {"page_size": 3}
    while params:
        ids, params = follow(client, params)
        seen += ids
    assert seen == sorted((a.pk for a in articles), reverse=True)


def test_staff_cursor_pages_through_drafts_without_publication_time(clients, site):
    base = timezone.now() - timedelta(days=1)
    published = [
        factories.published_article(site=site, slug=f"pub-{n}", published_at=base + timedelta(hours=n))
        for n in range(4)
    ]
    drafts = [factories.draft_article(site=site, slug=f"draft-{n}") for n in range(4)]
    client = clients("editor")
    for ordering, expected in (
        ("-published_at", [a.pk for a in reversed(published)] + sorted((d.pk for d in drafts), reverse=True)),
        ("published_at", [a.pk for a in published] + sorted(d.pk for d in drafts)),
    ):
        seen, params = [], {"page_size": 3, "ordering": ordering}
        while params:
            ids, params = follow(client, params)
            seen += ids
        assert seen == expected, ordering


def test_cursor_of_one_ordering_is_refused_for_another(clients, site):
    for n in range(3):
        factories.published_article(site=site, slug=f"s-{n}")
    client = clients("anonymous")
    _ids, next_url = follow(client, {"page_size": 1, "ordering": "published_at"})
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    response = client.get(API, {"cursor": cursor, "ordering": "-published_at"})
    assert response.status_code == 400
    assert response.json() == {"cursor": "The cursor is not valid for this list; start again from the first page."}


BAD_CURSOR = {"cursor": "The cursor is not valid for this list; start again from the first page."}


@pytest.mark.parametrize(
    "payload",
    [
        '["-published_at","dt","2024-01-01T00:00:00",1]',
        '["-published_at","dt","2024-01-01T00:00:00Z",99999999999999999999]',
        '["-published_at","dt","2024-01-01T00:00:00Z",true]',
        '["-published_at","n",null,0]',
        '["-published_at","dt",5,1]',
        '["published_at","dt","2024-01-01T00:00:00Z",1]',
        '{"a":1}',
        "[]",
        "null",
    ],
)
def test_forged_cursors_answer_400(clients, published_article, payload):
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    response = clients("anonymous").get(API, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == BAD_CURSOR


@pytest.mark.parametrize("value", ["\\u0000", "not a date"])
def test_forged_cursor_with_a_text_value_for_a_time_ordering_answers_400(clients, published_article, value):
    """The decoder accepts a text key for the time ordering; the database layer then refuses
    it (a Django message rather than the cursor one, but never a 500)."""
    payload = f'["-published_at","s","{value}",1]'
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    response = clients("anonymous").get(API, {"cursor": cursor})
    assert response.status_code == 400


# --- Strict ids --------------------------------------------------------------------------


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def loose_forms(pk: int) -> list[str]:
    """Spellings of ``pk`` that int() or a lax regex would accept; none may resolve."""
    from urllib.parse import quote

    digits = str(pk)
    return [
        f"0{digits}",
        f"+{digits}",
        f"%20{digits}",
        f"{digits}%20",
        quote(digits.translate(ARABIC_DIGITS)),
        f"{digits[0]}_{digits[1:]}",
        f"{digits}abc",
        f"0x{pk:x}",
        f"-{digits}",
        f"{digits}.0",
        f"{digits}%00",
    ]


@pytest.fixture
def numbered(site):
    """Enough articles that the target has at least two digits, so ``1_0``-style forms exist."""
    articles = [factories.published_article(site=site, slug=f"n-{n}") for n in range(10)]
    return articles[-1]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_loose_ids_answer_404_and_change_nothing(clients, numbered, method):
    assert numbered.pk >= 10
    client = clients("editor")
    before = database_state()
    for form in loose_forms(numbered.pk):
        response = getattr(client, method)(
            f"{API}{form}/", put_body(numbered), format="json", HTTP_IF_MATCH=etag(numbered)
        )
        assert response.status_code == 404, (form, response.status_code)
        assert response.json() == {"detail": "Not found."}, form
    assert database_state() == before
    # The same request with the plain id does resolve.
    assert client.get(detail(numbered)).status_code == 200


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_huge_ids_in_the_url_answer_404(clients, published_article, method):
    client = clients("editor")
    before = database_state()
    for huge in ("99999999999999999999", "9223372036854775808", "999999999999999999"):
        response = getattr(client, method)(
            f"{API}{huge}/", put_body(published_article), format="json", HTTP_IF_MATCH="*"
        )
        assert response.status_code == 404, huge
    assert database_state() == before


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("site", 99999999999999999999, {"site": ['Invalid pk "99999999999999999999" - object does not exist.']}),
        ("site", 9223372036854775807, {"site": ['Invalid pk "9223372036854775807" - object does not exist.']}),
        ("site", -1, {"site": ['Invalid pk "-1" - object does not exist.']}),
        ("site", "٢", {"site": ["Expected an id (a whole number), got str."]}),
        ("site", 1.5, {"site": ["Expected an id (a whole number), got float."]}),
        ("site", True, {"site": ["Expected an id (a whole number), got bool."]}),
        (
            "sites",
            [99999999999999999999],
            {"sites": {"0": ['Invalid pk "99999999999999999999" - object does not exist.']}},
        ),
        (
            "bylines",
            [{"author": 99999999999999999999}],
            {"bylines": {"0": {"author": ['Invalid pk "99999999999999999999" - object does not exist.']}}},
        ),
        (
            "images",
            [{"image": 99999999999999999999}],
            {"images": {"0": {"image": ['Invalid pk "99999999999999999999" - object does not exist.']}}},
        ),
    ],
)
def test_bad_ids_in_the_body_answer_400(clients, field, value, expected):
    before = database_state()
    response = clients("editor").post(API, minimal_article(**{field: value}), format="json")
    assert response.status_code == 400
    assert response.json() == expected
    assert database_state() == before


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            "{not json",
            "application/json",
            {"detail": JSON_ERROR + "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
        ),
        ("", "application/json", {"site": ["This field is required."], "headline": ["This field is required."]}),
        ("[1, 2]", "application/json", {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ('"a string"', "application/json", {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
        ("null", "application/json", {"non_field_errors": ["No data provided"]}),
        ("\xff\xfe", "application/json", None),
        ("headline=x", "text/plain", {"detail": 'Unsupported media type "text/plain" in request.'}),
    ],
)
def test_a_body_that_is_not_a_json_object_answers_4xx(clients, body, content_type, expected):
    before = database_state()
    response = clients("editor").generic("POST", API, body.encode("latin-1"), content_type=content_type)
    assert response.status_code in (400, 415)
    if expected is not None:
        assert response.json() == expected
    assert database_state() == before


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"headline": ["a list"]}, {"headline": ["Not a valid string."]}),
        ({"headline": {"a": "dict"}}, {"headline": ["Not a valid string."]}),
        ({"headline": None}, {"headline": ["This field may not be null."]}),
        ({"headline": ""}, {"headline": ["This field may not be blank."]}),
        ({"headline": "x" * 301}, {"headline": ["Ensure this field has no more than 300 characters."]}),
        ({"headline": "a\x00b"}, {"headline": ["Null characters are not allowed."]}),
        ({"body": "<p>a\x00b</p>"}, {"body": ["Null characters are not allowed."]}),
        ({"tags": "trams"}, {"tags": ['Expected a list of items but got type "str".']}),
        ({"tags": [["nested"]]}, {"tags": {"0": ["Not a valid string."]}}),
        ({"tags": ["!!!"]}, {"tags": ["“!!!” is not a usable tag name."]}),
        ({"bylines": {"author": 1}}, {"bylines": ['Expected a list of items but got type "dict".']}),
        ({"bylines": [{}]}, {"bylines": {"0": {"non_field_errors": ["Give an author id or a free-text credit."]}}}),
        (
            {"bylines": ["x"]},
            {"bylines": {"0": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}}},
        ),
        ({"status": "bogus"}, {"status": ['"bogus" is not a valid choice.']}),
        ({"published_at": "yesterday"}, None),
        ({"language": "english!"}, {"language": ["This value does not match the required pattern."]}),
        (
            {"dateline": {"country": "Portugal"}},
            {"dateline": {"country": ["Ensure this field has no more than 2 characters."]}},
        ),
        (
            {"dateline": {"country": "1x"}},
            {"dateline": {"country": ["Use a two-letter ISO 3166 country code, e.g. “GB”."]}},
        ),
        ({"section": "no-such-section"}, {"section": ["Object with slug=no-such-section does not exist."]}),
        ({"comments_mode": "sometimes"}, {"comments_mode": ['"sometimes" is not a valid choice.']}),
        ({"canonical_url": "javascript:alert(1)"}, {"canonical_url": ["Enter a valid URL."]}),
        ({"foo": 1}, {"foo": ["Unknown field."]}),
        ({"foo": 1, "created_by": 2}, {"created_by": ["Unknown field."], "foo": ["Unknown field."]}),
        ({"slug": "has spaces"}, None),
    ],
)
def test_wrong_types_and_unknown_fields_answer_400_and_write_nothing(clients, extra, expected):
    before = database_state()
    response = clients("editor").post(API, minimal_article(**extra), format="json")
    assert response.status_code == 400, response.content
    if expected is not None:
        assert response.json() == expected
    else:
        assert set(response.json()) == set(extra)
    assert database_state() == before


def test_missing_author_or_image_ids_answer_400_and_write_nothing(clients):
    author = factories.AuthorFactory()
    image = factories.ImageFactory()
    missing_author, missing_image = author.pk + 1000, image.pk + 1000
    before = database_state()
    response = clients("editor").post(
        API,
        minimal_article(
            bylines=[{"author": author.pk}, {"author": missing_author}],
            images=[{"image": image.pk}, {"image": missing_image}],
        ),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "bylines": {"1": {"author": [f'Invalid pk "{missing_author}" - object does not exist.']}},
        "images": {"1": {"image": [f'Invalid pk "{missing_image}" - object does not exist.']}},
    }
    assert database_state() == before


def test_two_lead_images_answer_400_and_write_nothing(clients, by_status):
    first, second = factories.ImageFactory(), factories.ImageFactory()
    images = [{"image": first.pk, "role": "lead"}, {"image": second.pk, "role": "lead"}]
    before = database_state()
    created = clients("editor").post(API, minimal_article(images=images), format="json")
    article = by_status["draft"]
    patched = clients("editor").patch(detail(article), {"images": images}, format="json", HTTP_IF_MATCH=etag(article))
    for response in (created, patched):
        assert response.status_code == 400
        assert response.json() == {"images": ["An article can have only one lead photo."]}
    assert database_state() == before


def test_a_refused_write_creates_no_tags(clients, by_status):
    first, second = factories.ImageFactory(), factories.ImageFactory()
    before = database_state()
    refused = clients("editor").post(
        API,
        minimal_article(
            tags=["Brand new topic"], images=[{"image": first.pk, "role": "lead"}, {"image": second.pk, "role": "lead"}]
        ),
        format="json",
    )
    assert refused.status_code == 400
    article = by_status["draft"]
    stale = f'"article-{article.pk}-v{article.version - 1}"'
    conflict = clients("editor").patch(
        detail(article), {"tags": ["Another new topic"]}, format="json", HTTP_IF_MATCH=stale
    )
    assert conflict.status_code in (400, 412)
    assert database_state() == before


def test_oversized_body_answers_400_and_writes_nothing(clients, settings, by_status):
    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_BODY_BYTES": 1000}
    big = "<p>" + "x" * 1000 + "</p>"
    before = database_state()
    created = clients("editor").post(API, minimal_article(body=big), format="json")
    article = by_status["draft"]
    patched = clients("editor").patch(detail(article), {"body": big}, format="json", HTTP_IF_MATCH=etag(article))
    for response in (created, patched):
        assert response.status_code == 400
        assert response.json() == {"body": ["The body is too large (1007 bytes; the limit is 1000)."]}
    assert database_state() == before


def test_duplicate_byline_answers_400_and_writes_nothing(clients):
    author = factories.AuthorFactory(name="Ana Ribeiro")
    before = database_state()
    response = clients("editor").post(
        API, minimal_article(bylines=[{"author": author.pk}, {"author": author.pk}]), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"bylines": ["“Ana Ribeiro” is credited twice with the same role."]}
    assert database_state() == before


@pytest.mark.parametrize(
    ("time_zone", "when"),
    [("America/New_York", "0001-01-01T00:00:00Z"), ("Asia/Tokyo", "9999-12-31T23:00:00Z")],
)
def test_extreme_publication_times_answer_400_not_500(clients, site, time_zone, when):
    SiteSettings.objects.filter(site=site).update(time_zone=time_zone)
    before = database_state()
    response = clients("editor").post(API, minimal_article(published_at=when), format="json")
    assert response.status_code == 400
    assert database_state() == before


def test_unicode_round_trips(clients):
    headline = "Café ☕ 東京 \u202eevil\u202c e\u0301"
    response = clients("editor").post(API, minimal_article(headline=headline), format="json")
    assert response.status_code == 201, response.content
    assert clients("editor").get(response["Location"]).json()["headline"] == headline


# --- The exact JSON of one article ----------------------------------------------------------


def test_published_article_exact_json(clients, site):
    partner = Site.objects.create(domain="partner.example", name="Partner")
    SiteSettings.objects.create(site=partner)
    site.settings.publisher_name = "The Harbour Courier"
    site.settings.save()
    ana = factories.AuthorFactory(
        name="Ana Ribeiro", slug="ana-ribeiro", url="https://example.org/ana", affiliation="Courier"
    )
    photo = factories.image_with_file(
        alt_text="Trams at the depot",
        caption="Trams wait at the depot.",
        creator="Anatolii Stepanov",
        agency="AFP",
        distributor="Getty Images",
        copyright_notice="© AFP 2026",
        upload={"width": 80, "height": 60},
    )
    archived = factories.ImageFactory(
        alt_text="The old harbour",
        caption="The harbour in 1920.",
        creator="",
        agency="",
        distributor="",
        credit_text="City Archive",
    )
    world = factories.SectionFactory(name="World", slug="world")
    trams = factories.TagFactory(name="Trams", slug="trams")
    ports = factories.TagFactory(name="Ports", slug="ports")
    article = services.article_create(
        site=site,
        headline="Council backs tram plan",
        slug="council-backs-tram-plan",
        dek="The vote ends a decade of debate.",
        body="<p>The council voted 31 to 4 on Tuesday.</p>",
        dateline_place="Lisbon",
        dateline_country="PT",
        dateline_source="Reuters",
        section=world,
        tags=[trams, ports],
        sites=[partner],
        bylines=[
            services.BylineSpec(author=ana),
            services.BylineSpec(role="contributor", credit_text="Reuters staff"),
        ],
        placements=[
            services.PlacementSpec(image=photo, role="lead"),
            services.PlacementSpec(image=archived, role="inline", caption="The harbour before the trams."),
        ],
    )
    services.article_publish(article=article)
    correction = services.correction_add(article=article, text="An earlier version misstated the vote.")
    article.refresh_from_db()

    response = clients("anonymous").get(detail(article))

    assert response.status_code == 200
    page = f"http://testserver/{article.pub_date:%Y/%m/%d}/council-backs-tram-plan/"
    lead = {
        "image": photo.pk,
        "role": "lead",
        "position": 0,
        "caption": "Trams wait at the depot.",
        "alt_text": "Trams at the depot",
        "credit": "Anatolii Stepanov/AFP via Getty Images",
        "credit_chain": {
            "creator": "Anatolii Stepanov",
            "agency": "AFP",
            "distributor": "Getty Images",
            "copyright_notice": "© AFP 2026",
        },
        "width": 80,
        "height": 60,
        "url": f"http://testserver{photo.file.url}",
    }
    assert photo.file.url.startswith("/media/images/") and photo.file.url.endswith(".jpg")
    data = json.loads(response.content)
    # Renditions belong to the image pipeline (tests/test_renditions.py): here only their shape.
    renditions = data["lead_image"].pop("renditions")
    assert data["images"][0].pop("renditions") == renditions
    for rendition in renditions:
        assert set(rendition) == {"url", "width", "height", "format"}
        assert rendition["width"] <= 80 and rendition["url"].startswith("http://testserver/")
    assert data == {
        "id": article.pk,
        "url": f"http://testserver{API}{article.pk}/",
        "page_url": page,
        "canonical_url": page,
        "site": {"id": 1, "domain": "localhost", "name": "Newsroom"},
        "sites": [partner.pk],
        "headline": "Council backs tram plan",
        "slug": "council-backs-tram-plan",
        "dek": "The vote ends a decade of debate.",
        "dateline": {"place": "Lisbon", "country": "PT", "source": "Reuters", "text": "LISBON (Reuters) —"},
        "body": "<p>The council voted 31 to 4 on Tuesday.</p>",
        "language": "en",
        "section": {"name": "World", "slug": "world"},
        "tags": [{"name": "Ports", "slug": "ports"}, {"name": "Trams", "slug": "trams"}],
        "status": "published",
        "published_at": iso(article.published_at),
        "updated_at": iso(correction.created_at),
        "modified_at": iso(article.modified_at),
        "embargo_until": None,
        "word_count": 8,
        "read_time_minutes": 1,
        "read_time": "1 min read",
        "bylines": [
            {
                "position": 0,
                "role": "author",
                "name": "Ana Ribeiro",
                "author": {
                    "id": ana.pk,
                    "name": "Ana Ribeiro",
                    "slug": "ana-ribeiro",
                    "kind": "person",
                    "url": "https://example.org/ana",
                    "affiliation": "Courier",
                },
                "credit_text": "",
            },
            {
                "position": 1,
                "role": "contributor",
                "name": "Reuters staff",
                "author": None,
                "credit_text": "Reuters staff",
            },
        ],
        "lead_image": lead,
        "images": [
            lead,
            {
                "image": archived.pk,
                "role": "inline",
                "position": 1,
                "caption": "The harbour before the trams.",
                "alt_text": "The old harbour",
                "credit": "City Archive",
                "credit_chain": {"creator": "", "agency": "", "distributor": "", "copyright_notice": ""},
                "width": None,
                "height": None,
                "url": None,
                "renditions": [],
            },
        ],
        "corrections": [
            {
                "kind": "correction",
                "text": "An earlier version misstated the vote.",
                "created_at": iso(correction.created_at),
            }
        ],
        "comments": {"state": "open", "reason": "open", "message": ""},
        "comment_count": 0,
        "comments_mode": "inherit",
        "source_publisher": "",
        "withdrawn_reason": "",
        "version": article.version,
    }
    assert response["ETag"] == f'"article-{article.pk}-v{article.version}"'
    # The list shows the same representation.
    assert clients("anonymous").get(API).json()["results"] == [json.loads(response.content)]


# --- Query counts ------------------------------------------------------------------------------


def rich_articles(site, count: int) -> list[Article]:
    """``count`` published articles, each with 2 bylines, 2 images, 2 tags, 1 correction and
    syndicated to a second site: everything the list shows."""
    partner, _created = Site.objects.get_or_create(domain="partner.example", defaults={"name": "Partner"})
    SiteSettings.objects.get_or_create(site=partner)
    tags = [factories.TagFactory(name="Trams", slug="trams"), factories.TagFactory(name="Ports", slug="ports")]
    articles = []
    for n in range(count):
        article = factories.draft_article(
            site=site,
            slug=f"rich-{n}",
            authors=[factories.AuthorFactory(), factories.AuthorFactory()],
            images=[factories.ImageFactory(), factories.ImageFactory()],
            tags=tags,
            sites=[partner],
        )
        services.article_publish(article=article)
        services.correction_add(article=article, text=f"Correction {n}.")
        articles.append(article)
    return articles


# Anonymous list and detail, after a warm-up request (the per-process Site cache):
#   1. articles JOIN site, site settings, section (one page, LIMIT page_size + 1)
#   2. bylines JOIN authors (prefetch, ordered by position)
#   3. image placements JOIN images (prefetch, ordered by position)
#   4. tags (prefetch through article_tags)
#   5. corrections (prefetch)
#   6. syndication sites (prefetch through article_sites)
ANONYMOUS_QUERIES = 6


@pytest.mark.parametrize("count", [3, 20])
def test_anonymous_list_runs_a_fixed_number_of_queries(clients, site, count, django_assert_num_queries):
    rich_articles(site, count)
    client = clients("anonymous")
    client.get(API)  # warm-up: fills the Site cache of CurrentSiteMiddleware
    cache.clear()  # the pins are the cost of fragment-cache misses; hits: tests/test_query_counts.py
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(API)
    assert len(response.json()["results"]) == count
    first = response.json()["results"][0]
    assert (len(first["bylines"]), len(first["images"]), len(first["tags"]), len(first["corrections"])) == (2, 2, 2, 1)
    assert len(first["sites"]) == 1


def test_anonymous_detail_runs_a_fixed_number_of_queries(clients, site, django_assert_num_queries):
    article = rich_articles(site, 2)[0]
    client = clients("anonymous")
    client.get(detail(article))
    cache.clear()  # the pins are the cost of fragment-cache misses; hits: tests/test_query_counts.py
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(detail(article))
    assert response.status_code == 200


# An editor with a real token adds, before the six above:
#   1. the token JOIN its user (TokenAuthentication)
#   2. the user's own permissions and 3. its groups' permissions (has_perm, cached per request)
EDITOR_QUERIES = 3 + ANONYMOUS_QUERIES


@pytest.mark.parametrize("count", [3, 20])
def test_editor_list_runs_a_fixed_number_of_queries(site, editor, count, django_assert_num_queries):
    rich_articles(site, count)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    client.get(API)
    cache.clear()  # the pins are the cost of fragment-cache misses; hits: tests/test_query_counts.py
    with django_assert_num_queries(EDITOR_QUERIES):
        response = client.get(API)
    assert len(response.json()["results"]) == count


def test_filters_add_no_queries(clients, site, django_assert_num_queries):
    articles = rich_articles(site, 3)
    author = articles[0].bylines.first().author
    client = clients("anonymous")
    client.get(API)
    cache.clear()  # the pins are the cost of fragment-cache misses; hits: tests/test_query_counts.py
    params = {
        "site": "1",
        "author": author.slug,
        "tag": "trams",
        "q": "council",
        "published_after": "2000-01-01T00:00:00Z",
    }
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(API, params)
    assert [r["id"] for r in response.json()["results"]] == [articles[0].pk]


@pytest.mark.parametrize(
    "query",
    [
        "published_after=9921-10-20T16:24:55%2B18:56",
        "updated_since=0074-11-26T04:04:32Z",
        "published_before=2020-01-01T00:00:00-23:59",
    ],
)
def test_out_of_range_or_odd_offset_filter_times_never_500(clients, query):
    response = clients("editor").get(f"{API}?{query}")
    assert response.status_code in (200, 400)
    if "23:59" in query:
        assert response.status_code == 200  # an odd but valid offset is turned to UTC


def test_publication_time_with_a_large_offset_is_stored_in_utc(clients):
    response = clients("editor").post(API, minimal_article(published_at="2025-03-14T23:30:00+18:30"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["published_at"] == "2025-03-14T05:00:00Z"


def test_patch_with_bylines_fills_their_defaults_and_refuses_an_empty_one(clients, site, editor):
    """Found by schemathesis: under PATCH, DRF validated byline items partially and their
    defaults were missing (KeyError, a 500)."""
    article = factories.published_article(site=site)
    author = factories.AuthorFactory(name="Ines Duarte")
    client = clients("editor")
    response = client.patch(
        detail(article), {"bylines": [{"author": author.pk}]}, format="json", HTTP_IF_MATCH=etag(article)
    )
    assert response.status_code == 200, response.content
    assert [(b["name"], b["role"]) for b in response.json()["bylines"]] == [("Ines Duarte", "author")]

    before = list(Byline.objects.filter(article=article).values_list("author_id", "role", "credit_text"))
    response = client.patch(
        detail(article), {"bylines": [{"role": "author"}]}, format="json", HTTP_IF_MATCH=etag(article)
    )
    assert response.status_code == 400
    assert "Give an author id or a free-text credit." in json.dumps(response.json())
    assert list(Byline.objects.filter(article=article).values_list("author_id", "role", "credit_text")) == before
