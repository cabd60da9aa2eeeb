"""The import_articles and export_articles commands: what they print, their exit status,
their options, and the progress reporter they share."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from articles.progress import Progress

from . import factories

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SUMMARY = re.compile(
    r"^created (\d+), updated (\d+), unchanged (\d+), skipped (\d+), failed (\d+) \(\d+ items in [\d.]+ s, [\d.]+/s\)$",
    re.MULTILINE,
)
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside the project")


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- import_articles -------------------------------------------------------------------


@needs_samples
def test_import_prints_one_line_per_item_and_a_summary(site):
    output = run("import_articles", str(SAMPLES))

    assert re.search(r"^created\s+\S*capture-tram-line.txt → article \d+ “Harbour city", output, re.MULTILINE)
    assert re.search(r"^skipped\s+\S*crawl-courier.warc.gz#2 https://courier.example.org/robots.txt", output, re.M)
    assert SUMMARY.search(output).groups() == ("2", "0", "1", "1", "0")


@needs_samples
def test_import_with_a_bad_file_prints_failed_and_exits_non_zero_after_importing_the_rest(site, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[{]", encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"2 of 3 items failed"):
        call_command("import_articles", str(bad), str(SAMPLES / "capture-tram-line.txt"), str(bad), stdout=out)

    output = out.getvalue()
    assert re.search(r"^FAILED\s+\S*bad.json: not valid JSON", output, re.MULTILINE)
    assert SUMMARY.search(output).groups() == ("1", "0", "0", "0", "2")
    assert Article.objects.count() == 1


@needs_samples
def test_import_verbosity_0_prints_failures_and_the_summary_only(site, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(bad), str(SAMPLES / "capture-tram-line.txt"), verbosity=0, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("FAILED") and "the file is empty" in lines[0]


@needs_samples
def test_import_publish_reports_articles_kept_as_drafts(site):
    output = run("import_articles", "--publish", str(SAMPLES / "capture-tram-line.txt"))
    assert "  warning: kept as a draft: An article needs at least one byline" in output
    assert Article.objects.get().status == Article.Status.DRAFT


def test_import_refuses_an_unknown_site_or_user(site, tmp_path):
    with pytest.raises(CommandError, match="No site with the domain “nowhere.example”"):
        run("import_articles", "--site", "nowhere.example", str(tmp_path))
    with pytest.raises(CommandError, match="No user “nobody”"):
        run("import_articles", "--user", "nobody", str(tmp_path))


@needs_samples
def test_import_records_the_user_on_the_revision(site, editor):
    run("import_articles", "--user", "editor", str(SAMPLES / "capture-tram-line.txt"))
    assert Article.objects.get().revisions.get().user == editor


# --- export_articles -------------------------------------------------------------------


def test_export_writes_a_complete_file_or_none(site, tmp_path, monkeypatch):
    factories.published_article(site=site)
    out = tmp_path / "backup.jsonl"
    from articles.exporters import jsonl

    def broken(article):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jsonl, "article_record", broken)
    with pytest.raises(RuntimeError):
        run("export_articles", "--format", "jsonl", "--out", str(out))
    assert list(tmp_path.iterdir()) == []  # neither the file nor its .part


def test_export_to_stdout_keeps_progress_off_the_data(site):
    factories.published_article(site=site)
    out, err = io.StringIO(), io.StringIO()
    call_command("export_articles", "--format", "jsonl", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["header", "article"]
    assert "exported 1, failed 0" in err.getvalue()


def test_export_ninjs_into_a_folder_writes_one_file_per_article(site, tmp_path):
    first = factories.published_article(site=site)
    second = factories.published_article(site=site)
    run("export_articles", "--format", "ninjs", "--out", str(tmp_path))

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{first.pk}.json", f"{second.pk}.json"])
    assert json.loads((tmp_path / f"{first.pk}.json").read_text(encoding="utf-8"))["uri"].endswith(f"/a/{first.pk}/")


def test_export_site_filter(site, tmp_path):
    from django.contrib.sites.models import Site

    other = Site.objects.create(domain="other.example.org", name="Other")
    factories.published_article(site=site)
    mine = factories.published_article(site=other)
    out = tmp_path / "other.json"
    run("export_articles", "--format", "ninjs", "--site", "other.example.org", "--out", str(out))

    assert [item["uri"] for item in json.loads(out.read_text(encoding="utf-8"))] == [
        f"https://other.example.org/a/{mine.pk}/"
    ]
    with pytest.raises(CommandError, match="No site with the domain"):
        run("export_articles", "--site", "nowhere.example")


# --- Progress ------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_on_a_terminal_draws_a_bar_with_counts_and_rate():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream=stream, total=4, statuses=("created", "failed"), tty=True, clock=clock)
    clock.now = 1.0
    progress.item("created")
    clock.now = 2.0
    progress.item("created", "created  a.txt")

    screen = stream.getvalue()
    assert "\r\x1b[2K[##############--------------] 2/4 items (50%) · 1.0/s · created 2, failed 0" in screen
    assert "created  a.txt\n" in screen
    assert progress.close() == "created 2, failed 0 (2 items in 2.0 s, 1.0/s)"
    assert stream.getvalue().endswith("\r\x1b[2Kcreated 2, failed 0 (2 items in 2.0 s, 1.0/s)\n")


def test_progress_elsewhere_writes_plain_lines_every_few_seconds():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream=stream, statuses=("exported",), noun="articles", tty=False, clock=clock)
    for second in range(12):
        clock.now = float(second)
        progress.item("exported")
    progress.close()

    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
    assert lines[0] == "progress: 6 articles, 1.2/s; exported 6"
    assert lines[-1] == "exported 12 (12 articles in 11.0 s, 1.1/s)"
