"""RELIABILITY.md API-01..API-09: REST API authorisation and input."""

import itertools
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Article
from tests import factories

from .dbstate import db_unchanged, snapshot
from .test_sec import no_server_errors

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
UNSAFE = ("post", "put", "patch", "delete")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def openapi(client=None) -> dict:
    return (client or Client()).get("/api/schema/?format=json").json()


def fill(path: str, world) -> str:
    """A schema path with its parameters filled from real, public objects."""
    ids = {
        "/api/v1/authors/": world["author"].pk,
        "/api/v1/images/": world["photo"].pk,
        "/api/v1/sites/": world["site"].pk,
        "/api/v1/comments/": world["comment"].pk,
    }
    prefix = next((p for p in ids if path.startswith(p)), None)
    number = world["published"].revisions.order_by("number").values_list("number", flat=True).first()
    return path.replace("{id}", str(ids.get(prefix, world["published"].pk))).replace("{number}", str(number))


# --- API-01 ------------------------------------------------------------------------------------

# Unsafe operations the public may call by design: asking for a token (a login) and posting a
# reader comment. They are still refused with an invalid token, and an empty body writes nothing.
PUBLIC_WRITES = {("post", "/api/v1/auth/token/"), ("post", "/api/v1/articles/{id}/comments/")}


def test_api_01_anonymous_writes_refused(world, api, caplog):
    schema = openapi()
    operations = [(method, path) for path, item in schema["paths"].items() for method in item if method in UNSAFE]
    assert len(operations) >= 15
    body = {"headline": "Forged", "site": world["site"].pk, "name": "Forged", "status": "published"}
    article = world["published"]
    headers = {"HTTP_IF_MATCH": f'"article-{article.pk}-v{article.version}"'}
    with db_unchanged():
        for method, path in operations:
            url = fill(path, world)
            for client, name in ((api(), "anonymous"), (api(token="0" * 40), "invalid token")):
                if name == "anonymous" and (method, path) in PUBLIC_WRITES:
                    response = getattr(client, method)(url, {}, format="json")
                    assert response.status_code == 400, (method, url)
                    continue
                response = getattr(client, method)(url, body, format="json", **headers)
                assert response.status_code in (401, 403), (name, method, url, response.status_code)
                assert response.json()["detail"]
            multipart = api().post(url, {"file": factories.image_upload()}, format="multipart")
            assert multipart.status_code in (400, 401, 403, 405), (url, multipart.status_code)
    no_server_errors(caplog)


# --- API-02 ------------------------------------------------------------------------------------

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def loose_ids(pk: int) -> list[str]:
    """The nine spellings of RELIABILITY.md for the id ``pk`` (pk ≥ 10 so '1_0' has a twin)."""
    text = str(pk)
    return [
        f"0{text}",
        f"+{text}",
        f"%20{text}",
        f"{text}%20",
        quote(text.translate(ARABIC_DIGITS)),
        f"{text[0]}_{text[1:]}",
        f"{text}abc",
        hex(pk),
        f"-{text}",
    ]


def test_api_02_canonical_ids(world, api):
    while (article := factories.published_article(site=world["site"])).pk < 10:
        pass
    editor = api(user=world["editor"])
    etag = f'"article-{article.pk}-v{article.version}"'
    variants = loose_ids(article.pk)
    assert len(variants) == 9 and variants[4].startswith("%D9%")
    with db_unchanged():
        for variant, method in itertools.product(variants, ("get", "put", "patch", "delete")):
            url = f"{API}/articles/{variant}/"
            response = getattr(editor, method)(url, {"headline": "Loose"}, format="json", HTTP_IF_MATCH=etag)
            assert response.status_code == 404, (variant, method, response.status_code)
            assert response.json() == {"detail": "Not found."}
    for prefix in ("authors", "images", "sites", "comments"):
        assert api(user=world["admin"]).get(f"{API}/{prefix}/0{world['photo'].pk}/").status_code == 404


# --- API-03 ------------------------------------------------------------------------------------


def article_row(pk) -> dict:
    return Article.objects.filter(pk=pk).values().get()


def test_api_03_id_override_and_mass_assignment(world, api, contributor):
    site = world["site"]
    five = factories.draft_article(site=site, headline="Row five")
    six = factories.draft_article(site=site, headline="Row six")
    writer = api(user=contributor)
    six_before, five_before = article_row(six.pk), article_row(five.pk)
    etag = f'"article-{five.pk}-v{five.version}"'
    body = {"id": six.pk, "version": 99, "headline": "Changed", "site": site.pk}
    url = f"{API}/articles/{five.pk}/?id={six.pk}&pk={six.pk}"

    with db_unchanged():  # a non-publisher cannot publish, and unknown fields are refused
        refused = writer.put(url, {**body, "status": "published"}, format="json", HTTP_IF_MATCH=etag)
        assert refused.status_code == 403
        refused = writer.put(url, {**body, "created_by": world["admin"].pk}, format="json", HTTP_IF_MATCH=etag)
        assert (refused.status_code, refused.json()) == (400, {"created_by": ["Unknown field."]})

    response = writer.put(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["id"] == five.pk
    assert article_row(six.pk) == six_before  # row 6 byte-identical
    after = article_row(five.pk)
    changed = {key for key in after if after[key] != five_before[key]}
    assert after["headline"] == "Changed" and after["version"] == five_before["version"] + 1
    assert after["status"] == "draft" and after["id"] == five.pk
    assert changed <= {"headline", "version", "modified_at", "updated_at", "word_count", "search_vector", "body"}


# --- API-04 ------------------------------------------------------------------------------------


def component_properties(schema, name) -> set[str]:
    return set(schema["components"]["schemas"][name]["properties"])


def test_api_04_no_draft_leakage(world, api):
    schema = openapi()
    public_article = component_properties(schema, "Article")
    tombstone = component_properties(schema, "Tombstone")
    public_image = component_properties(schema, "Image")
    secret_ids = {world[k].pk for k in ("draft", "scheduled", "embargoed")}
    withdrawn = world["withdrawn"].pk
    client = api()
    site, tag, section, author = world["site"], world["tag"], world["section"], world["author"]
    params = {
        "status": ["", "draft", "scheduled", "withdrawn", "published"],
        "ordering": ["", "-published_at", "published_at", "modified_at", "-modified_at", "status"],
        "q": ["", "secret", "Secret draft", "trams"],
        "page_size": ["", "1", "100"],
    }
    extras = [
        {},
        {"site": site.pk},
        {"tag": tag.slug},
        {"section": section.slug},
        {"author": author.slug},
        {"published_after": "1900-01-01T00:00:00Z"},
        {"published_before": "2999-01-01T00:00:00Z"},
        {"updated_since": "1900-01-01T00:00:00Z"},
        {"include_drafts": "1", "preview": "1", "is_public": "0"},
    ]
    combinations = 0
    for values in itertools.product(*params.values()):
        query = {k: v for k, v in zip(params, values, strict=True) if v}
        extra = extras[combinations % len(extras)]
        combinations += 1
        url = f"{API}/articles/"
        pages = 0
        request = {**query, **extra}
        while url and pages < 10:
            response = client.get(url, request)
            assert response.status_code in (200, 400), (request, response.status_code)
            if response.status_code == 400:
                break
            for item in response.json()["results"]:
                if item["id"] == withdrawn or item.get("status") == "withdrawn":
                    assert set(item) <= tombstone and "headline" not in item, item
                else:
                    assert item["id"] not in secret_ids, (request, item["headline"])
                    assert set(item) <= public_article and "Secret" not in item["headline"]
            url, request, pages = response.json().get("next"), {}, pages + 1
    assert combinations >= 100

    for key in ("draft", "scheduled", "embargoed", "withdrawn"):
        pk = world[key].pk
        for suffix in ("", "revisions/", "revisions/1/", "ninjs/", "comments/"):
            response = client.get(f"{API}/articles/{pk}/{suffix}")
            assert response.status_code in (404, 410), (key, suffix, response.status_code)
            assert "Secret" not in response.content.decode()
    images = client.get(f"{API}/images/", {"page_size": 100}).json()["results"]
    assert [image["id"] for image in images] == [world["photo"].pk]
    assert all(set(image) <= public_image for image in images)
    for key in ("draft_photo", "loose_photo"):
        image = world[key]
        assert client.get(f"{API}/images/{image.pk}/").status_code == 404
        assert Client().get(f"/img/{image.pk}/320.webp").status_code == 404
    assert client.get(f"{API}/images/{world['photo'].pk}/").status_code == 200


# --- API-05 ------------------------------------------------------------------------------------

ORACLE_PAIRS = [
    ("author__email__startswith", "a", "z"),
    ("bylines__author__user__password__startswith", "pbkdf2", "zzz"),
    ("created_by__password__startswith", "md5", "zzz"),
    ("filter", "password__startswith=a", "password__startswith=z"),
    ("ordering", "author__password", "-author__password"),
    ("ordering", "bylines__author__user__email", "-bylines__author__user__email"),
    ("user__email__contains", "@", "#"),
    ("email_hash__startswith", "0", "f"),
    ("client_hash__startswith", "0", "f"),
    ("status", "draft", "published"),
    ("search", "a", "zzz"),
]


def test_api_05_private_field_oracle(world, api):
    lists = [f"{API}/articles/", f"{API}/authors/", f"{API}/images/", f"{API}/sites/", f"{API}/articles/"
             f"{world['published'].pk}/comments/", f"{API}/articles/{world['published'].pk}/revisions/"]  # fmt: skip
    differing = []
    for url, (name, first, second) in itertools.product(lists, ORACLE_PAIRS):
        one, two = api().get(url, {name: first}), api().get(url, {name: second})
        assert one.status_code < 500 and two.status_code < 500
        if (one.status_code, one.content) != (two.status_code, two.content):
            differing.append((url, name, one.status_code, two.status_code))
    assert not differing, differing
    page = Client()
    for name, first, second in ORACLE_PAIRS:
        one = page.get("/search/", {"q": "tram", name: first}).content
        assert one == page.get("/search/", {"q": "tram", name: second}).content, name


# --- API-06 ------------------------------------------------------------------------------------

NUL = "a\x00b"


def test_api_06_nul_bytes_everywhere(world, api, caplog):
    editor, anonymous = api(user=world["editor"]), api()
    article, site = world["published"], world["site"]
    etag = f'"article-{article.pk}-v{article.version}"'
    article_fields = ["headline", "slug", "dek", "body", "language", "withdrawn_reason", "source_publisher",
                      "canonical_url", "message", "section", "status", "comments_mode", "published_at"]  # fmt: skip
    with db_unchanged():
        for field in article_fields:
            body = {"headline": "Fine", "site": site.pk, field: NUL}
            assert editor.post(f"{API}/articles/", body, format="json").status_code == 400, field
            response = editor.patch(f"{API}/articles/{article.pk}/", {field: NUL}, format="json", HTTP_IF_MATCH=etag)
            assert response.status_code == 400, field
        for body in ({"tags": [NUL]}, {"dateline": {"place": NUL}}, {"bylines": [{"author": NUL}]}):
            assert (
                editor.post(f"{API}/articles/", {"headline": "x", "site": site.pk, **body}, format="json").status_code
                == 400
            )
        for field in ("name", "slug", "bio", "url", "affiliation", "kind"):
            assert editor.post(f"{API}/authors/", {"name": "Ok", field: NUL}, format="json").status_code == 400, field
        for field in ("alt_text", "caption", "creator", "agency", "distributor", "copyright_notice", "credit"):
            response = editor.patch(f"{API}/images/{world['photo'].pk}/", {field: NUL}, format="json")
            assert response.status_code == 400, field
        response = editor.patch(
            f"{API}/sites/{site.pk}/settings/", {"comments_notice": NUL}, format="json",
            HTTP_IF_MATCH=editor.get(f"{API}/sites/{site.pk}/settings/")["ETag"],
        )  # fmt: skip
        assert response.status_code in (400, 403)
        for body in ({"username": NUL, "password": "x"}, {"username": "editor", "password": NUL}):
            assert anonymous.post(f"{API}/auth/token/", body, format="json").status_code == 400
        comment = {"display_name": NUL, "body": "Nice", "email": "r@example.org"}
        assert anonymous.post(f"{API}/articles/{article.pk}/comments/", comment, format="json").status_code == 400
        form = Client().post(f"/comments/{article.pk}/post/", {"name": NUL, "comment": NUL, "email": "a@b.c"})
        assert form.status_code in (400, 403)
        # Query parameters, path segments and headers, anonymous and staff.
        for client in (anonymous, editor):
            for name in ("q", "author", "tag", "section", "site", "status", "cursor", "ordering", "published_after",
                         "updated_since", "page_size", "reason"):  # fmt: skip
                assert client.get(f"{API}/articles/", {name: NUL}).status_code == 400, name
            for url in (f"{API}/authors/", f"{API}/images/", f"{API}/sites/", "/search/", "/", "/feeds/rss/"):
                assert client.get(url, {"q": NUL, "cursor": NUL}).status_code == 400, url
            for path in (f"{API}/articles/%00/", f"{API}/articles/1%00/", "/tags/a%00b/", "/authors/a%00/",
                         "/sections/%00/", "/archive/2026/%00/", article.get_absolute_url() + "%00/",
                         "/a%00/", "/admin/%00/"):  # fmt: skip
                assert client.get(path).status_code in (400, 404), path
            for header in ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE",
                           "HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_USER_AGENT", "HTTP_REFERER"):  # fmt: skip
                response = client.get(f"{API}/articles/{article.pk}/", **{header: NUL})
                assert response.status_code == 400, header
                assert Client().get("/", **{header: NUL}).status_code == 400, header
    no_server_errors(caplog)


# --- API-07 ------------------------------------------------------------------------------------

UNICODE_TEXTS = [
    "Café ☕ 東京 👩🏽‍🚀🏳️‍🌈",
    "\u202eevil\u202c right-to-left override",
    "e\u0301 combining a\u0308\u0304 marks Z\u0351\u0352\u0353",
    "עברית ועברית العربية",
    "zero\u200bwidth\u200djoiner\ufeff",
]


def test_api_07_datetime_and_unicode_round_trip(world, api):
    editor = api(user=world["editor"])
    site = world["site"]
    assert settings.TIME_ZONE == "UTC"
    for year in ("0001", "1267", "1900", "9999"):
        moment = f"{year}-06-15T12:30:00Z"
        before = snapshot()
        response = editor.post(
            f"{API}/articles/", {"headline": f"Year {year}", "site": site.pk, "published_at": moment}, format="json"
        )
        if response.status_code == 201:
            got = editor.get(response["Location"]).json()["published_at"]
            assert RFC3339.match(got) and got.replace(".000000", "") in (moment, moment.replace("Z", "+00:00")), got
        else:
            assert response.status_code == 400, (year, response.content)
            assert "published_at" in response.json()
            assert snapshot() == before
    for text in UNICODE_TEXTS:
        response = editor.post(
            f"{API}/articles/", {"headline": text, "dek": text, "site": site.pk, "body": f"<p>{text}</p>"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, (text, response.content)
        stored = editor.get(response["Location"]).json()
        assert (stored["headline"], stored["dek"]) == (text, text)
        assert RFC3339.match(stored["modified_at"])
        author = editor.post(f"{API}/authors/", {"name": text}, format="json")
        assert author.status_code == 201 and editor.get(f"{API}/authors/{author.json()['id']}/").json()["name"] == text
    with db_unchanged():
        for escaped in ('"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"'):
            raw = f'{{"headline": {escaped}, "site": {site.pk}}}'
            response = editor.post(f"{API}/articles/", raw, content_type="application/json")
            assert response.status_code == 400, (escaped, response.content)
            raw = f'{{"name": {escaped}}}'
            assert editor.post(f"{API}/authors/", raw, content_type="application/json").status_code == 400
        response = api().post(
            f"{API}/articles/{world['published'].pk}/comments/",
            '{"display_name": "\\ud800", "body": "x", "email": "a@b.c"}', content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 400


# --- API-08 ------------------------------------------------------------------------------------

INJECTED = [
    {"_connector": "OR"},
    {"_connector": "OR) OR 1=1--", "_negated": "1"},
    {"_negated": "1", "status": "draft"},
    {"headline__regex": "(a+)+$", "id__gt": "0"},
    {"status' OR '1'='1": "1"},
    {"\"status\" = 'draft' --": "1"},
    {"pk__in": "1,2,3) OR 1=1 --"},
    {"published_at__year__gt": "0; DROP TABLE articles_article"},
    {"tags__slug": "x' UNION SELECT password FROM auth_user --"},
    {"ordering": "(SELECT password FROM auth_user)"},
    {"q": "'; DROP TABLE articles_article; --"},
    {"author": "x') OR ('1'='1"},
]


def test_api_08_dict_expansion_rule(world, api, caplog):
    before = snapshot()
    secret = {world[k].pk for k in ("draft", "scheduled", "embargoed")}
    for params in INJECTED:
        for url in (f"{API}/articles/", f"{API}/authors/", f"{API}/images/", f"{API}/sites/", "/search/"):
            response = api().get(url, params)
            assert response.status_code in (200, 400), (url, params, response.status_code)
            if url.startswith(API) and response.status_code == 200 and "articles" in url:
                assert not {item["id"] for item in response.json()["results"]} & secret
        response = api(user=world["editor"]).post(f"{API}/articles/", {"headline": "x", **params}, format="json")
        assert response.status_code == 400
    assert snapshot() == before
    no_server_errors(caplog)


def test_api_08_no_request_data_expanded_into_queries():
    files = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    pattern = re.compile(r"\.(filter|exclude|annotate|aggregate|order_by|get|update|create|values)\(\s*\*{1,2}\s*"
                         r"(self\.)?(request|req)\b")  # fmt: skip
    found = []
    for name in files.stdout.split():
        if name.startswith("tests/"):
            continue
        for number, line in enumerate((ROOT / name).read_text().splitlines(), 1):
            if pattern.search(line) or re.search(r"\*\*\s*(self\.)?request\.(GET|POST|query_params|data)\b", line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, found


# --- API-09 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["a" * 100_000, '"' * 10_000, "(" * 10_000, "-" * 10_000, "a:" * 5_000, "(a|" * 2_500 + "b"]
)
def test_api_09_search_redos(world, api, text):
    """Every search answers 200 or 400 within 500 ms (wall clock, a generous bound on a shared
    2-core machine)."""
    for url, name in ((f"{API}/articles/", "q"), (f"{API}/authors/", "q"), ("/search/", "q"),
                      (f"{API}/articles/", "search")):  # fmt: skip
        for client in (api(), api(user=world["editor"])):
            started = time.perf_counter()
            response = client.get(url, {name: text})
            elapsed = time.perf_counter() - started
            assert response.status_code in (200, 400), (url, response.status_code)
            assert elapsed < 0.5, f"{url}?{name}=<{len(text)} chars> took {elapsed:.3f} s"
