"""Reader comments: posting under every commenting state, limits, moderation, safety."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article
from comments import services
from comments.models import Comment
from comments.text import render_comment
from tests import factories

NOTICE = "We are temporarily suspending article commenting."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def article(site):
    return factories.published_article(site=site, published_at=timezone.now() - timedelta(days=3))


def post(api, article, headers=None, **data):
    payload = {"display_name": "Ana", "body": "The tram was always full.", **data}
    return api.post(f"/api/v1/articles/{article.pk}/comments/", payload, format="json", **(headers or {}))


def configure(site, **fields):
    for name, value in fields.items():
        setattr(site.settings, name, value)
    site.settings.save()


CLOSED_STATES = {
    "site_off": (dict(comments_enabled=False, comments_notice=NOTICE), {}, NOTICE),
    "suspended_future": (
        dict(comments_suspended_until=timezone.now() + timedelta(days=1), comments_notice=NOTICE),
        {},
        NOTICE,
    ),
    "article_closed": ({}, {"comments_mode": Article.Comments.CLOSED}, "Comments are closed on this article."),
    "close_after_days": (dict(comments_close_after_days=1), {}, "Comments close 1 days after publication."),
}


@pytest.mark.parametrize("state", CLOSED_STATES)
def test_closed_states_refuse_with_the_notice_and_store_nothing(api, site, article, state):
    site_fields, article_fields, message = CLOSED_STATES[state]
    configure(site, **site_fields)
    Article.objects.filter(pk=article.pk).update(**article_fields)
    response = post(api, article)
    assert response.status_code == 403
    assert response.json()["detail"] == message
    assert Comment.objects.count() == 0


def test_hidden_article_refuses_comments(api, article):
    Article.objects.filter(pk=article.pk).update(comments_mode=Article.Comments.HIDDEN)
    response = post(api, article)
    assert (response.status_code, response.json()["reason"]) == (403, "article_hidden")
    assert Comment.objects.count() == 0


def test_suspension_in_the_past_accepts_comments(api, site, article):
    configure(site, comments_suspended_until=timezone.now() - timedelta(minutes=1), comments_notice=NOTICE)
    response = post(api, article)
    assert response.status_code == 201
    assert response.json() == {
        "id": Comment.objects.get().pk,
        "status": "pending",
        "message": "Thank you: your comment is awaiting moderation.",
    }


def test_open_article_takes_a_pending_comment_by_default(api, article):
    response = post(api, article, email="ana@example.org")
    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.status, comment.display_name, comment.site_id) == ("pending", "Ana", article.site_id)
    assert "ana@example.org" not in comment.email_hash and len(comment.email_hash) == 64
    assert api.get(f"/api/v1/articles/{article.pk}/comments/").json() == {"next": None, "results": []}


def test_post_moderated_site_publishes_at_once(api, site, article):
    configure(site, comments_premoderated=False)
    response = post(api, article)
    assert response.json()["status"] == "approved"
    listed = api.get(f"/api/v1/articles/{article.pk}/comments/").json()["results"]
    assert [c["body_html"] for c in listed] == ["<p>The tram was always full.</p>"]


def test_many_links_are_held_even_when_post_moderated(api, site, article):
    configure(site, comments_premoderated=False)
    body = "see https://a.example and https://b.example and https://c.example"
    assert post(api, article, body=body).json()["status"] == "pending"


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn", "missing"])
def test_comments_on_articles_the_public_cannot_see_are_404(api, site, kind):
    article = factories.draft_article(site=site)
    if kind == "scheduled":
        factories.services.article_publish(article=article, published_at=timezone.now() + timedelta(days=1))
    elif kind == "withdrawn":
        factories.services.article_publish(article=article)
        factories.services.article_withdraw(article=article)
    elif kind == "missing":
        article.pk = 999999
    assert post(api, article).status_code == 404
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"body": ""}, "body", "This field may not be blank."),
        ({"body": "   "}, "body", "Write something before posting."),
        ({"body": "x" * 3001}, "body", "Comments are limited to 3000 characters (this one has 3001)."),
        ({"display_name": " "}, "display_name", "This field may not be blank."),
        ({"display_name": "n" * 81}, "display_name", "Names are limited to 80 characters."),
        ({"website": "http://spam.example"}, "website", "Unknown field."),
    ],
)
def test_bad_comments_are_refused_with_a_message(api, article, data, field, message):
    response = post(api, article, **data)
    assert response.status_code == 400
    assert message in response.json()[field]
    assert Comment.objects.count() == 0


def test_duplicate_text_is_refused(api, article):
    assert post(api, article).status_code == 201
    response = post(api, article, body="  the TRAM was always   full. ")
    assert (response.status_code, response.json()) == (400, {"body": ["You have already posted this comment."]})
    assert Comment.objects.count() == 1


def test_rate_limit_per_client_answers_429_with_retry_after(api, article, settings):
    settings.COMMENTS = {**settings.COMMENTS, "PER_CLIENT": (3, 600)}
    statuses = [post(api, article, body=f"Comment number {n}").status_code for n in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    response = post(api, article, body="one more")
    assert 0 < int(response["Retry-After"]) <= 600
    assert Comment.objects.count() == 3


def test_rotating_forwarded_for_buys_no_extra_comments(api, article, settings):
    settings.COMMENTS = {**settings.COMMENTS, "PER_CLIENT": (2, 600)}
    statuses = [
        post(api, article, body=f"Comment {n}", headers={"HTTP_X_FORWARDED_FOR": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [201, 201, 429, 429]


def test_rate_limit_per_article(api, article, settings):
    settings.COMMENTS = {**settings.COMMENTS, "PER_ARTICLE": (2, 60)}
    statuses = [
        post(api, article, body=f"Comment {n}", headers={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code for n in range(3)
    ]
    assert statuses == [201, 201, 429]


HOSTILE = [
    ('<script>alert(1)</script>hello', "<p>hello</p>"),
    ('<img src=x onerror=alert(1)>', "<p></p>"),
    ('<a href="javascript:alert(1)">x</a>', '<p><a rel="nofollow ugc noopener">x</a></p>'),
    ('<a href="https://example.org" onclick="x()">ok</a>',
     '<p><a href="https://example.org" rel="nofollow ugc noopener">ok</a></p>'),
    ('<b style="color:red">bold</b>', "<p><b>bold</b></p>"),
    ("line one\nline two\n\nnext paragraph", "<p>line one<br>line two</p><p>next paragraph</p>"),
    ("a < b & c", "<p>a &lt; b &amp; c</p>"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "html"), HOSTILE)
def test_hostile_comment_bodies_render_inert(body, html):
    assert render_comment(body) == html


def test_comment_listing_has_fixed_queries(api, site, article, django_assert_num_queries):
    configure(site, comments_premoderated=False)
    for n in range(30):
        Comment.objects.create(
            article=article, site=site, display_name=f"R{n}", body=f"b{n}", body_html=f"<p>b{n}</p>",
            body_hash=f"{n}", client_hash="c", status="approved",
        )  # fmt: skip
    api.get(f"/api/v1/articles/{article.pk}/comments/")  # warm the per-process site cache
    # 1 the published article with site and settings; 2 a page of approved comments.
    with django_assert_num_queries(2):
        response = api.get(f"/api/v1/articles/{article.pk}/comments/?page_size=20")
    assert len(response.json()["results"]) == 20
    assert response.json()["results"][0]["display_name"] == "R0"  # oldest first


# --- moderation --------------------------------------------------------------------------


@pytest.fixture
def pending(api, article):
    post(api, article)
    return Comment.objects.get()


def test_anonymous_and_contributors_cannot_moderate(api, pending, contributor):
    assert api.get("/api/v1/comments/").status_code in (401, 403)
    assert api.patch(f"/api/v1/comments/{pending.pk}/", {"status": "approved"}, format="json").status_code in (401, 403)
    api.force_authenticate(contributor)
    assert api.get("/api/v1/comments/").status_code == 403
    assert api.patch(f"/api/v1/comments/{pending.pk}/", {"status": "approved"}, format="json").status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_editors_moderate_over_the_api(api, pending, editor, article):
    api.force_authenticate(editor)
    listed = api.get("/api/v1/comments/?status=pending").json()["results"]
    assert [c["id"] for c in listed] == [pending.pk]
    response = api.patch(f"/api/v1/comments/{pending.pk}/", {"status": "approved"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "approved")
    public = APIClient().get(f"/api/v1/articles/{article.pk}/comments/").json()["results"]
    assert [c["id"] for c in public] == [pending.pk]
    assert api.patch(f"/api/v1/comments/{pending.pk}/", {"status": "bogus"}, format="json").status_code == 400


def test_admin_bulk_moderation(admin_user_client, pending, article):
    response = admin_user_client.post(
        "/admin/comments/comment/", {"action": "mark_spam", "_selected_action": [pending.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 comment(s) marked as spam." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "spam"


def test_admin_comment_list_renders_escaped(admin_user_client, api, article):
    post(api, article, display_name="<img src=x onerror=alert(1)>", body="<script>alert(1)</script>")
    page = admin_user_client.get("/admin/comments/comment/").content.decode()
    assert "<img src=x onerror" not in page and "<script>alert(1)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_service_refuses_when_closed_and_stores_nothing(site, article):
    configure(site, comments_enabled=False, comments_notice=NOTICE)
    with pytest.raises(services.CommentsClosed) as closed:
        services.comment_post(article=article, display_name="A", body="b", client_address="192.0.2.1")
    assert (closed.value.message, closed.value.reason) == (NOTICE, "site_disabled")
    assert Comment.objects.count() == 0
