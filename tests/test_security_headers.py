"""Security headers on what readers, editors and clients get."""

import pytest

from tests import factories


@pytest.fixture
def article(site):
    return factories.published_article(site=site)


def test_public_pages_carry_a_strict_content_security_policy(client, article):
    for url in ("/", article.get_absolute_url(), "/archive/2026/", "/search/?q=tram", "/no-such-page/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_common_headers_everywhere(client, article, admin_user):
    for url in ("/", article.get_absolute_url(), "/api/v1/articles/", "/admin/login/", "/feeds/rss/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_admin_and_api_docs_keep_working_without_the_page_policy(client, admin_user):
    assert "Content-Security-Policy" not in client.get("/admin/login/")
    assert "Content-Security-Policy" not in client.get("/api/docs/")


def test_a_separate_media_origin_is_allowed_for_images(settings):
    from articles.security import content_security_policy

    settings.MEDIA_URL = "https://media.example.org/newsroom/"
    assert "img-src 'self' data: https://media.example.org" in content_security_policy()
