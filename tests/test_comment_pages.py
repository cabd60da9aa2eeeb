"""Commenting from the article page: the form, its protections, and what readers see."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.forms import SALT, form_token
from comments.models import Comment
from tests import factories

NOTICE = "We are temporarily suspending article commenting."


@pytest.fixture
def article(site):
    return factories.published_article(site=site, published_at=timezone.now() - timedelta(days=1))


def old_token(article, seconds_ago=60):
    return signing.dumps({"a": article.pk, "t": int(time.time()) - seconds_ago}, salt=SALT, compress=True)


def send(client, article, *, origin="http://testserver", **fields):
    data = {"display_name": "Ana", "body": "Bring back the trams.", "website": "", "token": old_token(article)}
    data.update(fields)
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(f"/comments/{article.pk}/post/", data, **headers)


def test_open_article_page_shows_the_form_with_honeypot_and_token(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'action="/comments/{article.pk}/post/#comments"' in page
    assert 'name="website"' in page and 'class="hp"' in page
    assert 'name="token"' in page
    assert "csrfmiddlewaretoken" not in page  # the page stays cacheable


def test_posting_says_awaiting_moderation_and_stores_a_pending_comment(client, article):
    response = send(client, article)
    assert response.status_code == 201
    assert "Your comment is awaiting moderation." in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert Comment.objects.get().status == "pending"


def test_approved_comments_appear_on_the_page_after_moderation(client, article):
    send(client, article, body="First <script>alert(1)</script> comment")
    assert "First" not in client.get(article.get_absolute_url()).content.decode()
    services.comments_moderate(comments=Comment.objects.all(), status="approved")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<p>First  comment</p>" in page
    assert "<script>alert(1)" not in page
    assert "1 comment</p>" in page
    assert '"commentCount":1' in page


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"comments_enabled": False, "comments_notice": NOTICE}, NOTICE),
        ({"comments_suspended_until": timezone.now() + timedelta(hours=2), "comments_notice": NOTICE}, NOTICE),
    ],
)
def test_closed_site_shows_the_notice_no_form_and_refuses_posts(client, site, article, setup, message):
    for name, value in setup.items():
        setattr(site.settings, name, value)
    site.settings.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert message in page and 'class="comment-form"' not in page
    response = send(client, article)
    assert response.status_code == 403
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_hidden_article_shows_no_comment_area(client, article):
    Article.objects.filter(pk=article.pk).update(comments_mode="hidden")
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'id="comments"' not in page


@pytest.mark.parametrize(
    ("fields", "origin"),
    [
        ({"website": "http://spam.example"}, "http://testserver"),  # honeypot filled
        ({"token": "tampered"}, "http://testserver"),  # bad signature
        ({}, "https://evil.example"),  # posted from another site
        ({}, None),  # no Origin or Referer
    ],
)
def test_forged_or_robotic_posts_are_refused_and_store_nothing(client, article, fields, origin):
    response = send(client, article, origin=origin, **fields)
    assert response.status_code in (400, 403)
    assert Comment.objects.count() == 0


def test_expired_and_swapped_tokens_are_refused(client, site, article):
    other = factories.published_article(site=site)
    assert send(client, article, token=old_token(article, seconds_ago=7 * 3600)).status_code == 400
    assert "This form has expired" in send(client, article, token=old_token(article, 7 * 3600)).content.decode()
    assert send(client, article, token=old_token(other)).status_code == 400
    assert Comment.objects.count() == 0


def test_a_form_sent_back_at_once_is_held_for_moderation(client, site, article):
    site.settings.comments_premoderated = False
    site.settings.save()
    send(client, article, token=form_token(article.pk))  # 0 seconds to fill in
    assert Comment.objects.get().status == "pending"
    send(client, article, body="A considered reply.")  # a minute to fill in
    assert Comment.objects.get(body="A considered reply.").status == "approved"


def test_bad_fields_show_errors_on_the_article_page(client, article):
    response = send(client, article, body="")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Comment.objects.count() == 0


def test_comments_on_a_draft_are_404(client, site):
    draft = factories.draft_article(site=site)
    assert send(client, draft).status_code == 404
    assert Comment.objects.count() == 0


def test_comment_pages_list_every_approved_comment(client, article):
    Comment.objects.bulk_create(
        Comment(article=article, site=article.site, display_name=f"R{n}", body=f"b{n}", body_html=f"<p>b{n}</p>",
                body_hash=str(n), client_hash="c", status="approved")
        for n in range(60)
    )  # fmt: skip
    page = client.get(article.get_absolute_url()).content.decode()
    assert "60 comments" in page and "More comments" in page
    second = client.get(f"/comments/{article.pk}/?page=2").content.decode()
    assert "R59" in second and "R0<" not in second


@pytest.mark.parametrize(
    ("site_fields", "article_fields", "message"),
    [
        ({}, {"comments_mode": "closed"}, "Comments are closed on this article."),
        (
            {"comments_close_after_days": 1},
            {"published_at": timezone.now() - timedelta(days=3)},
            "Comments close 1 days",
        ),
    ],
)
def test_article_closed_and_closed_after_days_show_comments_but_no_form(
    client, site, article, site_fields, article_fields, message
):
    Comment.objects.create(
        article=article, site=site, display_name="Early", body="x", body_html="<p>Early bird</p>",
        body_hash="h", client_hash="c", status="approved",
    )  # fmt: skip
    for name, value in site_fields.items():
        setattr(site.settings, name, value)
    site.settings.save()
    Article.objects.filter(pk=article.pk).update(**article_fields)
    page = client.get(article.get_absolute_url()).content.decode()
    assert message in page
    assert "<p>Early bird</p>" in page  # existing comments stay visible
    assert 'class="comment-form"' not in page
    response = send(client, article)
    assert response.status_code == 403 and message in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_suspension_that_has_ended_shows_the_form_again(client, site, article):
    site.settings.comments_suspended_until = timezone.now() - timedelta(minutes=5)
    site.settings.comments_notice = NOTICE
    site.settings.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert NOTICE not in page and 'class="comment-form"' in page
    assert send(client, article).status_code == 201


def test_rate_limit_over_html_answers_429_with_retry_after(client, article, settings):
    settings.COMMENTS = {**settings.COMMENTS, "PER_CLIENT": (1, 600)}
    assert send(client, article, body="one").status_code == 201
    response = send(client, article, body="two")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many comments" in response.content.decode()
    assert Comment.objects.count() == 1


def test_duplicate_and_too_long_over_html(client, article):
    assert send(client, article, body="Same words").status_code == 201
    response = send(client, article, body="same   WORDS")
    assert response.status_code == 400 and "You have already posted this comment." in response.content.decode()
    assert send(client, article, body="x" * 3001).status_code == 400
    assert Comment.objects.count() == 1
