"""A real browser check: Debian's headless Chromium loads the demo article page served by
the app (pytest-django's live server), takes a screenshot and dumps the rendered DOM.

Skipped when /usr/bin/chromium is absent (``apt-get install chromium``). Set
``SCREENSHOT_DIR=docs/screenshots`` to keep the screenshot (docs/screenshots/article.png).
"""

import io
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import lxml.html
import pytest
from django.core.cache import cache
from django.core.management import call_command

from articles.models import Article

CHROMIUM = Path("/usr/bin/chromium")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
    # The live server reads committed data; restore the migrations' rows (default site,
    # editor groups) for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


@pytest.fixture
def demo_article(live_server):
    cache.clear()
    call_command("seed_demo", stdout=io.StringIO())
    article = Article.objects.get(slug="porthaven-harbour-wall-reopens")  # lead and inline photos, 2 bylines
    yield article
    cache.clear()


def test_demo_article_renders_in_chromium(live_server, demo_article, tmp_path):
    url = f"{live_server.url}{demo_article.get_absolute_url()}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our live server
        assert response.status == 200

    screenshot = tmp_path / "article.png"
    chromium(
        tmp_path / "profile",
        f"--screenshot={screenshot}",
        "--window-size=1280,2000",
        "--hide-scrollbars",
        "--virtual-time-budget=5000",  # let the photos load before the picture is taken
        url,
    )
    assert screenshot.read_bytes()[:8] == PNG_SIGNATURE
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
    if os.environ.get("SCREENSHOT_DIR"):
        target = Path(os.environ["SCREENSHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, target / "article.png")

    dom = chromium(tmp_path / "profile", "--dump-dom", "--virtual-time-budget=5000", url).stdout.decode()
    doc = lxml.html.fromstring(dom)
    assert doc.findtext(".//title").startswith("Porthaven's harbour wall reopens")
    assert " ".join(doc.xpath("string(//h1)").split()) == demo_article.headline
    byline = " ".join(doc.xpath("string(//p[@class='byline'])").split())
    assert byline == "By Maren Okafor, with additional reporting by Dara Whitcombe"
    figures = doc.xpath("//figure")
    assert len(figures) == 2
    lead = figures[0]
    assert lead.xpath(".//img/@src")[0].startswith(("/media/renditions/", "/img/"))  # a rendition
    assert lead.xpath(".//source[@type='image/webp']/@srcset")
    assert " ".join(lead.xpath("string(.//span[@class='credit'])").split()) == (
        "Rhiannon Tait/Westmark Photo via Lumen Images"
    )
    # The photo itself is served (the browser would show a broken image otherwise).
    with urllib.request.urlopen(live_server.url + lead.xpath(".//img/@src")[0], timeout=30) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "image/jpeg"
    webp = lead.xpath(".//source[@type='image/webp']/@srcset")[0].split(",")[0].split()[0]
    with urllib.request.urlopen(live_server.url + webp, timeout=30) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "image/webp"
