"""The benchmark's bookkeeping: reading wrk's output, judging targets, rewriting the document."""

from __future__ import annotations

import pytest

from bench.report import END, START, evaluate_targets, render_markdown
from bench.run import median_of_rounds, parse_wrk


def endpoint(
    name: str, p50: float, rps: float, *, group: str = "ours", queries: int = 5, p95: float | None = None
):
    return {
        "name": name,
        "label": name,
        "group": group,
        "queries": queries,
        "status": 200,
        "body_bytes": 10,
        "expect": 200,
        "rps": rps,
        "latency_ms": {"p50": p50, "p95": p95 or p50 * 2, "p99": p50 * 3},
        "statuses": {"200": 10},
        "unexpected": 0,
    }


def run(db: str, size: str, endpoints: list[dict]) -> dict:
    return {
        "db": db,
        "size": size,
        "articles": 1000,
        "listings": 500,
        "date": "2026-11-26 12:00 UTC",
        "cache": "redis",
        "load": {"workers": 2, "threads": 2, "connections": 4, "warmup_s": 2, "duration_s": 8},
        "corpus_build": {"generate_s": 6.0, "migrate_s": 9.0},
        "peak_rss_mb_per_worker": [80.0, 81.0],
        "endpoints": endpoints,
    }


def small_and_medium() -> dict:
    small = [
        endpoint("bundle_uncached", 10, 100),
        endpoint("v2_detail", 20, 50, group="baseline"),
        endpoint("article_list", 5, 300),
        endpoint("v2_listing", 50, 20, group="baseline"),
        endpoint("bundle_304", 2, 1000),
        endpoint("static", 1, 4000, group="baseline"),
        endpoint("related", 8, 200),
    ]
    medium = [
        endpoint("bundle_uncached", 30, 40, queries=6),
        endpoint("v2_detail", 20, 50, group="baseline"),
        endpoint("related", 9, 190, p95=30),
    ]
    return {
        "runs": {
            "sqlite-small": run("sqlite", "small", small),
            "sqlite-medium": run("sqlite", "medium", medium),
        },
        "machine": {"Model name": "Test CPU", "CPU(s)": "2"},
    }


class TestParseWrk:
    def test_reads_the_json_line_among_wrk_output(self):
        out = 'Running 8s test\nBENCH_JSON {"requests": 12, "rps": 1.5, "latency_ms": {"p50": 2.0}}\n'
        assert parse_wrk(out) == {"requests": 12, "rps": 1.5, "latency_ms": {"p50": 2.0}}

    def test_output_without_the_line_is_an_error_that_shows_it(self):
        with pytest.raises(ValueError, match="no BENCH_JSON"):
            parse_wrk("unable to connect to 127.0.0.1:8765")


class TestTargets:
    def test_each_target_gets_its_ratio_and_verdict(self):
        rows = {(r["target"], r["where"]): r for r in evaluate_targets(small_and_medium())}
        bundle = rows[("Bundle uncached p50 ≤ v2 detail p50", "sqlite-small")]
        assert bundle["ratio"] == pytest.approx(0.5) and bundle["met"] is True
        assert rows[("Bundle uncached p50 ≤ v2 detail p50", "sqlite-medium")]["met"] is False
        listing = rows[("Article list req/s ≥ 3× v2 listing", "sqlite-small")]
        assert listing["ratio"] == pytest.approx(15) and listing["met"] is True
        conditional = rows[("Conditional 304 req/s ≥ ½ static", "sqlite-small")]
        assert conditional["ratio"] == pytest.approx(0.25) and conditional["met"] is False
        related = rows[("Related articles p95 ≤ 25 ms (medium, SQLite)", "sqlite-medium")]
        assert related["met"] is False

    def test_growth_and_query_counts_compare_small_with_medium(self):
        rows = {r["target"]: r for r in evaluate_targets(small_and_medium())}
        growth = rows["p50 small→medium < 1.5× (worst endpoint)"]
        assert growth["measured"] == "bundle_uncached: ×3.00" and growth["met"] is False
        queries = rows["Queries constant small→medium"]
        assert queries["met"] is False and "bundle_uncached" in queries["measured"]


class TestDocument:
    def test_rewrites_only_the_generated_part(self, tmp_path):
        doc = tmp_path / "benchmarks.md"
        doc.write_text(
            f"# Benchmarks\n\nHand-written intro.\n\n{START}\nold figures\n{END}\n\n## Profiles\nNotes.\n"
        )
        render_markdown(small_and_medium(), doc, "benchmarks.png")
        text = doc.read_text()
        assert "Hand-written intro." in text and "## Profiles\nNotes." in text
        assert "old figures" not in text
        assert "![Latency per endpoint" in text and "(benchmarks.png)" in text
        assert (
            "| Bundle uncached p50 ≤ v2 detail p50 | sqlite-small | 10.0 ms vs 20.0 ms | 0.50 | yes |" in text
        )
        assert "Not run yet: `postgres-small`, `postgres-medium`." in text

    def test_is_stable_when_run_twice(self, tmp_path):
        doc = tmp_path / "benchmarks.md"
        render_markdown(small_and_medium(), doc, "benchmarks.png")
        first = doc.read_text()
        render_markdown(small_and_medium(), doc, "benchmarks.png")
        assert doc.read_text() == first
        assert first.count(START) == 1

    def test_skipped_endpoints_say_why(self, tmp_path):
        data = small_and_medium()
        data["runs"]["sqlite-small"]["endpoints"].append(
            {
                "name": "find_support",
                "label": "Find support",
                "group": "ours",
                "queries": None,
                "skipped": "/api/v1/x answered 404 (endpoint not available yet)",
            }
        )
        doc = tmp_path / "benchmarks.md"
        render_markdown(data, doc, "benchmarks.png")
        assert (
            "| Find support | skipped: /api/v1/x answered 404 (endpoint not available yet) |"
            in doc.read_text()
        )


class TestRounds:
    def test_figures_are_medians_over_rounds_and_counts_add_up(self):
        rounds = []
        for p50, rps in ((10, 100), (30, 40), (12, 90)):
            figures = endpoint("bundle_uncached", p50, rps)
            figures.update(requests=rps * 8, loadavg_1m=[1.0, 1.5])
            rounds.append(figures)
        merged = median_of_rounds(rounds)
        assert merged["latency_ms"] == {"p50": 12, "p95": 24, "p99": 36}
        assert merged["rps"] == 90
        assert merged["requests"] == (100 + 40 + 90) * 8 and merged["statuses"] == {"200": 30}
        assert [r["p50"] for r in merged["rounds"]] == [10, 30, 12]
        assert len(merged["loadavg_1m"]) == 6

    def test_a_skipped_round_skips_the_endpoint(self):
        merged = median_of_rounds([endpoint("related", 5, 100), {"skipped": "answered 500"}])
        assert merged == {"skipped": "answered 500"}

    def test_the_heading_names_the_rounds(self, tmp_path):
        data = small_and_medium()
        data["runs"]["sqlite-small"]["load"]["rounds"] = 3
        doc = tmp_path / "benchmarks.md"
        render_markdown(data, doc, "benchmarks.png")
        text = doc.read_text()
        assert "3 interleaved rounds (figures are medians over them)" in text

    def test_rounds_and_used_up_url_lists_are_reported(self, tmp_path):
        data = small_and_medium()
        uncached = data["runs"]["sqlite-small"]["endpoints"][0]
        uncached["rounds"] = [{"p50": 30.0, "p95": 60, "rps": 40}, {"p50": 10.0, "p95": 20, "rps": 100}]
        uncached["repeated_urls"] = True
        data["runs"]["sqlite-small"]["endpoints"][1]["repeated_urls"] = True  # v2 detail: by design
        doc = tmp_path / "benchmarks.md"
        render_markdown(data, doc, "benchmarks.png")
        text = doc.read_text()
        assert "- bundle_uncached: p50 per round 30.0, 10.0 ms." in text
        assert "**bundle_uncached: its list of distinct URLs was used up" in text
        assert "**v2_detail: its list" not in text


class TestCorpusKey:
    """The cached corpus database is named by a digest of the corpus generator and the migrations."""

    def test_digest_covers_the_generator_where_it_lives(self, tmp_path, monkeypatch):
        import bench.run as run

        (tmp_path / "bench").mkdir()
        (tmp_path / "app" / "migrations").mkdir(parents=True)
        generator = tmp_path / "bench" / "corpus.py"
        generator.write_text("VERSION = 1\n")
        (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("# one\n")
        monkeypatch.setattr(run, "ROOT", tmp_path)

        first = run.corpus_key("small", 1)
        assert len(first) == 16 and int(first, 16) >= 0
        assert run.corpus_key("small", 1) == first
        generator.write_text("VERSION = 2\n")
        assert run.corpus_key("small", 1) != first, "a change to the generator must name a new corpus"
        changed_generator = run.corpus_key("small", 1)
        (tmp_path / "app" / "migrations" / "0002_more.py").write_text("# two\n")
        assert run.corpus_key("small", 1) != changed_generator, "a new migration must name a new corpus"
        with_migration = run.corpus_key("small", 1)
        (tmp_path / "build" / "lib" / "app" / "migrations").mkdir(parents=True)
        (tmp_path / "build" / "lib" / "app" / "migrations" / "0001_initial.py").write_text("# copy\n")
        assert run.corpus_key("small", 1) == with_migration, "a build/ copy is not a migration"
        assert run.corpus_key("small", 2) != run.corpus_key("small", 1)


class TestTablesKey:
    """A reused corpus gets its recommendation tables rebuilt when the code that writes them changed."""

    def sources(self, tmp_path, monkeypatch):
        import bench.run as run

        for name in run.TABLE_SOURCES:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(f"# {name}\n")
        monkeypatch.setattr(run, "ROOT", tmp_path)
        rebuilt = []
        monkeypatch.setattr(run, "manage", lambda db_url, *args, **kw: rebuilt.append(args) or 1.0)
        monkeypatch.setattr(run, "log", lambda *a: None)
        return run, rebuilt

    def test_every_table_source_changes_the_key(self, tmp_path, monkeypatch):
        run, _ = self.sources(tmp_path, monkeypatch)
        seen = {run.tables_key()}
        for name in run.TABLE_SOURCES:
            (tmp_path / name).write_text("# changed\n")
            seen.add(run.tables_key())
        assert len(seen) == len(run.TABLE_SOURCES) + 1

    def test_tables_are_rebuilt_only_when_their_code_changed(self, tmp_path, monkeypatch):
        run, rebuilt = self.sources(tmp_path, monkeypatch)
        meta = {"tables_key": run.tables_key()}
        assert run.refresh_tables("sqlite:///x", meta, index=True) is False and rebuilt == []
        (tmp_path / "recommendations" / "scoring.py").write_text("WEIGHT = 2\n")
        assert run.refresh_tables("sqlite:///x", meta, index=True) is True
        assert rebuilt == [("rebuild_recommendations",)]
        assert meta["tables_key"] == run.tables_key()
        assert run.refresh_tables("sqlite:///x", {}, index=False) is False  # built without tables
        assert run.refresh_tables("sqlite:///x", {}, index=True) is True  # built before the key existed
