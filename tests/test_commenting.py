"""The commenting policy: every combination of site settings and article override."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.commenting import CLOSED, HIDDEN, OPEN, comments_state
from articles.models import Article
from tests import factories

NOTICE = "We are temporarily suspending article commenting."


@pytest.fixture
def article(site):
    return factories.published_article(site=site, published_at=timezone.now() - timedelta(days=3))


def configure(site, **fields):
    site.settings.__dict__.update(fields)
    site.settings.save()


def state_of(article, **kwargs):
    return comments_state(article, **kwargs)


def test_open_by_default(article):
    state = state_of(article)
    assert (state.mode, state.reason, state.message) == (OPEN, "open", "")
    assert state.is_open and state.is_visible


def test_site_switched_off_shows_the_notice(article, site):
    configure(site, comments_enabled=False, comments_notice=NOTICE)
    state = state_of(article)
    assert (state.mode, state.reason, state.message) == (CLOSED, "site_disabled", NOTICE)
    assert state.is_visible and not state.is_open


def test_site_switched_off_without_notice_gives_a_default_message(article, site):
    configure(site, comments_enabled=False, comments_notice="")
    assert state_of(article).message == "Commenting is switched off on this site."


def test_suspended_until_future_is_closed_with_notice(article, site):
    configure(site, comments_suspended_until=timezone.now() + timedelta(hours=6), comments_notice=NOTICE)
    state = state_of(article)
    assert (state.mode, state.reason, state.message) == (CLOSED, "site_suspended", NOTICE)


def test_suspended_until_future_without_notice_names_the_time(article, site):
    until = timezone.now() + timedelta(hours=6)
    configure(site, comments_suspended_until=until, comments_notice="")
    assert state_of(article).message.startswith("Commenting is suspended until ")


def test_suspension_in_the_past_reopens_by_itself(article, site):
    configure(site, comments_suspended_until=timezone.now() - timedelta(minutes=1), comments_notice=NOTICE)
    assert state_of(article).mode == OPEN


def test_suspension_ends_at_its_moment_with_no_job(article, site):
    until = timezone.now() + timedelta(hours=1)
    configure(site, comments_suspended_until=until, comments_notice=NOTICE)
    assert state_of(article, now=until - timedelta(seconds=1)).mode == CLOSED
    assert state_of(article, now=until + timedelta(seconds=1)).mode == OPEN


def test_article_closed_keeps_comments_visible(article):
    article.comments_mode = Article.Comments.CLOSED
    state = state_of(article)
    assert (state.mode, state.reason) == (CLOSED, "article_closed")
    assert state.is_visible
    assert state.message == "Comments are closed on this article."


def test_article_hidden_shows_nothing(article, site):
    configure(site, comments_enabled=False, comments_notice=NOTICE)
    article.comments_mode = Article.Comments.HIDDEN
    state = state_of(article)
    assert (state.mode, state.reason, state.message) == (HIDDEN, "article_hidden", "")
    assert not state.is_visible


def test_close_after_days_passed(article, site):
    configure(site, comments_close_after_days=2)
    state = state_of(article)
    assert (state.mode, state.reason) == (CLOSED, "closed_after_days")
    assert state.message == "Comments close 2 days after publication."


def test_close_after_days_not_yet_passed(article, site):
    configure(site, comments_close_after_days=7)
    assert state_of(article).mode == OPEN


def test_article_open_overrides_close_after_days(article, site):
    configure(site, comments_close_after_days=2)
    article.comments_mode = Article.Comments.OPEN
    assert (state_of(article).mode, state_of(article).reason) == (OPEN, "article_open")


def test_site_switch_off_wins_over_article_open(article, site):
    configure(site, comments_enabled=False, comments_notice=NOTICE)
    article.comments_mode = Article.Comments.OPEN
    assert (state_of(article).mode, state_of(article).message) == (CLOSED, NOTICE)


def test_suspension_wins_over_article_open(article, site):
    configure(site, comments_suspended_until=timezone.now() + timedelta(days=1), comments_notice=NOTICE)
    article.comments_mode = Article.Comments.OPEN
    assert state_of(article).reason == "site_suspended"


@pytest.mark.parametrize("kind", ["draft", "scheduled", "embargoed", "withdrawn"])
def test_articles_the_public_cannot_see_take_no_comments(site, kind):
    article = factories.draft_article(site=site)
    if kind == "scheduled":
        factories.services.article_publish(article=article, published_at=timezone.now() + timedelta(days=1))
    elif kind == "embargoed":
        article.embargo_until = timezone.now() + timedelta(hours=1)
        factories.services.article_publish(article=article)
    elif kind == "withdrawn":
        factories.services.article_publish(article=article)
        factories.services.article_withdraw(article=article, reason="Legal")
    state = state_of(article)
    assert (state.mode, state.reason) == (CLOSED, "not_published")


def test_missing_site_settings_means_open(article, site):
    site.settings.delete()
    article.site.refresh_from_db()
    article = Article.objects.select_related("site").get(pk=article.pk)
    assert state_of(article).mode == OPEN
