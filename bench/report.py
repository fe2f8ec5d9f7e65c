"""Turns saved benchmark figures into the tables of docs/benchmarks.md and the chart.

Only the part of the document between the two ``bench:generated`` markers is rewritten, so the
hand-written analysis around it (profiles, what changed) survives every run.
"""

from __future__ import annotations

from pathlib import Path

START = "<!-- bench:generated:start -->"
END = "<!-- bench:generated:end -->"
ORDER = ("sqlite-small", "postgres-small", "sqlite-medium", "postgres-medium")

SKELETON = f"""# Benchmarks

How fast the content API is, next to Wagtail's own APIs and the fastest response this stack can
give, on the same pages and server. Run it with `make bench` (small corpus, SQLite; about
5 minutes) or `make bench BENCH_SIZE=medium BENCH_DB=both`.

{START}
{END}

## Method

See `bench/run.py`. The corpus comes from `manage.py generate_corpus` (deterministic for its seed).
Gunicorn serves `website.settings.bench` (DEBUG off) on 127.0.0.1; wrk runs on the same machine and
shares its cores, so absolute figures are lower than on a dedicated server; ratios are what to read.
Queries per request are counted in-process with Django's test client, not under load.
"""


def _index(run: dict) -> dict:
    return {e["name"]: e for e in run.get("endpoints", [])}


def _measured(endpoint: dict | None) -> bool:
    return bool(endpoint) and "latency_ms" in endpoint


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _rps(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def evaluate_targets(data: dict) -> list[dict]:
    """Each target of the performance issue with its measured value, ratio and verdict."""
    runs = data.get("runs", {})
    rows: list[dict] = []

    def add(target: str, where: str, measured: str, ratio: float | None, met: bool | None) -> None:
        rows.append({"target": target, "where": where, "measured": measured, "ratio": ratio, "met": met})

    for key in ORDER:
        run = runs.get(key)
        if not run:
            continue
        e = _index(run)
        if _measured(e.get("bundle_uncached")) and _measured(e.get("v2_detail")):
            ours, theirs = e["bundle_uncached"]["latency_ms"]["p50"], e["v2_detail"]["latency_ms"]["p50"]
            add(
                "Bundle uncached p50 ≤ v2 detail p50",
                key,
                f"{ours:.1f} ms vs {theirs:.1f} ms",
                ours / theirs,
                ours / theirs <= 1.0,
            )
        ours_cpu, v2_cpu = (
            (e.get("bundle_uncached") or {}).get("cpu_ms"),
            (e.get("v2_detail") or {}).get("cpu_ms"),
        )
        if ours_cpu and v2_cpu and _measured(e.get("bundle_uncached")) and _measured(e.get("v2_detail")):
            add(
                "(same, as CPU per request in-process)",
                key,
                f"{ours_cpu:.1f} ms vs {v2_cpu:.1f} ms",
                ours_cpu / v2_cpu,
                ours_cpu / v2_cpu <= 1.0,
            )
        if _measured(e.get("article_list")) and _measured(e.get("v2_listing")):
            ours, theirs = e["article_list"]["rps"], e["v2_listing"]["rps"]
            add(
                "Article list req/s ≥ 3× v2 listing",
                key,
                f"{_rps(ours)} vs {_rps(theirs)} req/s",
                ours / theirs,
                ours / theirs >= 3,
            )
        for name, label in (("bundle_304", "Conditional 304"), ("bundle_cache_hit", "Cache hit")):
            if _measured(e.get(name)) and _measured(e.get("static")):
                ours, limit = e[name]["rps"], e["static"]["rps"]
                add(
                    f"{label} req/s ≥ ½ static",
                    key,
                    f"{_rps(ours)} vs {_rps(limit)} req/s",
                    ours / limit,
                    ours / limit >= 0.5,
                )
        if key == "sqlite-medium":
            where = key + (
                " (no recommendations index)"
                if "recommendations_index" in run.get("corpus_build", {})
                else ""
            )
            for name, label in (("find_support", "Find support"), ("related", "Related articles")):
                if _measured(e.get(name)):
                    p95 = e[name]["latency_ms"]["p95"]
                    add(f"{label} p95 ≤ 25 ms (medium, SQLite)", where, f"{p95:.1f} ms", p95 / 25, p95 <= 25)
    for db in ("sqlite", "postgres"):
        small, medium = runs.get(f"{db}-small"), runs.get(f"{db}-medium")
        if not (small and medium):
            continue
        s, m = _index(small), _index(medium)
        if "recommendations_index" in medium.get("corpus_build", {}):
            db = f"{db} (medium without recommendations index)"
        worst_name, worst = None, 0.0
        for name in s:
            if _measured(s.get(name)) and _measured(m.get(name)) and s[name]["group"] == "ours":
                growth = m[name]["latency_ms"]["p50"] / s[name]["latency_ms"]["p50"]
                if growth > worst:
                    worst_name, worst = name, growth
        if worst_name:
            add(
                "p50 small→medium < 1.5× (worst endpoint)",
                db,
                f"{worst_name}: ×{worst:.2f}",
                worst,
                worst < 1.5,
            )
        changed = [
            n
            for n in s
            if s[n].get("queries") is not None
            and m.get(n, {}).get("queries") is not None
            and s[n]["group"] == "ours"
            and s[n]["queries"] != m[n]["queries"]
        ]
        add(
            "Queries constant small→medium",
            db,
            "all equal" if not changed else "differ: " + ", ".join(changed),
            None,
            not changed,
        )
    return rows


def _run_table(run: dict) -> list[str]:
    e = _index(run)
    v2 = e.get("v2_detail") if _measured(e.get("v2_detail")) else None
    static = e.get("static") if _measured(e.get("static")) else None
    lines = [
        "| Endpoint | p50 ms | p95 ms | p99 ms | req/s | queries | CPU ms | bytes "
        "| p50 ÷ v2 detail | req/s ÷ static | CPU ÷ v2 detail |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint in run.get("endpoints", []):
        label = endpoint["label"] + (" *(baseline)*" if endpoint["group"] == "baseline" else "")
        if not _measured(endpoint):
            reason = endpoint.get("skipped", "not run")
            reason = reason if len(reason) <= 160 else reason[:157] + "…"
            lines.append(f"| {label} | skipped: {reason} | | | | | | | | | |")
            continue
        lat = endpoint["latency_ms"]
        ratio_v2 = lat["p50"] / v2["latency_ms"]["p50"] if v2 else None
        ratio_static = endpoint["rps"] / static["rps"] if static else None
        cpu_v2 = (
            endpoint["cpu_ms"] / v2["cpu_ms"] if v2 and endpoint.get("cpu_ms") and v2.get("cpu_ms") else None
        )
        size = endpoint.get("live_body_bytes") or endpoint.get("body_bytes")
        if endpoint.get("expect") == 304:
            size = 0
        flag = f" ⚠ {endpoint['unexpected']} unexpected statuses" if endpoint.get("unexpected") else ""
        lines.append(
            f"| {label}{flag} | {lat['p50']:.1f} | {lat['p95']:.1f} | {lat['p99']:.1f} "
            f"| {_rps(endpoint['rps'])} | {_fmt(endpoint.get('queries'))} | {_fmt(endpoint.get('cpu_ms'))} "
            f"| {_fmt(size)} | {_fmt(ratio_v2, 2)} | {_fmt(ratio_static, 2)} | {_fmt(cpu_v2, 2)} |"
        )
    return lines


def _load_note(run: dict) -> str:
    loads = [x for e in run.get("endpoints", []) for x in e.get("loadavg_1m", [])]
    if not loads:
        return ""
    return (
        f" One-minute load average of the machine during the endpoint runs: {min(loads):.1f}–{max(loads):.1f}"
        " (2 CPUs; above 2 means other processes competed for the cores)."
    )


def render_generated(data: dict, chart_name: str) -> str:
    runs = data.get("runs", {})
    machine = data.get("machine", {})
    out = [f"![Latency per endpoint against the baselines, and as the corpus grows]({chart_name})", ""]
    out.append("### Targets")
    out.append("")
    out.append("| Target | Run | Measured | Ratio | Met |")
    out.append("|---|---|---|---:|:---:|")
    targets = evaluate_targets(data)
    for row in targets:
        verdict = {True: "yes", False: "**no**", None: "–"}[row["met"]]
        out.append(
            f"| {row['target']} | {row['where']} | {row['measured']} | {_fmt(row['ratio'], 2)} | {verdict} |"
        )
    if not targets:
        out.append("| (no run yet has both our endpoint and its baseline) | | | | |")
    missing = [k for k in ORDER if k not in runs]
    if missing:
        out += ["", "Not run yet: " + ", ".join(f"`{k}`" for k in missing) + "."]
    for key in ORDER:
        run = runs.get(key)
        if not run:
            continue
        load = run["load"]
        build = run.get("corpus_build", {})
        out += [
            "",
            f"### {run['db']}, {run['size']} corpus "
            f"({run['articles']:,} articles, {run['listings']:,} listings)",
            "",
            f"Run {run['date']} with `{run.get('command', 'make bench')}`: "
            f"gunicorn {load['workers']} sync workers, wrk {load['threads']} threads × "
            f"{load['connections']} connections, {load['warmup_s']:g} s warm-up then "
            f"{load['duration_s']:g} s per endpoint"
            + (
                f", {load['rounds']} interleaved rounds (figures are medians over them)"
                if load.get("rounds", 1) > 1
                else ""
            )
            + f"; cache: {run['cache']}. Corpus built in "
            f"{build.get('generate_s', '–')} s (`generate_corpus`)"
            + (
                f" + {build['rebuild_recommendations_s']} s (`rebuild_recommendations`)"
                if "rebuild_recommendations_s" in build
                else ""
            )
            + f" after {build.get('migrate_s', '–')} s of migrations."
            + (
                f" **Recommendations index: {build['recommendations_index']}.**"
                if "recommendations_index" in build
                else ""
            )
            + " Peak RSS per worker (VmHWM): "
            + ", ".join(f"{mb:.0f} MB" for mb in run.get("peak_rss_mb_per_worker", []))
            + "."
            + _load_note(run),
            "",
        ]
        out += _run_table(run)
        out += _rounds_notes(run)
    out += ["", "### Machine", ""]
    facts = [
        f"{machine.get('Model name', 'unknown CPU')}",
        f"{machine.get('CPU(s)', '?')} CPUs",
        f"{machine.get('memory_mb', '?')} MB RAM",
        f"Linux {machine.get('kernel', '?')}",
        f"Python {machine.get('python', '?')}",
        f"Django {machine.get('django', '?')}",
        f"Wagtail {machine.get('wagtail', '?')}",
        f"gunicorn {machine.get('gunicorn', '?')}",
        machine.get("wrk", "wrk"),
    ]
    out.append("; ".join(facts) + ". Load generator and server share the machine.")
    out += ["", "Raw figures: `docs/benchmarks.json`."]
    return "\n".join(out)


DISTINCT_URLS = (
    "bundle_uncached",
    "find_support",
    "related",
    "search",
    "find_support_engine",
    "related_engine",
    "search_engine",
)


def _rounds_notes(run: dict) -> list[str]:
    """Each round's p50 where there were several, and any endpoint whose distinct URLs ran out."""
    notes = []
    for e in run.get("endpoints", []):
        if "rounds" in e and e["name"] in (*DISTINCT_URLS, "v2_detail"):
            p50s = ", ".join(f"{r['p50']:.1f}" for r in e["rounds"])
            notes.append(f"- {e['label']}: p50 per round {p50s} ms.")
        # The others repeat their URLs on purpose (a 304, a cache hit, the baselines, which have no
        # response cache); only these must not, and the report says when one did.
        if e.get("repeated_urls") and e["name"] in DISTINCT_URLS:
            notes.append(
                f"- **{e['label']}: its list of distinct URLs was used up, so some requests repeated "
                "earlier ones** (a response cache may have answered them)."
            )
    return ["", *notes] if notes else []


def render_markdown(data: dict, path: Path, chart_name: str) -> None:
    text = path.read_text() if path.exists() else SKELETON
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{render_generated(data, chart_name)}\n{END}{tail}")


def render_chart(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = data.get("runs", {})
    main_key = next((k for k in ORDER if k in runs), None)
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6.5), gridspec_kw={"width_ratios": [1.2, 1]})
    if main_key:
        endpoints = [e for e in runs[main_key]["endpoints"] if _measured(e)]
        labels = [e["label"] for e in endpoints]
        p50 = [e["latency_ms"]["p50"] for e in endpoints]
        p95 = [e["latency_ms"]["p95"] for e in endpoints]
        colours = ["#2a7f62" if e["group"] == "ours" else "#9a9a9a" for e in endpoints]
        y = range(len(endpoints))
        left.barh(list(y), p95, color=colours, alpha=0.35, label="p95")
        left.barh(list(y), p50, color=colours, label="p50")
        left.set_yticks(list(y), labels, fontsize=8)
        left.invert_yaxis()
        left.set_xscale("log")
        left.set_xlabel("latency, ms (log scale); green: ours, grey: baselines")
        left.set_title(f"Latency per endpoint ({main_key})")
        left.legend(loc="lower right")
    pairs = [(db, runs.get(f"{db}-small"), runs.get(f"{db}-medium")) for db in ("sqlite", "postgres")]
    pairs = [(db, s, m) for db, s, m in pairs if s and m]
    if pairs:
        db, small, medium = pairs[0]
        s, m = _index(small), _index(medium)
        medium_label = "medium (10k)"
        if "recommendations_index" in medium.get("corpus_build", {}):
            medium_label += ", no reco index"
        names = [n for n in s if _measured(s[n]) and _measured(m.get(n))]
        x = range(len(names))
        right.bar(
            [i - 0.2 for i in x], [s[n]["latency_ms"]["p50"] for n in names], width=0.4, label="small (1k)"
        )
        right.bar(
            [i + 0.2 for i in x], [m[n]["latency_ms"]["p50"] for n in names], width=0.4, label=medium_label
        )
        right.set_xticks(list(x), names, rotation=45, ha="right", fontsize=8)
        right.set_yscale("log")
        right.set_ylabel("p50 latency, ms (log scale)")
        right.set_title(f"p50 as the corpus grows ({db})")
        right.legend()
    else:
        right.text(
            0.5,
            0.5,
            "Run the medium size too to see growth:\nmake bench BENCH_SIZE=medium",
            ha="center",
            va="center",
        )
        right.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
