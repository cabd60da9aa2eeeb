# ruff: noqa: E501 - the |safe allowlist quotes code lines whole
"""HTML-01..HTML-07 of RELIABILITY.md: sanitised bodies and comments, plain-text fields that
stay text everywhere they are printed, the ``|safe`` budget, and what the sanitiser and the
templates cost on hostile input. SQLite and PostgreSQL.

Article bodies are sanitised by ``articles.html.sanitize_body`` (nh3, on every write and
again when shown); comments by ``comments.text.render_comment``. HTML-02/03 run 1,000
hypothesis-generated inputs through each (``database=None``: nothing written to disk).
"""

import json
import re
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from articles import html as bodies
from articles import services
from articles.models import Article, ArticleImage
from comments import services as comment_services
from comments.models import Comment
from comments.text import COMMENT_ATTRIBUTES, COMMENT_TAGS, render_comment
from tests import factories
from tests.reliability.dbstate import db_unchanged

ROOT = Path(__file__).resolve().parents[2]

# --- HTML-01: the XSS corpus ---------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<p onmouseover="alert(1)">x</p>',
    '<body onload=alert(1)>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    '<a href="https://ok.example/" onclick="alert(1)" target="_blank">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<details open ontoggle=alert(1)>',
    '<input autofocus onfocus=alert(1)>',
    # Wagtail CVE-2021-29434: a rich-text link whose href is a javascript: URL
    '<a linktype="external" href="javascript:alert(document.domain)">click</a>',
]  # fmt: skip

ACTIVE = re.compile(
    r"<\s*(script|iframe|object|embed|svg|math|style|meta|base|form|input|body|details|img)\b"
    r"|\bon[a-z]+\s*=|javascript:|vbscript:|data:text|\bstyle\s*=",
    re.IGNORECASE,
)


def leaks(text: str) -> list[str]:
    return [m[0] for m in ACTIVE.finditer(text)]


def body_region(page: str) -> str:
    """The article's body and comments on a public page (the head's JSON-LD, CSP-allowed
    script tags and the site chrome are not user content)."""
    start = page.index("<article")
    return page[start : page.rindex("</article>")]


@pytest.fixture
def editor_api(db):
    client = APIClient()
    client.force_authenticate(factories.user_in_group("Editor", username="desk"))
    return client


@pytest.fixture
def article(site):
    return factories.published_article(site=site, published_at=timezone.now() - timedelta(days=1))


def test_html_01_xss_corpus_article_api_and_admin(editor_api, admin_user, site):
    admin = Client()
    admin.force_login(admin_user)
    author = factories.AuthorFactory()
    for index, vector in enumerate(XSS):
        body = f"<p>Before {index}.</p>{vector}<p>After.</p>"
        response = editor_api.post(
            "/api/v1/articles/",
            {"site": site.pk, "headline": f"Story {index}", "body": body, "slug": f"api-{index}"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert leaks(response.json()["body"]) == [], vector
        stored = Article.objects.get(pk=response.json()["id"])
        assert leaks(stored.body) == [], (vector, stored.body)
        services.article_update(article=stored, bylines=[services.BylineSpec(author=author)])
        services.article_publish(article=stored)
        page = Client().get(stored.get_absolute_url())
        assert page.status_code == 200
        assert leaks(body_region(page.content.decode())) == [], vector
    # The admin form writes through the same sanitiser (direct POST, no editor JS).
    before = Article.objects.count()
    for index, vector in enumerate(XSS[:6]):
        response = admin.post(
            "/admin/articles/article/add/",
            {
                "site": site.pk,
                "headline": f"Admin story {index}",
                "slug": f"admin-{index}",
                "body": vector + "<p>x</p>",
                "language": "en",
                "status": "draft",
                "comments_mode": "inherit",
                "bylines-TOTAL_FORMS": "1",
                "bylines-INITIAL_FORMS": "0",
                "bylines-0-author": author.pk,
                "bylines-0-role": "author",
                "bylines-0-position": "0",
                "placements-TOTAL_FORMS": "0",
                "placements-INITIAL_FORMS": "0",
                "corrections-TOTAL_FORMS": "0",
                "corrections-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    added = Article.objects.order_by("pk")[before:]
    assert len(added) == 6
    for stored in added:
        assert leaks(stored.body) == [], stored.body


def test_html_01_xss_corpus_comments(article, settings):
    site_settings = article.site.settings
    site_settings.comments_premoderated = False
    site_settings.save()
    api = APIClient()
    for index, vector in enumerate(XSS):
        settings.COMMENTS = {**settings.COMMENTS, "PER_CLIENT": (1000, 600), "PER_ARTICLE": (1000, 60)}
        response = api.post(
            f"/api/v1/articles/{article.pk}/comments/",
            {"display_name": f"Reader {index}", "body": f"Reply {index}: {vector}"},
            format="json",
        )
        assert response.status_code == 201, response.content
    comments = Comment.objects.all()
    assert comments.count() == len(XSS)
    Comment.objects.update(status=Comment.Status.APPROVED)
    for comment in comments:
        assert leaks(comment.body_html) == [], comment.body_html
    listing = APIClient().get(f"/api/v1/articles/{article.pk}/comments/")
    assert all(leaks(c["body_html"]) == [] for c in listing.json()["results"])
    for url in (article.get_absolute_url(), f"/comments/{article.pk}/"):
        page = Client().get(url)
        assert page.status_code == 200
        shown = re.findall(r'<div class="comment-body">(.*?)</div>', page.content.decode(), re.S)
        assert len(shown) == len(XSS), url
        assert [leaks(block) for block in shown if leaks(block)] == []


# --- HTML-02 / HTML-03: allowlist conformance and idempotence (hypothesis) -------------------

EXTRA_TAGS = ["script", "img", "iframe", "svg", "style", "div", "span", "object", "math", "form", "h1", "video"]
ATTRS = ["href", "src", "title", "lang", "style", "onclick", "onerror", "class", "id", "data-placement", "cite", "target",
         "rel", "colspan", "scope", "datetime", "hreflang"]  # fmt: skip
URLS = ["https://example.org/a?b=1", "http://x.example", "mailto:a@b.example", "javascript:alert(1)",
        "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example/x", "/relative", "#frag",
        " javascript:x", "java\tscript:x", "ftp://files.example", "/media/images/a.jpg"]  # fmt: skip
TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'=/;:!-\u202e\u00e9")), max_size=12)


@st.composite
def html_fragments(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "element", "comment", "raw"]))
        if kind == "text":
            parts.append(draw(TEXT))
        elif kind == "comment":
            parts.append(f"<!--{draw(TEXT)}-->")
        elif kind == "raw":
            parts.append(draw(st.sampled_from(["<", ">", "&", "&amp;", "&lt;script&gt;", "</p>", "<p", "<!", "]]>"])))
        else:
            tag = draw(st.sampled_from(sorted(bodies.BODY_TAGS) + EXTRA_TAGS))
            attrs = []
            for name in draw(st.lists(st.sampled_from(ATTRS), max_size=3)):
                value = draw(st.sampled_from(URLS)) if name in {"href", "src", "cite"} else draw(TEXT)
                quote = draw(st.sampled_from(['"', "'", ""]))
                attrs.append(f" {name}={quote}{value}{quote}")
            inner = draw(html_fragments(depth + 1)) if depth < 3 else draw(TEXT)
            closing = draw(st.booleans())
            parts.append(f"<{tag}{''.join(attrs)}>{inner}" + (f"</{tag}>" if closing else ""))
    return "".join(parts)


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_conforms(output: str, tags, attributes, schemes, rel: str, generic=frozenset()) -> None:
    for tag, attrs in elements(output):
        assert tag in tags, (tag, output)
        allowed = set(attributes.get(tag, ())) | set(generic) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs, output)
        for name in ("href", "src", "cite"):
            if attrs.get(name):
                scheme = urlsplit(attrs[name]).scheme.lower()
                # no scheme: relative, or //host (which takes the page's https)
                assert scheme in schemes or scheme == "", (attrs[name], output)
        if tag == "img":
            raise AssertionError("img is not on the allowlist of bodies or comments")
        if tag == "a":
            assert attrs.get("rel") == rel, (attrs, output)


HYPOTHESIS = hsettings(
    max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@HYPOTHESIS
@given(html_fragments())
def test_html_02_body_allowlist_conformance(dirty):
    try:
        clean = bodies.sanitize_body(dirty)
    except bodies.ValidationError:
        return  # refused by the shape check (HTML-06): nothing stored
    assert_conforms(
        clean, bodies.BODY_TAGS, bodies.BODY_ATTRIBUTES, bodies.URL_SCHEMES, "noopener", bodies.GENERIC_ATTRIBUTES
    )


@HYPOTHESIS
@given(html_fragments())
def test_html_02_comment_allowlist_conformance(dirty):
    clean = render_comment(dirty)
    assert_conforms(clean, COMMENT_TAGS, COMMENT_ATTRIBUTES, {"http", "https"}, "nofollow ugc noopener")


@HYPOTHESIS
@given(html_fragments())
def test_html_03_idempotent(dirty):
    try:
        once = bodies.sanitize_body(dirty)
    except bodies.ValidationError:
        return
    assert bodies.sanitize_body(once) == once


def test_html_02_no_img_and_scheme_relative_links_never_survive():
    """Bodies carry no <img> at all (photos are placements rendered by our own template
    from our storage), so no img[src] from another origin can be stored."""
    assert "img" not in bodies.BODY_TAGS and "img" not in COMMENT_TAGS
    assert bodies.sanitize_body('<img src="https://evil.example/x.png">') == ""
    assert "<img" not in render_comment('<img src="https://evil.example/x.png">')


# --- HTML-04: plain-text fields stay text ------------------------------------------------------

PAYLOADS = ["<img src=x onerror=alert(1)>", '"><script>alert(2)</script>']


def unescaped(text: str) -> list[str]:
    return [p for p in PAYLOADS + ["<img src=x", '"><script>', "</script><"] if p in text]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_04_plain_text_fields_escaped_everywhere(site, admin_user, payload):
    site.settings.comments_premoderated = False
    site.settings.save()
    author = factories.AuthorFactory(name=f"Ana {payload}")
    image = factories.image_with_file(
        alt_text=f"alt {payload}", caption=f"caption {payload}", creator=f"creator {payload}", agency="AFP"
    )
    tag = factories.TagFactory(name=f"tag {payload}", slug="hostile-tag")
    article = services.article_create(
        site=site,
        headline=f"headline {payload}",
        slug="hostile",
        dek=f"dek {payload}",
        dateline_place=f"LISBON {payload}",
        body="<p>Body.</p>",
        bylines=[
            services.BylineSpec(author=author),
            services.BylineSpec(credit_text=f"Reuters {payload}", role="contributor"),
        ],
        placements=[
            services.PlacementSpec(image=image, role="lead", caption=f"use caption {payload}"),
        ],
    )
    article.tags.add(tag)
    services.article_publish(article=article)
    services.article_update(article=article, headline=f"second headline {payload}")
    article.refresh_from_db()
    comment_services.comment_post(
        article=article, display_name=f"name {payload}", body=f"text {payload}", client_address="192.0.2.1"
    )
    placement = ArticleImage.objects.get(article=article)
    admin = Client()
    admin.force_login(admin_user)
    anonymous = Client()
    urls = {
        "public page": (anonymous, article.get_absolute_url()),
        "front page": (anonymous, "/"),
        "tag page": (anonymous, "/tags/hostile-tag/"),
        "author page": (anonymous, f"/authors/{author.slug}/"),
        "comments page": (anonymous, f"/comments/{article.pk}/"),
        "rss": (anonymous, "/feeds/rss/"),
        "atom": (anonymous, "/feeds/atom/"),
        "sitemap": (anonymous, "/sitemap.xml"),
        "news sitemap": (anonymous, "/sitemap-news.xml"),
        "admin article list": (admin, "/admin/articles/article/"),
        "admin article form": (admin, f"/admin/articles/article/{article.pk}/change/"),
        "admin image list": (admin, "/admin/articles/image/"),
        "admin image form": (admin, f"/admin/articles/image/{image.pk}/change/"),
        "admin author list": (admin, "/admin/articles/author/"),
        "admin tag list": (admin, "/admin/articles/tag/"),
        "admin comment list": (admin, "/admin/comments/comment/"),
        "admin history": (admin, f"/admin/articles/article/{article.pk}/history/"),
        "admin revision diff": (admin, f"/admin/articles/article/{article.pk}/revisions/2/3/"),
    }
    seen = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        if response.status_code == 302:
            response = client.get(response["Location"])
        assert response.status_code == 200, (name, url, response.status_code)
        content = response.content.decode()
        seen[name] = content
        assert unescaped(content) == [], (name, unescaped(content))
    assert "headline" in seen["rss"] and "second headline" in seen["public page"]
    assert placement.pk
    # JSON-LD: no </script> breakout, and the values survive as text
    page = seen["public page"]
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert blocks
    data = json.loads(blocks[0])
    assert data["headline"].endswith(payload)
    assert "<" not in blocks[0] and ">" not in blocks[0]
    # Admin messages: publishing from the list names the article in its messages.
    draft = services.article_create(
        site=site, headline=f"draft {payload}", slug="hostile-draft", body="<p>x</p>",
        bylines=[services.BylineSpec(author=author)],
    )  # fmt: skip
    response = admin.post(
        "/admin/articles/article/",
        {"action": "publish_selected", "_selected_action": [draft.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(payload in m for m in messages), messages  # the message names it…
    assert unescaped(response.content.decode()) == []  # …escaped


# --- HTML-05: the |safe budget -------------------------------------------------------------------

# Every place that marks HTML as safe, as "file: the marked expression". Adding one needs a
# review: the value must be sanitised (bodies, comments) or built by format_html/escape.
SAFE_ALLOWLIST = {
    "articles/admin/common.py: format_html('<span class=\"quiet\">{}</span>', _(\"no file\"))",
    "articles/admin/common.py: format_html(",
    'articles/admin/common.py: format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))',
    "articles/admin/history.py: mark_safe(table)",
    "articles/admin/sites.py: format_html('<strong class=\"commenting-{}\">{}</strong>', str(label).lower(), label)",
    "articles/admin/images.py: format_html(IMAGE_IN_LIBRARY, url=url, image=str(twin))",
    "articles/admin/articles.py: format_html(",
    "articles/jsonld.py: format_html('<script type=\"application/ld+json\">{}</script>', mark_safe(escaped))",
    "articles/jsonld.py: mark_safe(escaped)",
    "articles/templatetags/archive.py: mark_safe(\"\".join(names))",
    "articles/templatetags/archive.py: mark_safe(f\"{', '.join(names[:-1])} {conjunction} {names[-1]}\")",
    "articles/templatetags/archive.py: format_html(_(\"By {main}, with additional reporting by {others}\"), main=main, others=additional)",
    "articles/templatetags/archive.py: format_html(_(\"By {main}\"), main=main)",
    "articles/templatetags/archive.py: format_html(_(\"Additional reporting by {others}\"), others=additional)",
    "articles/templatetags/archive.py: format_html(_(\"Photographs by {names}\"), names=photographers)",
    "articles/templatetags/archive.py: format_html('<span class=\"byline-name\">{}</span>', byline.display_name)",
    "articles/templatetags/archive.py: format_html('<a class=\"byline-name\" href=\"{}\" rel=\"author\">{}</a>', url, byline.display_name)",
    "articles/templatetags/archive.py: mark_safe(\"\".join(format_html('<p class=\"byline\">{}</p>', s) for s in sentences))",
    "articles/templatetags/archive.py: format_html('<p class=\"byline\">{}</p>', s)",
    "articles/templatetags/archive.py: format_html('<span class=\"dateline\">{}</span> ', article.dateline)",
    "articles/templatetags/archive.py: format_html('<p><span class=\"dateline\">{}</span></p>', article.dateline)",
    "articles/templatetags/archive.py: mark_safe(body)",
    "articles/templatetags/archive.py: mark_safe(render_figure(placement, lead=lead))",
    "articles/templatetags/renditions.py: format_html_join(",
    "articles/templatetags/renditions.py: format_html(' width=\"{}\" height=\"{}\"', image.width, image.height)",
    "articles/templatetags/renditions.py: format_html(",
    "articles/views.py: mark_safe(parts[\"meta\"])",  # rendered (autoescaped) templates, cached
    "articles/views.py: mark_safe(parts[\"main\"])",
    "articles/templates/articles/revision_detail.html: snapshot.body|safe",  # sanitize_body(stored=True) in memento
    "comments/templates/comments/_list.html: comment.body_html|safe",  # render_comment (nh3) on write
}  # fmt: skip

_MARKERS = re.compile(r"\b(mark_safe|format_html_join|format_html)\(|([\w.]+)\|safe\b|\{%\s*autoescape\s+off")


def _balanced(text: str) -> str:
    """``text`` up to the parenthesis closing its first one (or the end of the line)."""
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and char == ")":
            return text[: index + 1]
    return text.rstrip()


def safe_marks() -> set[str]:
    """Every ``mark_safe(…)``, ``format_html(…)``, ``format_html_join(…)``, ``x|safe`` and
    ``{% autoescape off %}`` in app code and templates, as "file: expression"."""
    found = set()
    for folder in ("articles", "comments", "cms"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt", ".xml"} or "migrations" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            for line in path.read_text(encoding="utf-8").splitlines():
                code = line.split("  # ")[0].strip() if path.suffix == ".py" else line
                if code.startswith(("from ", "import ", "#")):
                    continue
                for match in _MARKERS.finditer(code):
                    if match[2]:
                        found.add(f"{name}: {match[2]}|safe")
                    elif match[1]:
                        found.add(f"{name}: {_balanced(code[match.start() :])}")
                    else:
                        found.add(f"{name}: autoescape off")
    return found


def test_html_05_safe_budget():
    marks = safe_marks()
    unreviewed = sorted(marks - SAFE_ALLOWLIST)
    assert unreviewed == [], "new |safe / mark_safe / format_html: review and add to SAFE_ALLOWLIST"
    assert not any("autoescape off" in m for m in marks)
    stale = sorted(SAFE_ALLOWLIST - marks)
    assert stale == [], "allowlist entries no longer in the code: remove them"


# --- HTML-06: sanitiser cost ----------------------------------------------------------------------

TYPICAL_PARAGRAPH = (
    '<p>The council <strong>voted</strong> on <a href="https://example.org/plan">the plan</a> on '
    "Tuesday, and residents said the <em>tram</em> line was long overdue.</p>\n"
)


def cpu_seconds() -> float:
    """CPU time of this process: what the sanitiser or a page costs, which other jobs on a
    shared CI machine cannot inflate the way they inflate wall time (database time in a
    PostgreSQL server process is not counted; it is a few queries here)."""
    return time.process_time()


def timed(function, *args):
    best = None
    for _ in range(3):  # best of three: the machine is shared
        started = cpu_seconds()
        result = function(*args)
        elapsed = cpu_seconds() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def test_html_06_typical_megabyte_under_200_ms():
    """The sanitiser itself on 1 MB: the service caps bodies at 512 KB (MAX_BODY_BYTES, tested
    below), so the 1 MB figure is taken on ``sanitize_body`` directly, which accepts up to
    MAX_SANITIZE_BYTES (2 MiB) from any path."""
    body = TYPICAL_PARAGRAPH * (1024 * 1024 // len(TYPICAL_PARAGRAPH) + 1)
    assert len(body.encode()) > 1024 * 1024
    seconds, clean = timed(bodies.sanitize_body, body)
    assert seconds < 0.2, seconds
    assert clean.count("<p>") > 5000


def test_html_06_comment_at_max_length_under_10_ms(settings):
    text = ("Links like https://example.org/x and <em>emphasis</em> & more. " * 100)[: settings.COMMENTS["MAX_LENGTH"]]
    seconds, _ = timed(render_comment, text)
    assert seconds < 0.01, seconds


@pytest.mark.parametrize("tag", ["div", "blockquote", "b", "span"])
def test_html_06_deep_nest_rejected_400_fast(editor_api, admin_user, site, tag):
    nest = f"<{tag}>" * 20000 + "x" + f"</{tag}>" * 20000
    started = cpu_seconds()
    with pytest.raises(bodies.ValidationError) as refusal:
        bodies.sanitize_body(nest)
    assert cpu_seconds() - started < 0.05
    assert refusal.value.code == "too_deep"
    with db_unchanged():
        started = cpu_seconds()
        response = editor_api.post(
            "/api/v1/articles/", {"site": site.pk, "headline": "Deep", "body": nest}, format="json"
        )
        assert response.status_code == 400, response.content
        assert "256 deep" in json.dumps(response.json())
        assert cpu_seconds() - started < 0.5  # the request as a whole, parsing JSON included


def test_html_06_body_over_the_cap_is_refused(editor_api, site):
    body = TYPICAL_PARAGRAPH * (700 * 1024 // len(TYPICAL_PARAGRAPH))
    with db_unchanged():
        response = editor_api.post(
            "/api/v1/articles/", {"site": site.pk, "headline": "Big", "body": body}, format="json"
        )
    assert response.status_code == 400
    assert "524288" in json.dumps(response.json())


# --- HTML-07: render-time cost ------------------------------------------------------------------


TEMPLATE_DIRS = [ROOT / "articles" / "templates", ROOT / "comments" / "templates", ROOT / "cms" / "templates"]


def test_html_07_no_unbounded_filters_in_templates():
    """striptags / truncatewords_html / urlize / truncatechars_html / linebreaks run per
    request on whatever they get: none on user content in public templates (a headline
    truncated in an admin breadcrumb is bounded by the field's 300 characters)."""
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(
                r"\|\s*(striptags|truncatewords_html|truncatechars_html|urlize\w*|linebreaks\w*)", text
            ):
                offenders.append(f"{path.relative_to(ROOT)}: {match[1]}")
            for match in re.finditer(r"\|\s*(truncatewords|truncatechars)\b", text):
                if "headline" not in text[max(0, match.start() - 40) : match.start()]:
                    offenders.append(f"{path.relative_to(ROOT)}: {match[1]}")
    assert offenders == []
    for name in ("views.py", "feeds.py", "jsonld.py", "sitemaps.py"):
        source = (ROOT / "articles" / name).read_text(encoding="utf-8")
        assert "strip_tags(" not in source and "Truncator(" not in source, name


PATHOLOGICAL = {
    "a-bomb": "<a" * 50000 + ">" * 50000,
    "100k paragraphs": "<p>" * 100000,
    "20k nest written raw": "<div>" * 20000,
}


@pytest.mark.parametrize("kind", PATHOLOGICAL)
def test_html_07_render_time(site, settings, kind):
    settings.ARCHIVE_PAGES = {**settings.ARCHIVE_PAGES, "PAGE_CACHE_TIMEOUT": 0}
    body = PATHOLOGICAL[kind]
    article = factories.published_article(site=site, dek="A short dek.")
    try:
        services.article_update(article=article, body=body)  # through the service when it accepts it
    except bodies.ValidationError:
        Article.objects.filter(pk=article.pk).update(body=body)  # a raw write (restore, shell)
    article.refresh_from_db()
    client = Client()
    client.get(article.get_absolute_url())  # warm the process (templates, URL resolver)
    best = None
    for _ in range(3):
        started = cpu_seconds()
        response = client.get(article.get_absolute_url())
        elapsed = cpu_seconds() - started
        best = elapsed if best is None else min(best, elapsed)
        assert response.status_code == 200
    assert best < 0.5, best
    page = response.content.decode()
    # og:description and the JSON-LD description come from the dek (stored), never the body
    assert '<meta property="og:description" content="A short dek.">' in page
    assert leaks(body_region(page)) == []


def test_html_07_long_url_like_comment(article, settings):
    site_settings = article.site.settings
    site_settings.comments_premoderated = False
    site_settings.save()
    text = "http://" + "a." * 50000 + "example/" + "x" * 1000
    response = APIClient().post(
        f"/api/v1/articles/{article.pk}/comments/", {"display_name": "Ana", "body": text}, format="json"
    )
    assert response.status_code == 400  # over MAX_LENGTH: refused before any rendering
    assert not Comment.objects.exists()
    longest = ("http://" + "a." * 2000)[: settings.COMMENTS["MAX_LENGTH"]]
    comment_services.comment_post(article=article, display_name="Ana", body=longest, client_address="192.0.2.9")
    Comment.objects.update(status=Comment.Status.APPROVED)
    started = cpu_seconds()
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200 and cpu_seconds() - started < 0.5
