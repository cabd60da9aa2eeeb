"""The web benchmark's report: ratios to the two references, targets met or missed, the
growth comparison between datasets, and the Markdown written to docs/performance.md."""

import json
import re
from pathlib import Path

from bench.web_targets import LABELS

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Web benchmark"
GROWTH_KEYS = ("article_uncached", "article_cold", "api_list", "api_list_cold", "api_deep", "api_changes", "api_search")
# key → (reference, least share of its requests/s, most queries)
RATE_TARGETS = {
    "article_baked": ("nginx", 0.90, None),
    "article_cached": ("minimal", 0.90, 0),
    "article_uncached": ("minimal", 0.15, 8),
    "article_cold": ("minimal", 0.15, 8),
    "api_list": ("minimal", 0.08, 6),
    "api_list_cold": ("minimal", 0.08, 6),
}
RSS_LIMIT_MB = 150
PUBLISH_LIMIT_S = 2.0
GROWTH_LIMIT = 1.5
SEARCH_P99_MS = 100


def _rows(result: dict) -> dict:
    return {row["key"]: row for row in result["rows"]}


def _ratio(row: dict, reference: dict | None) -> float | None:
    if not reference or "rps" not in row or "rps" not in reference or not reference["rps"]:
        return None
    return row["rps"] / reference["rps"]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %" if value < 0.1 else f"{value * 100:.0f} %"


def targets(result: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for every target of one run (None: not measured)."""
    rows = _rows(result)
    checks = []
    for key, (ref, share, most) in RATE_TARGETS.items():
        row = rows.get(key)
        ratio = _ratio(row, rows.get(ref)) if row else None
        label = row["label"] if row else LABELS[key]
        name = f"{label}: ≥ {share:.0%} of {rows.get(ref, {}).get('label', LABELS[ref])}"
        checks.append((name, _pct(ratio), None if ratio is None else ratio >= share))
        if most is not None:
            queries = row.get("queries") if row else None
            met = None if queries is None else queries <= most
            checks.append((f"{label}: ≤ {most} queries", "n/a" if queries is None else str(queries), met))
    publish = result.get("publish_to_baked_s")
    checks.append((f"publish shows in the baked page ≤ {PUBLISH_LIMIT_S:g} s",
                   "n/a" if publish is None else f"{publish:.2f} s",
                   None if publish is None else publish <= PUBLISH_LIMIT_S))  # fmt: skip
    rss = result.get("worker_rss_mb") or []
    checks.append((f"gunicorn worker RSS < {RSS_LIMIT_MB} MB after the run",
                   f"max {max(rss):.0f} MB" if rss else "n/a", max(rss) < RSS_LIMIT_MB if rss else None))  # fmt: skip
    if result["dataset"] == "1m" and "api_search" in rows and "p99_ms" in rows["api_search"]:
        p99 = rows["api_search"]["p99_ms"]
        checks.append((f"search p99 < {SEARCH_P99_MS} ms at 1M", f"{p99:.1f} ms", p99 < SEARCH_P99_MS))
    return checks


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else "met" if met else "**missed**"


def table(result: dict) -> str:
    rows = _rows(result)
    nginx, minimal = rows.get("nginx"), rows.get("minimal")
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | vs nginx | vs minimal view | queries | KiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        if "rps" not in row:
            lines.append(f"| {row['label']} | {row.get('error', 'n/a')} | | | | | | |")
            continue
        queries = "–" if row.get("queries") is None else row["queries"]
        label = row["label"]
        if "rps_end" in row:
            label += f" (start {row['rps_start']:,.0f}, end {row['rps_end']:,.0f})"
        lines.append(
            f"| {label} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
            f"{_pct(_ratio(row, nginx))} | {_pct(_ratio(row, minimal))} | {queries} | {row['bytes'] / 1024:.1f} |"
        )
    if "article_baked" not in rows:
        lines.append("| article page, baked (nginx) | n/a (no baking yet) | | | | | | |")
    return "\n".join(lines)


def targets_table(result: dict) -> str:
    lines = ["| target | measured | |", "|---|---:|---|"]
    lines += [f"| {name} | {measured} | {_verdict(met)} |" for name, measured, met in targets(result)]
    return "\n".join(lines)


def header(result: dict) -> str:
    m, d, t = result["machine"], result["data"], result["targets"]
    matches = f"{t['search_matches']:,}" if "search_matches" in t else "?"
    return "\n".join(
        [
            f"Measured {result['date']} with `{result['command']}` "
            f"(wrk -t{result['wrk']['threads']} -c{result['wrk']['connections']} -d{result['wrk']['seconds']:g}s "
            f"per endpoint after a warm-up; {result['elapsed_s']:.0f} s in all).",
            f"Machine: {m['nproc']} CPUs (`nproc`), {m['memory_gib']} GiB memory, load average "
            f"{m['load_average'][0]} at the start and {m.get('load_average_end', ['?'])[0]} at the end; "
            f"PostgreSQL {m['postgresql']}, Python {m['python']}, "
            f"Django {m['django']}, gunicorn {m['gunicorn']} with {m['workers']} workers, private Redis cache.",
            f"Data: {d['articles']:,} articles ({d['published']:,} published) on {d['sites']} sites; the article "
            f"page `{t['article_path']}` has {d['photos']} photos and {d['bylines']} bylines; archive "
            f"`{t['archive_path']}`; search `q={t['search']}` ({matches} matches); "
            f"cursor {t['depth']:,} articles deep.",
        ]
    )


def busy_warning(result: dict) -> str | None:
    """A warning when the machine was busy with other work (load average above the CPUs)."""
    m = result["machine"]
    load = max(m["load_average"][0], (m.get("load_average_end") or [0])[0])
    if load <= m["nproc"]:
        return None
    return (
        f"**Busy machine:** the load average reached {load:g} on {m['nproc']} CPUs during this run "
        "(other work shared the cores), so these figures are indicative only; rerun on a quiet machine."
    )


def summary(result: dict) -> str:
    rss = ", ".join(f"{mb:.0f}" for mb in result.get("worker_rss_mb", []))
    parts = [header(result), busy_warning(result), table(result), targets_table(result)]
    return "\n\n".join([p for p in parts if p] + [f"gunicorn worker RSS after the run (MB): {rss}"])


def growth() -> str | None:
    """p99 at 1M against 10k, when both result files exist."""
    small, large = RESULTS / "web-10k.json", RESULTS / "web-1m.json"
    if not (small.exists() and large.exists()):
        return None
    a, b = _rows(json.loads(small.read_text())), _rows(json.loads(large.read_text()))
    lines = [
        f"| p99 | 10k articles (ms) | 1M articles (ms) | 1M / 10k | ≤ {GROWTH_LIMIT:g}× |",
        "|---|---:|---:|---:|---|",
    ]
    for key in GROWTH_KEYS:
        if "p99_ms" not in a.get(key, {}) or "p99_ms" not in b.get(key, {}):
            continue
        ratio = b[key]["p99_ms"] / a[key]["p99_ms"]
        lines.append(
            f"| {a[key]['label']} | {a[key]['p99_ms']:.1f} | {b[key]['p99_ms']:.1f} | {ratio:.2f}× | "
            f"{_verdict(ratio <= GROWTH_LIMIT)} |"
        )
    return "\n".join(lines)


def _replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- web-benchmark:{name} -->", f"<!-- /web-benchmark:{name} -->"
    block = f"{start}\n{body}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    growth_start = "<!-- web-benchmark:growth -->"
    if name != "growth" and growth_start in text:  # dataset blocks go before the comparison
        index = text.index(growth_start)
        return text[:index] + block + "\n\n" + text[index:]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def write_docs(result: dict) -> None:
    """Replace this dataset's block (and the growth block) in docs/performance.md, with
    charts in docs/charts/ when matplotlib is installed."""
    from bench import web_charts

    text = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nSee bench/README.md for what is measured and how.\n"
    title = {"10k": "10,000 articles", "1m": "1,000,000 articles"}.get(result["dataset"], result["dataset"])
    body = f"### {title}\n\n{summary(result)}"
    chart = web_charts.throughput(result)
    if chart:
        body += f"\n\n![Requests per second, {title}](charts/{chart.name})"
    text = _replace_block(text, result["dataset"], body)
    comparison = growth()
    if comparison:
        small, large = (json.loads((RESULTS / f"web-{n}.json").read_text()) for n in ("10k", "1m"))
        chart = web_charts.growth(small, large, GROWTH_KEYS)
        image = f"\n\n![p99 at 10,000 and 1,000,000 articles](charts/{chart.name})" if chart else ""
        text = _replace_block(text, "growth", "### Growth: 10,000 to 1,000,000 articles\n\n" + comparison + image)
    DOCS.write_text(text)
