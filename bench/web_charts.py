"""Charts of the web benchmark (matplotlib PNG, next to the tables in docs/performance.md):
requests per second of every endpoint against the two references, and p99 latency at
10,000 and 1,000,000 articles. Skipped with a message when matplotlib is not installed."""

from pathlib import Path

CHARTS = Path(__file__).resolve().parents[1] / "docs" / "charts"


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def throughput(result: dict) -> Path | None:
    """Horizontal bars of requests/s (log scale), references in grey."""
    pyplot = _pyplot()
    rows = [row for row in result["rows"] if "rps" in row]
    if pyplot is None or not rows:
        return None
    figure, axes = pyplot.subplots(figsize=(8, 0.42 * len(rows) + 1.2), dpi=110)
    labels = [row["label"] for row in rows][::-1]
    values = [row["rps"] for row in rows][::-1]
    colours = ["#999999" if row["key"] in {"nginx", "minimal"} else "#2b6cb0" for row in rows][::-1]
    bars = axes.barh(labels, values, color=colours)
    axes.set_xscale("log")
    axes.set_xlabel("requests per second (log scale)")
    axes.set_title(f"Web benchmark, {result['data']['articles']:,} articles ({result['date']})", fontsize=10)
    for bar, value in zip(bars, values, strict=True):
        axes.text(value * 1.05, bar.get_y() + bar.get_height() / 2, f"{value:,.0f}", va="center", fontsize=8)
    axes.set_xlim(right=max(values) * 4)
    figure.tight_layout()
    return _save(figure, pyplot, f"web-{result['dataset']}.png")


def growth(small: dict, large: dict, keys: tuple[str, ...]) -> Path | None:
    """Grouped bars: p99 at 10k and at 1M for each growth endpoint."""
    pyplot = _pyplot()
    a = {row["key"]: row for row in small["rows"] if "p99_ms" in row}
    b = {row["key"]: row for row in large["rows"] if "p99_ms" in row}
    keys = [key for key in keys if key in a and key in b]
    if pyplot is None or not keys:
        return None
    figure, axes = pyplot.subplots(figsize=(8, 3.6), dpi=110)
    positions = range(len(keys))
    axes.bar([p - 0.2 for p in positions], [a[k]["p99_ms"] for k in keys], 0.4, label="10,000 articles")
    axes.bar([p + 0.2 for p in positions], [b[k]["p99_ms"] for k in keys], 0.4, label="1,000,000 articles")
    axes.set_xticks(list(positions), [a[k]["label"] for k in keys], rotation=15, ha="right", fontsize=8)
    axes.set_ylabel("p99 latency (ms)")
    axes.set_title("p99 latency as the archive grows", fontsize=10)
    axes.legend(fontsize=8)
    figure.tight_layout()
    return _save(figure, pyplot, "web-growth.png")


def _save(figure, pyplot, name: str) -> Path:
    CHARTS.mkdir(parents=True, exist_ok=True)
    path = CHARTS / name
    figure.savefig(path, metadata={"Software": None})
    pyplot.close(figure)
    return path
