"""The body sanitiser and the measures derived from a body (word count, read time)."""

import pytest

from articles.html import body_text, count_words, read_time_minutes, sanitize_body

HOSTILE = [
    ('<p>ok</p><script>alert(1)</script>', "<p>ok</p>"),
    ('<p onclick="alert(1)">x</p>', "<p>x</p>"),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener">x</a>'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener">x</a>'),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a rel="noopener">x</a>'),
    ('<a href="vbscript:msgbox(1)">x</a>', '<a rel="noopener">x</a>'),
    ('<p style="background:url(javascript:alert(1))">x</p>', "<p>x</p>"),
    ('<img src=x onerror=alert(1)>', ""),
    ('<svg onload=alert(1)><circle/></svg>', ""),
    ('<iframe src="https://evil.example"></iframe>', ""),
    ('<object data="x.swf"></object>', ""),
    ('<form action="/x"><input name=a></form>', ""),
    ('<style>body{display:none}</style><p>x</p>', "<p>x</p>"),
    ('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ""),
    ('<p><!-- comment --><b>x</b></p>', "<p><b>x</b></p>"),
    ('<h1>Headline twice</h1>', "Headline twice"),
    ('<a href="https://example.org/" target="_blank" onmouseover="x()">ok</a>',
     '<a href="https://example.org/" rel="noopener">ok</a>'),
]  # fmt: skip


@pytest.mark.parametrize(("dirty", "clean"), HOSTILE)
def test_sanitize_body_removes_active_content(dirty, clean):
    assert sanitize_body(dirty) == clean


def test_sanitize_body_keeps_news_copy():
    html = (
        "<h2>Why now</h2><p>The <strong>council</strong> said <em>yes</em>, "
        '<a href="https://example.org/vote">see the vote</a>.</p>'
        '<blockquote cite="https://example.org/q"><p>We waited forty years.</p></blockquote>'
        "<ul><li>one</li><li>two</li></ul>"
        '<figure data-placement="1"></figure>'
        '<table><caption>Results</caption><tr><th scope="col">For</th></tr><tr><td>31</td></tr></table>'
    )
    cleaned = sanitize_body(html)
    assert "<h2>Why now</h2>" in cleaned
    assert '<a href="https://example.org/vote" rel="noopener">see the vote</a>' in cleaned
    assert '<blockquote cite="https://example.org/q">' in cleaned
    assert '<figure data-placement="1"></figure>' in cleaned
    assert '<th scope="col">For</th>' in cleaned


@pytest.mark.parametrize("dirty", [d for d, _ in HOSTILE])
def test_sanitize_body_is_idempotent(dirty):
    once = sanitize_body(dirty)
    assert sanitize_body(once) == once


def test_sanitize_body_of_nothing_is_empty():
    assert sanitize_body("") == ""
    assert sanitize_body(None) == ""


@pytest.mark.parametrize(
    ("html", "words"),
    [
        ("", 0),
        ("<p></p>", 0),
        ("<p>One two three.</p>", 3),
        ("<p>One</p><p>two</p>", 2),  # paragraphs do not glue words together
        ("<p>Lisbon — the city voted</p>", 4),  # a dash is not a word
        ("<p>São Paulo's mayor, Zoë Ñúñez</p>", 5),
        ("<p>數 字</p>", 2),
        ('<p>Text</p><figure data-placement="1"><figcaption>Caption words do not count</figcaption></figure>', 1),
        ('<figure data-placement="1"></figure>', 0),  # only images: nothing to read
        ("<p>a&amp;b &lt;c&gt;</p>", 2),
    ],
)  # fmt: skip
def test_count_words(html, words):
    assert count_words(html) == words


@pytest.mark.parametrize(
    ("words", "minutes"),
    [(0, 1), (1, 1), (237, 1), (238, 1), (239, 2), (476, 2), (477, 3), (2380, 10)],
)
def test_read_time_is_words_over_238_rounded_up_minimum_one(words, minutes):
    assert read_time_minutes(words) == minutes


def test_body_text_joins_blocks_with_spaces():
    assert body_text("<h2>Title</h2><p>First.</p><p>Second.</p>") == "Title First. Second."
