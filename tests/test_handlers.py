"""Error answers: JSON under /api/, HTML pages elsewhere."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/articles/02/", "/api/v1/nothing-here/", "/api/v1/articles/%D9%A2/"])
def test_api_404_is_json(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_page_404_is_html(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_api_500_is_json_without_a_traceback(rf):
    from articles.handlers import server_error

    response = server_error(rf.get("/api/v1/articles/"))
    assert (response.status_code, response.content) == (
        500,
        b'{"detail": "Server error: the problem has been logged."}',
    )
