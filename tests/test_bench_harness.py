"""The web benchmark's own pieces: the wrk output parser, the minimal reference view and
the bench-only middleware (no wrk, gunicorn or nginx needed)."""

import pytest
from django.test import override_settings

from bench import harness, web_report
from bench.minimal import settings as bench_settings

WRK_OUTPUT = """\
Running 8s test @ http://127.0.0.1:40123/2026/11/15/montreal-quieter-snow-ploughs/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.21ms    2.03ms  48.11ms   81.20%
    Req/Sec     1.55k   120.33     1.80k    70.00%
  Latency Distribution
     50%    4.87ms
     75%    6.02ms
     90%    7.55ms
     99%   12.40ms
  24712 requests in 8.01s, 270.33MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   3085.14
Transfer/sec:     33.75MB
"""


def test_wrk_output_is_read():
    result = harness.parse_wrk(WRK_OUTPUT)
    assert result.rps == pytest.approx(3085.14)
    assert result.p50_ms == pytest.approx(4.87)
    assert result.p99_ms == pytest.approx(12.40)
    assert result.requests == 24712
    assert result.non_2xx_3xx == 3
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 1}
    assert result.errors == 6


def test_wrk_latency_units_are_milliseconds():
    text = WRK_OUTPUT.replace("4.87ms", "870.00us").replace("12.40ms", "1.20s")
    result = harness.parse_wrk(text)
    assert result.p50_ms == pytest.approx(0.87)
    assert result.p99_ms == pytest.approx(1200.0)


def test_wrk_output_without_latency_distribution_is_refused():
    with pytest.raises(ValueError, match="--latency"):
        harness.parse_wrk("Running 1s test @ http://x/\n  10 requests in 1.00s, 1KB read\nRequests/sec: 10.0\n")


BENCH_URLS = override_settings(
    ROOT_URLCONF="bench.minimal.urls",
    MIDDLEWARE=bench_settings.MIDDLEWARE,
    TEMPLATES=bench_settings.TEMPLATES,
)


@BENCH_URLS
@pytest.mark.django_db
def test_minimal_view_renders_its_template_without_a_query(client, site, django_assert_num_queries):
    client.get("/__bench__/minimal/")  # the site lookup is cached per process after this
    with django_assert_num_queries(0):
        response = client.get("/__bench__/minimal/", HTTP_X_BENCH_QUERIES="1")
    assert response.status_code == 200
    assert b"<h1>Minimal page</h1>" in response.content
    assert response.content.count(b"<li>") == 5
    assert response["X-Bench-Query-Count"] == "0"


@pytest.mark.django_db
def test_minimal_view_is_not_in_the_product(client, site):
    assert client.get("/__bench__/minimal/").status_code == 404


@BENCH_URLS
@pytest.mark.django_db
def test_miss_header_makes_the_page_cache_miss(client, published_article):
    url = published_article.get_absolute_url()
    assert client.get(url).status_code == 200
    cached = client.get(url, HTTP_X_BENCH_QUERIES="1")
    assert cached["X-Bench-Query-Count"] == "0"
    missed = client.get(url, HTTP_X_BENCH_QUERIES="1", HTTP_X_BENCH_PAGE_CACHE="miss")
    assert missed.status_code == 200
    assert int(missed["X-Bench-Query-Count"]) > 0
    assert missed.content == cached.content


def test_targets_are_checked_against_the_references():
    result = {
        "dataset": "10k",
        "rows": [
            {"key": "nginx", "label": "nginx", "rps": 40000.0},
            {"key": "minimal", "label": "minimal", "rps": 3000.0, "queries": 0},
            {"key": "article_cached", "label": "cached", "rps": 2900.0, "queries": 0},
            {"key": "article_uncached", "label": "uncached", "rps": 300.0, "queries": 9},
            {"key": "api_list", "label": "list", "rps": 300.0, "queries": 6},
        ],
        "worker_rss_mb": [90.0, 120.0],
        "publish_to_baked_s": None,
    }
    verdicts = {name: (measured, met) for name, measured, met in web_report.targets(result)}
    assert verdicts["cached: ≥ 90% of minimal"] == ("97 %", True)
    assert verdicts["uncached: ≥ 15% of minimal"] == ("10 %", False)
    assert verdicts["uncached: ≤ 8 queries"] == ("9", False)
    assert verdicts["list: ≥ 8% of minimal"] == ("10 %", True)
    assert verdicts["gunicorn worker RSS < 150 MB after the run"] == ("max 120 MB", True)
    assert verdicts["publish shows in the baked page ≤ 2 s"] == ("n/a", None)


@BENCH_URLS
@pytest.mark.django_db
def test_cold_header_renders_the_fragments_afresh_too(client, published_article):
    url = published_article.get_absolute_url()
    assert client.get(url).status_code == 200
    client.get(url, HTTP_X_BENCH_PAGE_CACHE="miss")  # fragments warm from here on
    missed = client.get(url, HTTP_X_BENCH_QUERIES="1", HTTP_X_BENCH_PAGE_CACHE="miss")
    cold = client.get(url, HTTP_X_BENCH_QUERIES="1", HTTP_X_BENCH_PAGE_CACHE="cold")
    assert cold.status_code == 200
    assert int(cold["X-Bench-Query-Count"]) > int(missed["X-Bench-Query-Count"])
    assert cold.content == missed.content
