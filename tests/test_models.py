"""Models: the visibility rule, derived values, and the invariants the database enforces."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, ArticleImage, Byline, Correction, Image, SiteSettings
from tests import factories

NOW = timezone.now()


def make(site, state):
    """An article in one of the visibility states of the matrix."""
    article = factories.draft_article(site=site, headline=f"State {state}", slug=state)
    if state == "published":
        factories.services.article_publish(article=article, published_at=NOW - timedelta(hours=1))
    elif state == "scheduled":
        factories.services.article_publish(article=article, published_at=NOW + timedelta(hours=1))
    elif state == "scheduled_time_passed":
        factories.services.article_publish(article=article, published_at=NOW + timedelta(hours=1))
        Article.objects.filter(pk=article.pk).update(published_at=NOW - timedelta(minutes=1))
    elif state == "embargoed":
        article.embargo_until = NOW + timedelta(hours=2)
        factories.services.article_publish(article=article, published_at=NOW - timedelta(hours=1))
    elif state == "embargo_lifted":
        article.embargo_until = NOW - timedelta(minutes=5)
        factories.services.article_publish(article=article, published_at=NOW - timedelta(hours=1))
    elif state == "withdrawn":
        factories.services.article_publish(article=article, published_at=NOW - timedelta(hours=1))
        factories.services.article_withdraw(article=article, reason="Legal advice")
    return Article.objects.get(pk=article.pk)


VISIBILITY = {
    "draft": False,
    "scheduled": False,
    "scheduled_time_passed": True,  # becomes public at its time with no job to run
    "embargoed": False,
    "embargo_lifted": True,
    "published": True,
    "withdrawn": False,
}


@pytest.mark.parametrize(("state", "visible"), VISIBILITY.items())
def test_published_visibility_matrix(site, state, visible):
    article = make(site, state)
    assert Article.objects.published().filter(pk=article.pk).exists() is visible
    assert article.is_published() is visible  # the row-level twin agrees


def test_published_is_evaluated_at_the_given_moment(site):
    article = make(site, "scheduled")
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert Article.objects.published(now=NOW + timedelta(hours=2)).filter(pk=article.pk).exists()


def test_for_site_includes_syndicated_articles_once(site):
    other = Site.objects.create(domain="other.example", name="Other")
    third = Site.objects.create(domain="third.example", name="Third")
    home = make(site, "published")
    syndicated = factories.published_article(site=other, headline="Shared story", slug="shared")
    syndicated.sites.set([site, third])
    factories.published_article(site=other, headline="Not shared", slug="not-shared")
    assert list(Article.objects.for_site(site).order_by("pk")) == [home, syndicated]
    assert list(Article.objects.for_site(third)) == [syndicated]


def test_derived_values_on_the_article(site):
    words = " ".join(["word"] * 500)
    article = factories.draft_article(
        site=site, body=f"<p>{words}</p>", dateline_place="London", dateline_source="Reuters"
    )
    assert article.word_count == 500
    assert article.read_time_minutes == 3
    assert article.read_time_label == "3 min read"
    assert article.dateline == "LONDON (Reuters) —"
    article.dateline_source = ""
    assert article.dateline == "LONDON —"
    article.dateline_place = ""
    assert article.dateline == ""


def test_body_is_sanitised_and_counted_on_every_save(site):
    article = factories.draft_article(site=site)
    article.body = '<p onclick="x()">one two</p><script>alert(1)</script>'
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.body == "<p>one two</p>"
    assert article.word_count == 2


def test_absolute_url_uses_the_date_in_the_site_time_zone(site):
    site.settings.time_zone = "Australia/Sydney"
    site.settings.save()
    # 20:00 UTC on 1 March is 07:00 on 2 March in Sydney.
    article = factories.published_article(site=site, published_at=datetime(2025, 3, 1, 20, 0, tzinfo=UTC))
    assert article.pub_date == date(2025, 3, 2)
    assert article.get_absolute_url() == f"/2025/03/02/{article.slug}/"


def test_draft_url_is_the_permalink(site):
    article = factories.draft_article(site=site)
    assert article.get_absolute_url() == f"/a/{article.pk}/"


def test_image_may_have_no_file(db):
    image = factories.ImageFactory()
    assert not image.file
    assert image.credit_line == "Anatolii Stepanov/AFP via Getty Images"


def test_placement_overrides_fall_back_to_the_image(site):
    image = factories.ImageFactory(caption="Default caption", alt_text="Default alt")
    article = factories.draft_article(site=site, images=[image])
    placement = article.placements.get()
    assert (placement.effective_caption, placement.effective_alt_text) == ("Default caption", "Default alt")
    assert placement.effective_credit == "Anatolii Stepanov/AFP via Getty Images"
    placement.caption, placement.alt_text, placement.credit_text = "Use caption", "Use alt", "Pool photo"
    assert (placement.effective_caption, placement.effective_alt_text, placement.effective_credit) == (
        "Use caption",
        "Use alt",
        "Pool photo",
    )


# --- Invariants enforced by the database ----------------------------------------------


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_database_refuses_two_articles_at_one_url(site):
    article = make(site, "published")
    refused(
        lambda: Article.objects.create(
            site=site, headline="Copy", slug=article.slug, pub_date=article.pub_date, published_at=NOW
        )
    )


def test_same_slug_on_another_day_or_site_is_fine(site):
    article = make(site, "published")
    Article.objects.create(site=site, headline="Next day", slug=article.slug, pub_date=article.pub_date + timedelta(1))
    other = Site.objects.create(domain="other.example", name="Other")
    Article.objects.create(site=other, headline="Other site", slug=article.slug, pub_date=article.pub_date)


def test_database_refuses_released_article_without_publication_time(site):
    refused(lambda: Article.objects.create(site=site, headline="X", slug="x", status=Article.Status.PUBLISHED))


def test_database_refuses_empty_headline(site):
    refused(lambda: Article.objects.create(site=site, headline="", slug="x"))


def test_database_refuses_two_bylines_at_one_position(site):
    article = factories.draft_article(site=site)
    refused(lambda: Byline.objects.create(article=article, author=factories.AuthorFactory(), position=0))


def test_database_refuses_byline_without_author_or_text(site):
    article = factories.draft_article(site=site)
    refused(lambda: Byline.objects.create(article=article, author=None, credit_text="", position=5))


def test_database_refuses_negative_positions(site):
    article = factories.draft_article(site=site)
    image = factories.ImageFactory()
    refused(lambda: ArticleImage.objects.create(article=article, image=image, position=-1))


def test_database_refuses_two_lead_photos(site):
    article = factories.draft_article(site=site, images=[factories.ImageFactory()])
    refused(
        lambda: ArticleImage.objects.create(article=article, image=factories.ImageFactory(), role="lead", position=1)
    )
    ArticleImage.objects.create(article=article, image=factories.ImageFactory(), role="inline", position=1)


def test_database_refuses_duplicate_image_bytes(db):
    Image.objects.create(sha256="a" * 64)
    refused(lambda: Image.objects.create(sha256="a" * 64))
    Image.objects.create(sha256="")  # images without a file do not clash
    Image.objects.create(sha256="")


def test_database_refuses_empty_correction(site):
    article = factories.draft_article(site=site)
    refused(lambda: Correction.objects.create(article=article, text=""))


def test_deleting_a_used_image_is_refused(site):
    from django.db.models import ProtectedError

    image = factories.ImageFactory()
    factories.draft_article(site=site, images=[image])
    with pytest.raises(ProtectedError):
        image.delete()


def test_one_settings_row_per_site(site):
    refused(lambda: SiteSettings.objects.create(site=site))


def test_with_listing_relations_loads_a_list_in_fixed_queries(site, django_assert_num_queries):
    for n in range(5):
        factories.published_article(
            site=site,
            headline=f"Story {n}",
            slug=f"story-{n}",
            authors=[factories.AuthorFactory(), factories.AuthorFactory()],
            images=[factories.ImageFactory(), factories.ImageFactory()],
        )
    # 1 articles joined with site, site settings and section; 2 bylines with authors;
    # 3 placements with images; 4 tags.
    with django_assert_num_queries(4):
        articles = list(Article.objects.published().with_listing_relations())
        rendered = [
            (a.site.settings.time_zone, [b.display_name for b in a.bylines.all()],
             [p.effective_credit for p in a.placements.all()], list(a.tags.all()))
            for a in articles
        ]  # fmt: skip
    assert len(rendered) == 5
    assert all(len(names) == 2 for _tz, names, _credits, _tags in rendered)
