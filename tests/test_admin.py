"""The admin as the editors' tool: pages render, lists run a fixed number of queries, actions
and buttons go through the services, and the inline rules refuse bad edits cleanly."""

from datetime import timedelta

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.admin import common as articles_admin
from articles.models import (
    Article,
    ArticleImage,
    Author,
    Byline,
    Correction,
    Image,
    Revision,
    Section,
    SiteSettings,
    SlugHistory,
    Tag,
)
from tests import factories


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(model, view="changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(response) -> dict:
    """The POST data of a rendered admin change form as it stands, inlines included."""
    data = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        all_forms += [inline.formset.management_form, *inline.formset.forms]
    for form in all_forms:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if isinstance(field.widget, forms.SplitDateTimeWidget):
                parts = field.widget.decompress(value) if value else ["", ""]
                data[f"{key}_0"], data[f"{key}_1"] = (str(part) for part in parts)
            elif isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(field, forms.FileField):
                continue
            elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                data[key] = [str(item) for item in value or []]
            else:
                data[key] = "" if value is None else str(value)
    return data


def add_row(data: dict, prefix: str, **fields) -> int:
    """Append an inline row (as "Add another" does) and return its index."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
    return index


def edit(client, article, **changes) -> tuple[dict, str]:
    """Fetch the article's change form; return its data updated with ``changes`` and its URL."""
    change_url = url(Article, "change", article.pk)
    response = client.get(change_url)
    assert response.status_code == 200
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"bylines", "placements", "corrections"}
    data = form_data(response)
    data.update(changes)
    return data, change_url


def snapshot_of_writes(article) -> tuple:
    article.refresh_from_db()
    return (
        article.headline,
        article.version,
        article.revisions.count(),
        list(article.bylines.values_list("author__name", "position")),
        list(article.placements.values_list("image_id", "role", "position")),
    )


def two_photo_article(site, **kwargs) -> Article:
    return factories.draft_article(
        site=site,
        authors=[factories.AuthorFactory(name="Ana Ribeiro"), factories.AuthorFactory(name="Tom Hale")],
        images=[factories.ImageFactory(caption="Trams at dawn"), factories.ImageFactory(caption="The depot")],
        **kwargs,
    )


# --- Pages render --------------------------------------------------------------------------


@pytest.fixture
def archive(site):
    """One of everything: a published article with bylines, photos, a correction, a moved URL."""
    article = two_photo_article(site, headline="Harbour city votes for trams")
    services.article_publish(article=article)
    services.correction_add(article=article, text="The vote was on Tuesday.")
    services.article_update(article=article, slug="trams-vote")
    article.section = factories.SectionFactory(name="Transport", slug="transport")
    article.save()
    article.tags.add(factories.TagFactory(name="Trams", slug="trams"))
    with_file = factories.image_with_file(caption="Depot from above", creator="Rui Gaudêncio", agency="Público")
    return {"article": article, "image_with_file": with_file}


CHANGELIST_CONTENT = {
    Article: ["Harbour city votes for trams", "1 min read", "Open", "localhost"],
    Image: ["Trams at dawn", "Anatolii Stepanov/AFP via Getty Images", "no file", "<img src=", "64×48"],
    Author: ["Ana Ribeiro", "Tom Hale"],
    Section: ["Transport"],
    Tag: ["Trams"],
    Site: ["localhost", "On"],
    SiteSettings: ["localhost", "On"],
    Revision: ["Harbour city votes for trams", "Published"],
    SlugHistory: ["/harbour-city-votes-for-trams/"],
}


@pytest.mark.parametrize("model", list(CHANGELIST_CONTENT), ids=lambda m: m.__name__)
def test_every_changelist_renders_what_editors_need(admin_user_client, archive, model):
    response = admin_user_client.get(url(model))
    assert response.status_code == 200
    for text in CHANGELIST_CONTENT[model]:
        assert text in response.content.decode(), text


def test_author_list_counts_bylines(admin_user_client, archive):
    response = admin_user_client.get(url(Author))
    assert [(a.name, a.byline_count) for a in response.context["cl"].result_list] == [
        ("Ana Ribeiro", 1),
        ("Tom Hale", 1),
    ]


def _change_target(model, archive):
    article = archive["article"]
    return {
        Article: article,
        Image: archive["image_with_file"],
        Author: Author.objects.get(name="Ana Ribeiro"),
        Section: article.section,
        Tag: article.tags.get(),
        Site: article.site,
        SiteSettings: article.site.settings,
        Revision: article.revisions.last(),
        SlugHistory: SlugHistory.objects.get(),
    }[model]


CHANGE_FORM_CONTENT = {
    Article: ["Harbour city votes for trams", "Ana Ribeiro", "Trams at dawn", "1 min read", "The vote was on Tuesday."],
    Image: ["Rui Gaudêncio/Público", "Credit", "<img src="],
    Author: ["Ana Ribeiro"],
    Section: ["Transport"],
    Tag: ["Trams"],
    Site: ["localhost", "Commenting", "instead of the comment form"],
    SiteSettings: ["Commenting", "instead of the comment form"],
    Revision: ["Harbour city votes for trams", "&quot;bylines&quot;"],
    SlugHistory: ["harbour-city-votes-for-trams"],
}


@pytest.mark.parametrize("model", list(CHANGE_FORM_CONTENT), ids=lambda m: m.__name__)
def test_every_change_form_and_add_form_renders(admin_user_client, archive, model):
    target = _change_target(model, archive)
    response = admin_user_client.get(url(model, "change", target.pk))
    assert response.status_code == 200
    for text in CHANGE_FORM_CONTENT[model]:
        assert text in response.content.decode(), text
    add = admin_user_client.get(url(model, "add"))
    # Revisions and slug history are written by the services only.
    assert add.status_code == (403 if model in {Revision, SlugHistory} else 200)


def test_article_change_form_shows_photos_with_credit_and_the_read_only_publication_fields(admin_user_client, site):
    image = factories.image_with_file(caption="Depot", creator="Rui Gaudêncio", agency="Público")
    article = factories.draft_article(site=site, images=[image])
    response = admin_user_client.get(url(Article, "change", article.pk))
    html = response.content.decode()
    assert f'src="{image.file.url}"' in html
    assert "Rui Gaudêncio/Público" in html
    form_fields = response.context["adminform"].form.fields
    for read_only in ("status", "published_at", "word_count", "version", "pub_date"):
        assert read_only not in form_fields
    assert 'name="_publish"' in html  # "Save and publish"
    assert "collapse" in html  # the Advanced group
    assert "articles/admin_inlines.js" in html  # numbers rows added with "Add another"


def test_view_on_site_is_offered_for_public_articles_only(admin_user_client, site):
    draft = factories.draft_article(site=site, headline="Draft")
    public = factories.published_article(site=site, headline="Public")
    assert admin_user_client.get(url(Article, "change", draft.pk)).context["has_absolute_url"] is False
    response = admin_user_client.get(url(Article, "change", public.pk))
    assert response.context["has_absolute_url"] is True
    redirect = admin_user_client.get(response.context["absolute_url"])
    assert redirect.status_code == 302
    assert redirect["Location"] == f"http://localhost{public.get_absolute_url()}"


# --- Changelists run a fixed number of queries --------------------------------------------


def make_articles(site, count):
    for _ in range(count):
        article = two_photo_article(site, headline=f"Story {Article.objects.count()}")
        services.article_publish(article=article)
        services.article_update(article=article, slug=f"moved-{article.pk}")  # leaves a SlugHistory row


def make_images(site, count):
    factories.ImageFactory.create_batch(count - 1)
    factories.image_with_file(upload={"color": (count, 0, 0)})


def make_authors(site, count):
    for _ in range(count):
        factories.draft_article(site=site, authors=[factories.AuthorFactory(), factories.AuthorFactory()])


def make_sections(site, count):
    for n in range(count):
        section = factories.SectionFactory(name=f"Desk {n}", slug=f"desk-{n}-{Section.objects.count()}")
        factories.draft_article(site=site, section=section)


def make_tags(site, count):
    for _ in range(count):
        factories.draft_article(site=site, tags=[factories.TagFactory()])


def make_sites(site, count):
    for _ in range(count):
        number = Site.objects.count()
        services.site_settings_for(site=Site.objects.create(domain=f"site{number}.example", name=f"Site {number}"))


# Every changelist: the session row, the logged-in user, the count of rows matching the
# filters, the count of all rows, the page of rows itself.
BASE = 5
# With date_hierarchy: the first and last date, then the distinct dates to drill into.
DATE_HIERARCHY = 2

CHANGELIST_QUERIES = {
    # + the sites, the sections and the credited authors offered by the three related
    #   filters; the page joins site and site settings (read by the comment-state column)
    #   and leaves out the body.
    Article: (make_articles, BASE + 3 + DATE_HIERARCHY),
    Image: (make_images, BASE + DATE_HIERARCHY),
    # The byline count is an annotation (GROUP BY) of the page query.
    Author: (make_authors, BASE),
    # The article count is an annotation of the page query.
    Section: (make_sections, BASE),
    Tag: (make_tags, BASE),
    # The page joins each site's settings row.
    Site: (make_sites, BASE),
    # The page joins the site.
    SiteSettings: (make_sites, BASE),
    # The page joins article and user, leaving out the snapshot and the article's body.
    Revision: (make_articles, BASE + DATE_HIERARCHY),
    # The page joins article and site.
    SlugHistory: (make_articles, BASE),
}


@pytest.mark.parametrize("model", list(CHANGELIST_QUERIES), ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_user_client, site, django_assert_num_queries, model):
    make, expected = CHANGELIST_QUERIES[model]
    changelist = url(model)
    make(site, 3)
    admin_user_client.get(changelist)  # warm the per-process Site cache of CurrentSiteMiddleware
    with django_assert_num_queries(expected):
        few = admin_user_client.get(changelist)
    make(site, 12)
    with django_assert_num_queries(expected):
        many = admin_user_client.get(changelist)
    assert few.status_code == many.status_code == 200
    assert len(many.context["cl"].result_list) > len(few.context["cl"].result_list) >= 3


def test_article_changelist_with_fifteen_articles_of_two_bylines_and_two_photos(
    admin_user_client, site, django_assert_num_queries
):
    make_articles(site, 15)
    assert Byline.objects.count() == ArticleImage.objects.count() == 30
    admin_user_client.get(url(Article))
    with django_assert_num_queries(CHANGELIST_QUERIES[Article][1]) as captured:
        response = admin_user_client.get(url(Article))
    assert response.content.decode().count("1 min read") == 15
    page_query = next(q["sql"] for q in captured.captured_queries if '"articles_article"."headline"' in q["sql"])
    assert '"articles_sitesettings"' in page_query
    assert '"articles_article"."body"' not in page_query


# --- Filters and search ---------------------------------------------------------------------


def test_articles_filter_by_byline_author_and_search_by_author_name(admin_user_client, site):
    ana = factories.AuthorFactory(name="Ana Ribeiro")
    factories.draft_article(site=site, headline="By Ana", authors=[ana, factories.AuthorFactory()])
    factories.draft_article(site=site, headline="By someone else")
    by_filter = admin_user_client.get(url(Article), {"author": ana.pk})
    assert [a.headline for a in by_filter.context["cl"].result_list] == ["By Ana"]
    by_search = admin_user_client.get(url(Article), {"q": "Ribeiro"})
    assert [a.headline for a in by_search.context["cl"].result_list] == ["By Ana"]


def test_comment_state_column_shows_mode_and_reason(admin_user_client, site):
    factories.published_article(site=site, headline="Open one")
    services.sites_set_commenting(sites=[site], enabled=False, notice="We are pausing comments.")
    html = admin_user_client.get(url(Article)).content.decode()
    assert "Closed" in html
    assert "switched off for the site" in html
    assert "We are pausing comments." in html


# --- Publish and withdraw actions -------------------------------------------------------------


def run_action(client, action, articles, model=Article):
    return client.post(url(model), {"action": action, "_selected_action": [a.pk for a in articles]})


def test_publish_action_publishes_and_warns_about_missing_datelines(admin_user_client, site):
    ready = factories.draft_article(site=site, headline="Ready")
    no_dateline = factories.draft_article(site=site, headline="No dateline", dateline_place="")
    response = run_action(admin_user_client, "publish_selected", [ready, no_dateline])
    assert response.status_code == 302
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    shown = messages_of(response)
    assert f"“No dateline”: {services.NO_DATELINE}" in shown
    assert "Published 2 articles." in shown
    assert Revision.objects.filter(message="Published in admin").count() == 2


def test_publish_action_reports_each_refusal_and_publishes_the_others(admin_user_client, site):
    ready = factories.draft_article(site=site, headline="Ready")
    unready = factories.draft_article(
        site=site, headline="Unready", authors=[], images=[factories.ImageFactory(alt_text="", caption="Pier")]
    )
    before = snapshot_of_writes(unready)
    response = run_action(admin_user_client, "publish_selected", [ready, unready])
    ready.refresh_from_db()
    assert ready.status == "published"
    assert snapshot_of_writes(unready) == before
    assert unready.status == "draft"
    shown = messages_of(response)
    refusal = next(message for message in shown if message.startswith("“Unready” was not published"))
    assert services.NO_BYLINE in refusal
    assert services.NO_ALT_TEXT.format(image="Pier") in refusal
    assert "Published 1 article." in shown


def test_withdraw_action_withdraws_released_articles_and_refuses_drafts(admin_user_client, site):
    public = factories.published_article(site=site, headline="Public")
    public.withdrawn_reason = "Legal advice."
    public.save()
    draft = factories.draft_article(site=site, headline="Draft")
    response = run_action(admin_user_client, "withdraw_selected", [public, draft])
    public.refresh_from_db()
    draft.refresh_from_db()
    assert (public.status, public.withdrawn_reason) == ("withdrawn", "Legal advice.")
    assert draft.status == "draft"
    shown = messages_of(response)
    assert f"“Draft” was not withdrawn: {services.NOT_RELEASED}" in shown
    assert "Withdrew 1 article." in shown


def test_a_contributor_neither_sees_nor_can_run_the_publish_actions(site, contributor):
    client = client_for(contributor)
    draft = factories.draft_article(site=site)
    listing = client.get(url(Article))
    assert listing.status_code == 200
    assert listing.context["action_form"] is None  # no action a contributor may run
    assert "Publish selected articles" not in listing.content.decode()
    run_action(client, "publish_selected", [draft])
    draft.refresh_from_db()
    assert draft.status == "draft"
    change = client.get(url(Article, "change", draft.pk))
    assert 'name="_publish"' not in change.content.decode()


def test_an_editor_sees_the_publish_actions(site, editor):
    listing = client_for(editor).get(url(Article))
    choices = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert {"publish_selected", "withdraw_selected"} <= set(choices)


# --- Articles are never deleted ---------------------------------------------------------------


def test_articles_cannot_be_deleted(admin_user_client, site):
    article = factories.draft_article(site=site)
    assert admin_user_client.get(url(Article, "delete", article.pk)).status_code == 403
    assert admin_user_client.post(url(Article, "delete", article.pk), {"post": "yes"}).status_code == 403
    listing = admin_user_client.get(url(Article))
    assert "delete_selected" not in dict(listing.context["action_form"].fields["action"].choices)
    run_action(admin_user_client, "delete_selected", [article])
    assert Article.objects.filter(pk=article.pk).exists()


# --- The change form: services, revisions, inline rules -------------------------------------


def test_saving_the_change_form_records_a_revision_with_the_inline_bylines(admin_user_client, site):
    article = factories.draft_article(site=site, authors=[factories.AuthorFactory(name="Ana Ribeiro")])
    second = factories.AuthorFactory(name="Tom Hale")
    data, change_url = edit(admin_user_client, article, headline="Trams are back")
    add_row(data, "bylines", author=second.pk, role="additional_reporting", position=1, credit_text="")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"]
    revision = article.revisions.latest()
    assert revision.number == 2
    assert revision.user.username == "admin"
    assert revision.snapshot["headline"] == "Trams are back"
    assert [(b["author_name"], b["role"], b["position"]) for b in revision.snapshot["bylines"]] == [
        ("Ana Ribeiro", "author", 0),
        ("Tom Hale", "additional_reporting", 1),
    ]
    assert "Changed Headline" in revision.message
    assert "Added byline “Tom Hale”" in revision.message
    article.refresh_from_db()
    assert article.version == 2


def test_adding_an_article_with_a_byline_through_the_admin(admin_user_client, site):
    author = factories.AuthorFactory(name="Ana Ribeiro")
    data = form_data(admin_user_client.get(url(Article, "add")))
    assert data["site"] == str(site.pk)
    data.update(headline="Ferry strike ends", slug="ferry-strike-ends", body="<p>Boats run again.</p>")
    add_row(data, "bylines", author=author.pk, role="reporter", position=0, credit_text="")
    response = admin_user_client.post(url(Article, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get(headline="Ferry strike ends")
    assert article.status == "draft"
    assert article.created_by.username == "admin"
    assert article.revisions.get().snapshot["bylines"][0]["author_name"] == "Ana Ribeiro"


def test_a_duplicate_byline_position_is_a_form_error_and_writes_nothing(admin_user_client, site):
    article = two_photo_article(site)
    before = snapshot_of_writes(article)
    data, change_url = edit(admin_user_client, article, headline="Changed")
    data["bylines-1-position"] = "0"
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert articles_admin.DUPLICATE_POSITION.format(noun="bylines", position=0) in response.content.decode()
    assert snapshot_of_writes(article) == before


def test_a_byline_without_author_or_text_is_a_form_error(admin_user_client, site):
    article = factories.draft_article(site=site)
    before = snapshot_of_writes(article)
    data, change_url = edit(admin_user_client, article)
    add_row(data, "bylines", author="", role="reporter", position=5, credit_text="")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert articles_admin.NEEDS_AUTHOR in response.content.decode()
    assert snapshot_of_writes(article) == before


def test_swapping_positions_and_moving_the_lead_photo_saves_cleanly(admin_user_client, site):
    article = two_photo_article(site)
    lead, inline = article.placements.order_by("position")
    data, change_url = edit(admin_user_client, article)
    data.update({"bylines-0-position": "1", "bylines-1-position": "0"})
    data.update({"placements-0-role": "inline", "placements-1-role": "lead"})
    data.update({"placements-0-position": "1", "placements-1-position": "0"})
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"]
    assert list(article.bylines.values_list("author__name", flat=True)) == ["Tom Hale", "Ana Ribeiro"]
    assert list(article.placements.values_list("pk", "role")) == [(inline.pk, "lead"), (lead.pk, "inline")]
    assert [i["role"] for i in article.revisions.latest().snapshot["images"]] == ["lead", "inline"]


def test_two_lead_photos_are_a_form_error_and_write_nothing(admin_user_client, site):
    article = two_photo_article(site)
    before = snapshot_of_writes(article)
    data, change_url = edit(admin_user_client, article, headline="Changed")
    data["placements-1-role"] = "lead"
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert services.TWO_LEADS in response.content.decode()
    assert snapshot_of_writes(article) == before


def test_removing_every_byline_of_a_published_article_is_refused(admin_user_client, site):
    article = factories.published_article(site=site)
    before = snapshot_of_writes(article)
    data, change_url = edit(admin_user_client, article)
    data["bylines-0-DELETE"] = "on"
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert services.NO_BYLINE in response.content.decode()
    assert snapshot_of_writes(article) == before


def test_a_draft_may_lose_its_bylines(admin_user_client, site):
    article = factories.draft_article(site=site)
    data, change_url = edit(admin_user_client, article)
    data["bylines-0-DELETE"] = "on"
    assert admin_user_client.post(change_url, data).status_code == 302
    assert not article.bylines.exists()


def test_a_photo_without_alt_text_on_a_published_article_is_refused(admin_user_client, site):
    article = factories.published_article(site=site)
    bare = factories.ImageFactory(alt_text="", caption="Pier at night")
    before = snapshot_of_writes(article)
    data, change_url = edit(admin_user_client, article)
    add_row(data, "placements", image=bare.pk, role="inline", position=3, caption="", alt_text="", credit_text="")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert services.NO_ALT_TEXT.format(image="Pier at night") in response.content.decode()
    assert snapshot_of_writes(article) == before


def test_a_per_use_alt_text_lets_the_photo_in(admin_user_client, site):
    article = factories.published_article(site=site)
    bare = factories.ImageFactory(alt_text="", caption="Pier at night")
    data, change_url = edit(admin_user_client, article)
    add_row(data, "placements", image=bare.pk, role="lead", position=0, caption="", alt_text="A pier", credit_text="")
    assert admin_user_client.post(change_url, data).status_code == 302
    assert article.revisions.latest().snapshot["images"][0]["alt_text"] == "A pier"


def test_emptying_the_body_of_a_published_article_is_refused(admin_user_client, site):
    article = factories.published_article(site=site)
    before = snapshot_of_writes(article)
    data, change_url = edit(admin_user_client, article, body="<script>alert(1)</script>")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert services.NO_BODY in response.content.decode()
    assert snapshot_of_writes(article) == before


def test_a_url_clash_refused_by_the_service_is_a_form_error(admin_user_client, site):
    when = timezone.now() - timedelta(hours=1)
    factories.published_article(site=site, headline="First", slug="trams", published_at=when)
    second = factories.published_article(site=site, headline="Second", slug="trams-2", published_at=when)
    before = snapshot_of_writes(second)
    data, change_url = edit(admin_user_client, second, slug="trams")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    slug_errors = response.context["adminform"].form.errors["slug"]
    assert slug_errors == [services.SLUG_TAKEN.format(date=f"{second.pub_date:%Y/%m/%d}", slug="trams")]
    assert snapshot_of_writes(second) == before
    assert not SlugHistory.objects.exists()


def test_a_draft_slug_already_taken_is_a_form_error_on_the_add_form(admin_user_client, site):
    factories.draft_article(site=site, headline="Trams", slug="trams")
    data = form_data(admin_user_client.get(url(Article, "add")))
    data.update(headline="Trams again", slug="trams", body="<p>Text.</p>")
    response = admin_user_client.post(url(Article, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [services.DRAFT_SLUG_TAKEN.format(slug="trams")]
    assert Article.objects.count() == 1


def test_a_stale_edit_is_refused_and_the_other_edit_kept(admin_user_client, site):
    article = factories.draft_article(site=site, headline="Original")
    data, change_url = edit(admin_user_client, article, headline="Mine")
    services.article_update(article=Article.objects.get(pk=article.pk), headline="Theirs")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert "Someone else saved this article" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Theirs"


def test_a_new_correction_goes_through_the_service(admin_user_client, site):
    article = factories.published_article(site=site)
    data, change_url = edit(admin_user_client, article)
    add_row(data, "corrections", kind="clarification", text="The line opens in May.")
    assert admin_user_client.post(change_url, data).status_code == 302
    correction = Correction.objects.get()
    assert correction.revision is not None
    article.refresh_from_db()
    assert article.updated_at == correction.created_at
    assert article.revisions.latest().snapshot["corrections"][0]["text"] == "The line opens in May."


# --- "Save and publish" -----------------------------------------------------------------------


def test_save_and_publish_saves_then_publishes(admin_user_client, site):
    article = factories.draft_article(site=site, headline="Draft headline")
    data, change_url = edit(admin_user_client, article, headline="Final headline", _publish="Save and publish")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Final headline", "published")
    assert list(article.revisions.values_list("message", "status")) == [
        ("Created", "draft"),
        ("Changed Headline.", "draft"),
        ("Published in admin", "published"),
    ]
    assert "“Final headline” is published." in messages_of(response)


def test_save_and_publish_refused_keeps_the_saved_draft_and_shows_why(admin_user_client, site):
    article = factories.draft_article(site=site, images=[factories.ImageFactory(alt_text="", caption="Pier")])
    data, change_url = edit(admin_user_client, article, headline="Saved anyway", _publish="Save and publish")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 302
    assert response["Location"] == change_url
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Saved anyway", "draft")
    refusal = next(m for m in messages_of(response) if "was not published" in m)
    assert services.NO_ALT_TEXT.format(image="Pier") in refusal


def test_save_and_publish_posted_by_a_contributor_only_saves(site, contributor):
    client = client_for(contributor)
    article = factories.draft_article(site=site)
    data, change_url = edit(client, article, headline="Contributor's headline", _publish="Save and publish")
    response = client.post(change_url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Contributor's headline", "draft")
    assert "You may not publish articles; the article was saved." in messages_of(response)


def test_save_and_publish_on_the_add_form(admin_user_client, site):
    author = factories.AuthorFactory()
    data = form_data(admin_user_client.get(url(Article, "add")))
    data.update(headline="Out now", slug="out-now", body="<p>Text.</p>", dateline_place="Porto", _publish="1")
    add_row(data, "bylines", author=author.pk, role="author", position=0, credit_text="")
    response = admin_user_client.post(url(Article, "add"), data)
    assert response.status_code == 302
    assert Article.objects.get(headline="Out now").status == "published"


# --- Images -------------------------------------------------------------------------------------


def image_form(client, **changes) -> dict:
    data = form_data(client.get(url(Image, "add")))
    data.update(changes)
    return data


def test_uploading_an_image_records_hash_name_and_uploader(admin_user_client, db):
    upload = factories.image_upload(name="Harbour.JPG")
    data = image_form(admin_user_client, alt_text="A harbour", creator="Ana Ribeiro", file=upload)
    response = admin_user_client.post(url(Image, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    image = Image.objects.get()
    assert (image.width, image.height, image.original_filename) == (64, 48, "Harbour.JPG")
    assert image.sha256 == services.file_sha256(factories.image_upload())
    assert image.uploaded_by.username == "admin"


def test_uploading_the_same_bytes_again_points_to_the_existing_image(admin_user_client, db):
    existing = factories.image_with_file(caption="Already here")
    data = image_form(admin_user_client, alt_text="Again", file=factories.image_upload())
    response = admin_user_client.post(url(Image, "add"), data)
    assert response.status_code == 200
    assert "already in the library" in response.content.decode()
    assert url(Image, "change", existing.pk) in response.content.decode()
    assert Image.objects.count() == 1


def test_a_non_image_upload_is_a_form_error(admin_user_client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")
    response = admin_user_client.post(url(Image, "add"), image_form(admin_user_client, file=fake))
    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert not Image.objects.exists()


def test_an_image_edit_that_breaks_a_published_article_is_refused(admin_user_client, site):
    image = factories.ImageFactory(caption="Pier")
    factories.published_article(site=site, headline="Pier story", images=[image])
    response = admin_user_client.get(url(Image, "change", image.pk))
    data = form_data(response)
    data["alt_text"] = ""
    response = admin_user_client.post(url(Image, "change", image.pk), data)
    assert response.status_code == 200
    assert "Used by the published article “Pier story”" in response.content.decode()
    image.refresh_from_db()
    assert image.alt_text == "A harbour at dawn"


def test_deleting_an_image_in_use_shows_the_protected_page(admin_user_client, site):
    image = factories.ImageFactory(caption="In use")
    factories.draft_article(site=site, images=[image])
    delete_url = url(Image, "delete", image.pk)
    page = admin_user_client.get(delete_url)
    assert page.status_code == 200
    assert "protected" in page.content.decode()
    refused = admin_user_client.post(delete_url, {"post": "yes"})
    assert refused.status_code == 200
    bulk = run_action(admin_user_client, "delete_selected", [image], model=Image)
    assert bulk.status_code == 200
    assert "protected" in bulk.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_an_unused_image_can_be_deleted(admin_user_client, db):
    image = factories.ImageFactory()
    response = admin_user_client.post(url(Image, "delete", image.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists()


def test_adding_an_author_goes_through_the_service(admin_user_client, db):
    data = form_data(admin_user_client.get(url(Author, "add")))
    data.update(name="Ana Ribeiro", slug="ana-ribeiro", url="example.org/ana")
    response = admin_user_client.post(url(Author, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    assert Author.objects.get().url == "https://example.org/ana"


# --- Sites and commenting ----------------------------------------------------------------------


def test_suspend_and_resume_commenting_actions(admin_user_client, site):
    other = Site.objects.create(domain="other.example", name="Other")
    rows = [services.site_settings_for(site=site), services.site_settings_for(site=other)]
    rows[1].comments_suspended_until = timezone.now() + timedelta(days=1)
    rows[1].save()
    response = run_action(admin_user_client, "suspend_commenting", rows, model=SiteSettings)
    assert "Commenting suspended on 2 sites." in messages_of(response)
    assert list(SiteSettings.objects.order_by("pk").values_list("comments_enabled", "version")) == [
        (False, 2),
        (False, 2),
    ]
    assert "Off" in admin_user_client.get(url(SiteSettings)).content.decode()
    response = run_action(admin_user_client, "resume_commenting", rows[1:], model=SiteSettings)
    assert "Commenting resumed on 1 site." in messages_of(response)
    assert list(SiteSettings.objects.order_by("pk").values_list("comments_enabled", "comments_suspended_until")) == [
        (False, None),
        (True, None),
    ]


def test_a_contributor_cannot_change_commenting(site, contributor):
    response = client_for(contributor).get(url(SiteSettings))
    assert response.status_code == 403


def test_site_settings_form_saves_through_the_service(admin_user_client, site):
    change_url = url(SiteSettings, "change", site.pk)
    data = form_data(admin_user_client.get(change_url))
    data.update(comments_notice="We are temporarily suspending article commenting.", time_zone="Europe/Lisbon")
    data.pop("comments_enabled", None)
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 302, response.context["errors"]
    row = SiteSettings.objects.get(pk=site.pk)
    assert (row.comments_enabled, row.time_zone, row.version) == (False, "Europe/Lisbon", 2)


def test_a_stale_site_settings_edit_is_refused(admin_user_client, site):
    change_url = url(SiteSettings, "change", site.pk)
    data = form_data(admin_user_client.get(change_url))
    data["publisher_name"] = "Mine"
    services.site_settings_update(site_settings=SiteSettings.objects.get(pk=site.pk), publisher_name="Theirs")
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert "Someone else changed these settings" in response.content.decode()
    assert SiteSettings.objects.get(pk=site.pk).publisher_name == "Theirs"


def test_an_unknown_time_zone_is_a_form_error(admin_user_client, site):
    change_url = url(SiteSettings, "change", site.pk)
    data = form_data(admin_user_client.get(change_url))
    data["time_zone"] = "Mars/Olympus"
    response = admin_user_client.post(change_url, data)
    assert response.status_code == 200
    assert SiteSettings.objects.get(pk=site.pk).time_zone == "UTC"


def test_site_form_edits_its_settings_inline_through_the_service(admin_user_client, site):
    change_url = url(Site, "change", site.pk)
    response = admin_user_client.get(change_url)
    assert [inline.formset.prefix for inline in response.context["inline_admin_formsets"]] == ["settings"]
    data = form_data(response)
    data["settings-0-publisher_name"] = "The Harbour Courier"
    assert admin_user_client.post(change_url, data).status_code == 302
    row = SiteSettings.objects.get(pk=site.pk)
    assert (row.publisher_name, row.version) == ("The Harbour Courier", 2)


# --- Read-only records ------------------------------------------------------------------------


def test_revisions_and_slug_history_are_read_only(admin_user_client, site):
    article = factories.published_article(site=site)
    services.article_update(article=article, slug="moved")
    revision, moved = article.revisions.first(), SlugHistory.objects.get()
    for model, row in ((Revision, revision), (SlugHistory, moved)):
        change_url = url(model, "change", row.pk)
        page = admin_user_client.get(change_url)
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert admin_user_client.post(change_url, {}).status_code == 403
        assert admin_user_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert Revision.objects.filter(pk=revision.pk).exists()
    assert SlugHistory.objects.filter(pk=moved.pk).exists()


def test_admin_index_lists_the_newsroom_models(admin_user_client, site):
    html = admin_user_client.get(reverse("admin:index")).content.decode()
    for name in ("Articles", "Images", "Authors", "Sections", "Tags", "Site settings", "Revisions", "Slug history"):
        assert name in html, name


def test_admin_upload_goes_through_the_image_pipeline(admin_user_client, settings, django_capture_on_commit_callbacks):
    import io

    from PIL import Image as PILImage

    from tests.test_metadata import exif_with, picture_bytes, upload

    data = picture_bytes("JPEG", (640, 480), exif=exif_with(artist="Ana Ribeiro", copyright="© 2025 Lusa", gps=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_user_client.post(
            "/admin/articles/image/add/",
            {"file": upload(data, "gps.jpg"), "alt_text": "A tram", "caption": "The 28 tram."},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get()
    assert (image.creator, image.copyright_notice, image.uploaded_by.username) == (
        "Ana Ribeiro",
        "© 2025 Lusa",
        "admin",
    )
    with image.file.open("rb") as stored:
        picture = PILImage.open(io.BytesIO(stored.read()))
        assert not picture.getexif().get_ifd(0x8825)  # no GPS kept
    assert image.renditions  # made after commit
