"""Service functions: the one write path for articles, images and site settings."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles import services
from articles.models import Article, Byline, Image, Revision, SiteSettings, SlugHistory
from tests import factories


def counts():
    return (Article.objects.count(), Byline.objects.count(), Revision.objects.count(), SlugHistory.objects.count())


# --- create / update and revisions ---------------------------------------------------


def test_create_writes_article_bylines_photos_and_revision_one(site):
    first, second = factories.AuthorFactory(name="Ana Ribeiro"), factories.AuthorFactory(name="Tom Hale")
    image = factories.ImageFactory()
    article = services.article_create(
        site=site,
        headline="Trams return",
        body="<p>Words here.</p>",
        bylines=[services.BylineSpec(author=first), services.BylineSpec(author=second, role="additional_reporting")],
        placements=[services.PlacementSpec(image=image, role="lead")],
    )
    assert article.status == Article.Status.DRAFT
    assert article.slug == "trams-return"
    assert [(b.position, b.display_name, b.role) for b in article.bylines.all()] == [
        (0, "Ana Ribeiro", "author"),
        (1, "Tom Hale", "additional_reporting"),
    ]
    revision = article.revisions.get()
    assert revision.number == 1
    assert revision.snapshot["headline"] == "Trams return"
    assert [b["author_name"] for b in revision.snapshot["bylines"]] == ["Ana Ribeiro", "Tom Hale"]
    assert revision.snapshot["images"][0]["credit"] == "Anatolii Stepanov/AFP via Getty Images"
    assert revision.snapshot["images"][0]["role"] == "lead"


def test_create_takes_the_site_language_by_default(site):
    site.settings.language = "pt-PT"
    site.settings.save()
    assert factories.draft_article(site=site).language == "pt-PT"


def test_every_update_adds_a_revision_and_keeps_the_old_ones(site):
    article = factories.draft_article(site=site, headline="First")
    services.article_update(article=article, headline="Second", message="Sharper headline")
    services.article_update(article=article, headline="Third")
    numbers = list(article.revisions.values_list("number", "snapshot__headline", "message"))
    assert numbers == [(1, "First", "Created"), (2, "Second", "Sharper headline"), (3, "Third", "Edited")]
    assert article.version == 3


def test_unicode_headline_gets_a_unicode_slug(site):
    article = factories.draft_article(site=site, headline="Montréal: le métro s’arrête")
    assert article.slug == "montréal-le-métro-sarrête"


def test_a_failed_create_writes_nothing(site):
    author = factories.AuthorFactory()
    before = counts()
    with pytest.raises(ValidationError, match="credited twice"):
        services.article_create(
            site=site,
            headline="Doubled",
            bylines=[services.BylineSpec(author=author), services.BylineSpec(author=author)],
        )
    assert counts() == before


def test_a_body_over_the_limit_is_refused_and_nothing_written(site, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "MAX_BODY_BYTES": 100}
    before = counts()
    with pytest.raises(ValidationError, match="body is too large"):
        factories.draft_article(site=site, body="<p>" + "x" * 200 + "</p>")
    assert counts() == before


def test_two_lead_photos_are_refused(site):
    article = factories.draft_article(site=site)
    with pytest.raises(ValidationError, match="only one lead photo"):
        services.article_update(
            article=article,
            placements=[
                services.PlacementSpec(image=factories.ImageFactory(), role="lead"),
                services.PlacementSpec(image=factories.ImageFactory(), role="lead"),
            ],
        )
    assert article.placements.count() == 0


# --- publishing and its quality gates ----------------------------------------------------


def test_publish_releases_now_and_records_a_published_revision(site):
    article = factories.draft_article(site=site)
    services.article_publish(article=article)
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at <= timezone.now()
    assert article.pub_date == timezone.localdate(article.published_at)
    latest = article.revisions.latest()
    assert (latest.number, latest.status, latest.is_published, latest.message) == (2, "published", True, "Published")


def test_publish_in_the_future_schedules(site):
    article = factories.draft_article(site=site)
    when = timezone.now() + timedelta(days=1)
    services.article_publish(article=article, published_at=when)
    assert (article.status, article.published_at) == (Article.Status.SCHEDULED, when)
    assert not article.revisions.latest().is_published


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"headline": " "}, services.NO_HEADLINE),
        ({"body": ""}, services.NO_BODY),
    ],
)
def test_publish_refuses_missing_text(site, change, message):
    article = factories.draft_article(site=site)
    Article.objects.filter(pk=article.pk).update(**change)
    article.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.article_publish(article=article)
    assert message in error.value.messages


def test_publish_gates_report_every_problem_and_change_nothing(site):
    no_alt = factories.ImageFactory(alt_text="", caption="Crowd")
    no_credit = factories.ImageFactory(creator="", agency="", distributor="", caption="Street")
    article = factories.draft_article(site=site, authors=[], images=[no_alt, no_credit])
    revisions = article.revisions.count()
    with pytest.raises(ValidationError) as error:
        services.article_publish(article=article)
    assert error.value.messages == [
        services.NO_BYLINE,
        services.NO_ALT_TEXT.format(image="Crowd"),
        services.NO_CREDIT.format(image="Street"),
    ]
    article.refresh_from_db()
    assert (article.status, article.published_at, article.revisions.count()) == ("draft", None, revisions)


def test_decorative_and_staff_photos_pass_the_gates(site):
    decorative = factories.ImageFactory(alt_text="", is_decorative=True)
    staff = factories.ImageFactory(creator="", agency="", distributor="", is_staff_photo=True)
    article = factories.draft_article(site=site, images=[decorative, staff])
    services.article_publish(article=article)
    assert article.status == Article.Status.PUBLISHED


def test_per_use_overrides_satisfy_the_gates(site):
    image = factories.ImageFactory(alt_text="", creator="", agency="", distributor="")
    article = factories.draft_article(site=site)
    services.article_update(
        article=article,
        placements=[services.PlacementSpec(image=image, role="lead", alt_text="A tram", credit_text="Pool photo")],
    )
    services.article_publish(article=article)
    assert article.status == Article.Status.PUBLISHED


def test_missing_dateline_is_only_a_warning(site):
    article = factories.draft_article(site=site, dateline_place="")
    assert services.article_publish_warnings(article=article) == [services.NO_DATELINE]
    services.article_publish(article=article)
    assert article.status == Article.Status.PUBLISHED


def test_publishing_twice_is_refused(site):
    article = factories.published_article(site=site)
    with pytest.raises(ValidationError, match="already published"):
        services.article_publish(article=article)


def test_editing_a_published_article_must_keep_it_publishable(site):
    article = factories.published_article(site=site)
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.article_update(article=article, bylines=[])
    assert error.value.messages == [services.NO_BYLINE]
    assert counts() == before
    assert article.bylines.count() == 1


def test_substantive_edit_of_a_published_article_sets_updated_at(site):
    article = factories.published_article(site=site)
    assert article.updated_at is None
    services.article_update(article=article, dek="New dek")
    assert article.updated_at is not None
    draft = factories.draft_article(site=site, slug="draft")
    services.article_update(article=draft, dek="Draft dek")
    assert draft.updated_at is None


# --- URLs ------------------------------------------------------------------------------


def test_changing_a_published_slug_keeps_the_old_url(site):
    article = factories.published_article(site=site, headline="Old words")
    old = (article.pub_date, article.slug)
    services.article_update(article=article, slug="new-words")
    history = SlugHistory.objects.get()
    assert (history.pub_date, history.slug, history.article) == (*old, article)


def test_changing_a_draft_slug_keeps_no_history(site):
    article = factories.draft_article(site=site)
    services.article_update(article=article, slug="renamed")
    assert not SlugHistory.objects.exists()


def test_a_taken_url_is_a_validation_error_and_nothing_is_written(site):
    first = factories.published_article(site=site, headline="Same words")
    second = factories.draft_article(site=site, headline="Same words")
    revisions = Revision.objects.count()
    with pytest.raises(ValidationError, match="already uses the address"):
        services.article_publish(article=second, published_at=first.published_at)
    second.refresh_from_db()
    assert (second.status, second.pub_date) == ("draft", None)
    assert Revision.objects.count() == revisions


# --- withdrawal and corrections --------------------------------------------------------


def test_withdraw_keeps_everything_and_records_the_reason(site):
    article = factories.published_article(site=site)
    services.article_withdraw(article=article, reason="Legal advice")
    article.refresh_from_db()
    assert (article.status, article.withdrawn_reason) == (Article.Status.WITHDRAWN, "Legal advice")
    assert article.withdrawn_at is not None
    assert article.revisions.count() == 3  # created, published, withdrawn
    assert Article.objects.filter(pk=article.pk).exists()


def test_withdraw_refuses_drafts_and_repeats(site):
    draft = factories.draft_article(site=site)
    with pytest.raises(ValidationError, match="Only a published"):
        services.article_withdraw(article=draft)
    article = factories.published_article(site=site, slug="b")
    services.article_withdraw(article=article)
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.article_withdraw(article=article)


def test_republishing_keeps_the_first_publication_time(site):
    article = factories.published_article(site=site, published_at=timezone.now() - timedelta(days=10))
    first = article.published_at
    services.article_withdraw(article=article)
    services.article_publish(article=article)
    assert (article.status, article.published_at, article.withdrawn_reason) == ("published", first, "")


def test_correction_is_tied_to_its_revision_and_bumps_updated_at(site):
    article = factories.published_article(site=site)
    correction = services.correction_add(article=article, text="An earlier version misspelt the mayor's name.")
    article.refresh_from_db()
    assert correction.revision == article.revisions.latest()
    assert correction.revision.snapshot["corrections"][0]["text"] == correction.text
    assert article.updated_at == correction.created_at


def test_empty_correction_is_refused(site):
    article = factories.published_article(site=site)
    with pytest.raises(ValidationError):
        services.correction_add(article=article, text="  ")
    assert not article.corrections.exists()


# --- images ----------------------------------------------------------------------------


def test_image_create_records_dimensions_and_hash(db):
    image, created = services.image_create(
        file=factories.image_upload(width=120, height=80), alt_text="A ferry", creator="Lena Marsh"
    )
    assert created
    assert (image.width, image.height, len(image.sha256)) == (120, 80, 64)
    assert image.original_filename == "photo.jpg"
    assert image.file.name.startswith("images/") and image.file.name.endswith(".jpg")
    assert "photo" not in image.file.name  # the stored name is made by the server


def test_the_same_bytes_twice_return_the_existing_image(db):
    first, _ = services.image_create(file=factories.image_upload())
    second, created = services.image_create(file=factories.image_upload(name="copy.jpg"))
    assert (second, created) == (first, False)
    assert Image.objects.count() == 1


# --- site settings ---------------------------------------------------------------------


def test_site_settings_update_bumps_the_version(site):
    settings_row = services.site_settings_update(
        site_settings=site.settings, comments_enabled=False, comments_notice="Paused"
    )
    assert (settings_row.version, settings_row.comments_enabled) == (2, False)


def test_an_unknown_time_zone_is_refused(site):
    with pytest.raises(ValidationError, match="not a known time zone"):
        services.site_settings_update(site_settings=site.settings, time_zone="Mars/Olympus")
    assert SiteSettings.objects.get(site=site).time_zone == "UTC"


def test_sites_set_commenting_switches_several_sites(site):
    from django.contrib.sites.models import Site

    other = Site.objects.create(domain="other.example", name="Other")
    assert services.sites_set_commenting(sites=[site, other], enabled=False, notice="Paused") == 2
    assert set(SiteSettings.objects.values_list("comments_enabled", "comments_notice")) == {(False, "Paused")}
    services.sites_set_commenting(sites=[site], enabled=True)
    site.settings.refresh_from_db()
    assert site.settings.comments_enabled


def test_a_refused_edit_leaves_the_callers_object_unchanged(site):
    article = factories.draft_article(site=site, authors=[])
    version = article.version
    with pytest.raises(ValidationError):
        services.article_publish(article=article)
    assert (article.status, article.published_at, article.version) == ("draft", None, version)


def test_an_old_address_points_at_the_article_that_left_it_last(site):
    first = factories.published_article(site=site, headline="Trams", slug="trams")
    services.article_update(article=first, slug="trams-first")
    second = factories.published_article(site=site, headline="Trams again", slug="trams-2")
    services.article_update(article=second, slug="trams", published_at=first.published_at)
    services.article_update(article=second, slug="trams-second")
    history = SlugHistory.objects.get(slug="trams")
    assert history.article == second


def test_site_settings_update_creates_a_missing_row(db):
    from django.contrib.sites.models import Site

    other = Site.objects.create(domain="new.example", name="New")
    created = services.site_settings_update(site_settings=SiteSettings(site=other), comments_enabled=False)
    assert (created.version, SiteSettings.objects.get(site=other).comments_enabled) == (1, False)
