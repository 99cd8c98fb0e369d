"""docs/benchmarks.md from the results of one run."""
from __future__ import annotations

from typing import Any

from . import weight
from .load import CONNECTIONS, THREADS
from .web import ROUND_S, ROUNDS

PAGE_RATIO_AIM, PAGE_P99_AIM_MS = 0.5, 100
SUBMIT_RATIO_AIM, SUBMIT_P99_AIM_MS = 0.35, 150
INSTANT_S = 1.0
CONSTANT_MEMORY_SLACK = 1.25


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _web_rows(results: dict[str, Any]) -> list[str]:
    rows = []
    for run in results.get("web", {}).get("databases", []):
        page, post = run["page"]["median"], run["submission"]["median"]
        db = "SQLite" if run["database"] == "sqlite" else "PostgreSQL"
        page_ok = page["ratio"] >= PAGE_RATIO_AIM and page["p99_ms"] < PAGE_P99_AIM_MS and not run["page"]["errors"]
        rows.append(
            f"| 2 | Survey page GET ({db}) | {page['ratio']:.3f} of the ceiling ({page['rate']:,.0f} req/s); "
            f"p50 {_ms(page['p50_ms'])}, p99 {_ms(page['p99_ms'])} | ≥ {PAGE_RATIO_AIM} and p99 < "
            f"{PAGE_P99_AIM_MS} ms | {verdict(page_ok)} |")
        sub = run["submission"]
        post_ok = (post["ratio"] >= SUBMIT_RATIO_AIM and post["p99_ms"] < SUBMIT_P99_AIM_MS and sub["counts_match"])
        rows.append(
            f"| 3 | Submission POST ({db}) | {post['ratio']:.3f} of the ceiling ({post['rate']:,.0f} req/s); "
            f"p99 {_ms(post['p99_ms'])}; {sub['stored']:,} stored for {sub['thanks']:,} answered | "
            f"≥ {SUBMIT_RATIO_AIM}, p99 < {SUBMIT_P99_AIM_MS} ms, stored = answered | {verdict(post_ok)} "
            f"({'counts equal' if sub['counts_match'] else 'counts differ'}) |")
    return rows


def summary_table(results: dict[str, Any]) -> list[str]:
    lines = ["| # | Measurement | Figure | Aim | Result |", "| --- | --- | --- | --- | --- |"]
    web = results.get("web")
    if web:
        ceiling = web["ceiling"]
        lines.append(f"| 1 | Ceiling: bare Flask view, same gunicorn | {ceiling['rate']:,.0f} req/s (median of "
                     f"{ceiling['rounds']} runs, {ceiling['low']:,.0f}–{ceiling['high']:,.0f}); "
                     f"{ceiling['cpu_ms']:.2f} ms of server CPU per request | reference | – |")
        lines += _web_rows(results)
    analysis = results.get("analysis")
    if analysis:
        lines.append(f"| 4 | Per-state top issues, 1,000,000 synthetic responses | {analysis['headline']} | "
                     f"compared with DuckDB SQL | – |")
    report = results.get("report")
    if report:
        what = (f"state report page + {report['charts']} chart(s)" if report["kind"] == "page"
                else "`read_responses` + per-state summary (no report page yet)")
        lines.append(f"| 5 | Report from the database, 1,000,000 responses | {what}: cold {report['cold_s']:,.1f} s, "
                     f"warm {report['warm_s']:,.2f} s; peak memory {report['peak_mb']:,.0f} MB | instant "
                     f"(≤ {INSTANT_S:.0f} s) | warm {verdict(report['warm_s'] <= INSTANT_S)}, "
                     f"cold {verdict(report['cold_s'] <= INSTANT_S)} |")
    export = results.get("export")
    if export:
        small, large = export["100k"], export["1m"]
        constant = large["peak_mb"] <= small["peak_mb"] * CONSTANT_MEMORY_SLACK
        lines.append(f"| 6 | CSV export, 1,000,000 responses | {large['rows_per_s']:,.0f} rows/s "
                     f"({large['seconds']:,.0f} s); peak {large['peak_mb']:,.0f} MB (100,000: "
                     f"{small['peak_mb']:,.0f} MB) | constant memory | {verdict(constant)} |")
    pages = results.get("weight")
    if pages:
        heaviest = max(pages, key=lambda row: row["bytes"])
        most = max(row["requests"] for row in pages)
        lines.append(f"| 7 | Page weight, {len(pages)} pages in {', '.join(weight.LANGUAGES)} | heaviest "
                     f"{heaviest['bytes']:,} bytes ({heaviest['language']}, page {heaviest['page']}); at most "
                     f"{most} requests | ≤ {weight.BYTES_AIM:,} bytes, ≤ {weight.REQUESTS_AIM} requests | "
                     f"{verdict(all(row['passes'] for row in pages))} |")
    return lines


def _web_details(web: dict[str, Any]) -> list[str]:
    lines = ["## 1–3. Served pages", "",
             f"Load: wrk with {CONNECTIONS} connections and {THREADS} threads, {ROUND_S} s per run; the "
             f"submissions with `bench/submitter.py` ({CONNECTIONS} connections), which waits for every answer so "
             "the stored responses can be counted exactly (wrk abandons the requests in flight when it stops). "
             f"Each figure is the median of {ROUNDS} rounds; a round measures the ceiling and the target back to "
             "back, alternating which goes first, and the ratio is taken within the round. Server CPU per request "
             "is the CPU time of gunicorn's processes during the run divided by the requests answered; it depends "
             "much less than throughput on what else the machine is doing.", "",
             "| Target | Database | req/s | ratio | p50 | p99 | server CPU / request | CPU ratio | errors |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ceiling = web["ceiling"]
    lines.append(f"| Ceiling (bare Flask view) | – | {ceiling['rate']:,.0f} | 1 | {_ms(ceiling['p50_ms'])} | "
                 f"{_ms(ceiling['p99_ms'])} | {ceiling['cpu_ms']:.2f} ms | 1 | {ceiling['errors']} |")
    for run in web["databases"]:
        db = "SQLite" if run["database"] == "sqlite" else "PostgreSQL"
        for label, key in (("Survey page GET", "page"), ("Submission POST", "submission")):
            m = run[key]["median"]
            lines.append(f"| {label} | {db} | {m['rate']:,.0f} | {m['ratio']:.3f} | {_ms(m['p50_ms'])} | "
                         f"{_ms(m['p99_ms'])} | {m['cpu_ms']:.2f} ms | {m['cpu_ratio']:.3f} | {run[key]['errors']} |")
    lines += ["", "Submissions, counted afterwards in the database:", "",
              "| Database | answered \"thank you\" | responses stored | other answers | drafts sent twice |",
              "| --- | ---: | ---: | --- | ---: |"]
    for run in web["databases"]:
        sub = run["submission"]
        other = ", ".join(f"{k}: {v}" for k, v in sub["outcomes"].items() if k != "thanks") or "none"
        lines.append(f"| {'SQLite' if run['database'] == 'sqlite' else 'PostgreSQL'} | {sub['thanks']:,} | "
                     f"{sub['stored']:,} | {other} | {sub['reused']} |")
    if web.get("workers"):
        lines += ["", "### Choosing gunicorn's settings", "",
                  "The survey page (SQLite) and the ceiling under other settings, one round each, same run:", "",
                  "| Settings | ceiling req/s | page req/s | ratio | page p99 | page CPU / request | |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for row in web["workers"]:
            lines.append(f"| `{row['args']}` | {row['ceiling_rate']:,.0f} | {row['rate']:,.0f} | {row['ratio']:.3f} | "
                         f"{_ms(row['p99_ms'])} | {row['cpu_ms']:.2f} ms | {'used' if row['chosen'] else ''} |")
        lines += ["", _worker_choice(web["workers"])]
    return lines


# The parts of the profile that do not contain one another, for "where the time goes".
LEAF_AREAS = ("surveys.newest_version", "surveys.find_survey", "_draft", "build_page_form", "content block",
              "_language_links", "open_session", "save_session")


def _largest_parts(profile: dict[str, Any], count: int = 4) -> str:
    leaves = [area for area in profile["areas"] if any(key in area["area"] for key in LEAF_AREAS)]
    leaves.sort(key=lambda area: area["share"], reverse=True)
    return "; ".join(f"{area['area'].strip()} {100 * area['share']:.0f}%" for area in leaves[:count])


def _worker_choice(rows: list[dict[str, Any]]) -> str:
    chosen = next(row for row in rows if row["chosen"])
    best = max(rows, key=lambda row: row["ratio"])
    if chosen["ratio"] >= 0.9 * best["ratio"] or best is chosen:
        return (f"The settings used, `{chosen['args']}`, serve the survey page as well as the others within this "
                "run's noise. They are the worker class the README's deployment runs (synchronous workers, which "
                "need no thread-safety from the app), with gunicorn's suggested 2 × cores + 1 workers.")
    return (f"In this run `{best['args']}` served the survey page better (ratio {best['ratio']:.3f} against "
            f"{chosen['ratio']:.3f}). One round each is not much: rerun before changing `bench/serve.py`.")


def _profile_details(profile: dict[str, Any]) -> list[str]:
    lines = ["## Where the survey page's time goes", "",
             f"cProfile of `GET {profile['path']}` ({profile['language']}), {profile['requests']} requests in "
             f"process (`.venv/bin/python -m bench.profile_page`): {profile['plain_ms']:.2f} ms of CPU per request "
             "without the profiler. Shares come from the profile; milliseconds are those shares of the CPU time. "
             "Indented lines are part of the line above.", "",
             "| Part of the request | calls | ms | share |", "| --- | ---: | ---: | ---: |"]
    for area in profile["areas"]:
        label = area["area"]
        indent = "&nbsp;&nbsp;&nbsp;" * ((len(label) - len(label.lstrip())) // 2)
        calls = "–" if area["calls_per_request"] is None else f"{area['calls_per_request']:g}"
        lines.append(f"| {indent}{label.strip()} | {calls} | {area['ms_per_request']:.2f} | "
                     f"{100 * area['share']:.0f}% |")
    widgets = next((a for a in profile["areas"] if "WTForms widgets" in a["area"]), None)
    if widgets is not None:
        times = "once" if widgets["calls_per_request"] == 1 else f"{widgets['calls_per_request']:g} times"
        lines += ["", f"WTForms widgets are called {times} per page (the hidden CSRF "
                  "field): `templates/macros.html` writes the choices' inputs itself, so widget rendering is not where "
                  "the time goes."]
    lines += ["", f"Largest separate parts: {_largest_parts(profile)}.", "", "Most own time (excluding callees):", "",
              "| Function | calls per request | share |", "| --- | ---: | ---: |"]
    whole = profile["profiled_ms"] * profile["requests"] / 1000
    for row in profile["top_own_time"][:10]:
        lines.append(f"| `{row['function']}` | {row['calls'] / profile['requests']:g} | "
                     f"{100 * row['own_s'] / whole:.1f}% |")
    return lines


def _weight_details(pages: list[dict[str, Any]]) -> list[str]:
    lines = ["## 7. Page weight", "",
             "Bytes as served (uncompressed) of the HTML and every same-origin asset it links; each page counted as "
             "if nothing were cached. gzip is what a compressing proxy would send.", "",
             "| Language | Page | HTML | assets | total | gzip | requests | |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in pages:
        assets = ", ".join(f"`{url}` {size:,}" for url, size in row["assets"].items()) or "none"
        lines.append(f"| {row['language']} | {row['page']} | {row['html_bytes']:,} | {assets} | {row['bytes']:,} | "
                     f"{row['gzip_bytes']:,} | {row['requests']} | {'pass' if row['passes'] else 'FAIL'} |")
    return lines


def _report_details(report: dict[str, Any]) -> list[str]:
    if report["kind"] == "page":
        lines = ["## 5. State report from the database", "",
                 f"`GET {report['path']}` and its same-origin images and stylesheets, as staff, from a SQLite "
                 f"database of 1,000,000 responses. Server: `{report['command']}` (one worker so the warm request "
                 "meets the process that read the responses; no worker timeout so the cold request is measured). "
                 "Cold: the server has just started and the database file was dropped from the page cache. Warm: "
                 "the same requests again (median of the repeats).", "",
                 "| | page | assets | total |", "| --- | ---: | ---: | ---: |"]
        for label, run in [("cold", report["cold"])] + [("warm", w) for w in report["warm"]]:
            lines.append(f"| {label} | {run['page_s']:,.2f} s | {sum(run['assets_s'].values()):,.2f} s | "
                         f"{run['total_s']:,.2f} s |")
        lines += ["", f"Peak resident memory of the worker: {report['peak_mb']:,.0f} MB. "
                  + ("The cold page takes longer than gunicorn's default worker timeout (30 s), so under the "
                     "README's command line the worker would be killed before answering."
                     if report["cold_over_default_timeout"] else
                     "The cold page answers within gunicorn's default worker timeout (30 s).")]
        return lines
    return ["## 5. Report from the database", "",
            "The staff report routes do not exist yet, so this measures what the page will do first: "
            "`analysis.read.read_responses` and the per-state summary, in a fresh process (cold: the database "
            "file dropped from the page cache; warm: the same again). `bench.state_report."
            "measure_state_report_page` measures the page once the routes exist.", "",
            f"| | read | summary | total |", "| --- | ---: | ---: | ---: |",
            *[f"| {label} | {report[label]['read_s']:,.1f} s | {report[label]['summary_s']:,.3f} s | "
              f"{report[label]['total_s']:,.1f} s |" for label in ("cold", "warm")],
            "", f"Peak resident memory: {report['peak_mb']:,.0f} MB."]


def _export_details(export: dict[str, Any]) -> list[str]:
    lines = ["## 6. CSV export", "", f"`{export['1m']['command']}` on SQLite; peak memory is the process's "
             "maximum resident set size (from its rusage).", "",
             "| Responses | seconds | rows/s | peak memory | CSV size |", "| ---: | ---: | ---: | ---: | ---: |"]
    for key in ("100k", "1m"):
        run = export[key]
        lines.append(f"| {run['rows']:,} | {run['seconds']:,.1f} | {run['rows_per_s']:,.0f} | {run['peak_mb']:,.0f} MB "
                     f"| {run['csv_mb']:,.0f} MB |")
    return lines


def document(results: dict[str, Any], notes: list[str]) -> str:
    machine = results["machine"]
    lines = ["# Benchmarks", "",
             "Written by `make bench` (`bench/run.py`); rerun it to refresh this page. Absolute numbers drift on "
             "shared machines, so the served pages are given as a ratio of a bare Flask view measured in the same run "
             "with the same gunicorn command line.", "",
             f"- Run: {machine['date']}, {machine['duration_min']:.1f} minutes",
             f"- Machine: {machine['cpu']} × {machine['cores']} cores, {machine['memory_gb']:.0f} GB; load average "
             f"{machine['load_before']} before, {machine['load_after']} after (other programs were running: "
             "compare ratios, not absolute numbers)",
             f"- Software: {machine['software']}", "",
             "## Results", "", *summary_table(results), ""]
    if results.get("commands"):
        lines += ["## Commands", "", *[f"- {command}" for command in results["commands"]], ""]
    if results.get("web"):
        lines += [*_web_details(results["web"]), ""]
    if results.get("profile"):
        lines += [*_profile_details(results["profile"]), ""]
    if results.get("analysis"):
        lines += ["## 4. Analysis: pandas/numpy against DuckDB", "",
                  "`.venv/bin/python bench/analysis_bench.py`, as it printed:", "", results["analysis"]["output"], ""]
    if results.get("report"):
        lines += [*_report_details(results["report"]), ""]
    if results.get("export"):
        lines += [*_export_details(results["export"]), ""]
    if results.get("weight"):
        lines += [*_weight_details(results["weight"]), ""]
    if notes:
        lines += ["## Notes from the run", "", *[f"- {note}" for note in notes], ""]
    return "\n".join(lines)
