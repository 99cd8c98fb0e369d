"""docs/benchmarks.md from the results of one run."""
from __future__ import annotations

from typing import Any

from . import weight
from .load import CONNECTIONS, THREADS
from .web import ROUND_S, ROUNDS

PAGE_RATIO_AIM, PAGE_P99_AIM_MS = 0.5, 100
SUBMIT_RATIO_AIM, SUBMIT_P99_AIM_MS = 0.35, 150
ANALYSIS_PEAK_AIM_MB = 500
REPORT_WARM_AIM_S = 0.1
REPORTS_MAX_AGE_S = 10
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
            f"| 3 | Submission POST ({db}) | {post['ratio']:.3f} of the ceiling driven by the same generator "
            f"({post['rate']:,.0f} req/s; {post['rate'] / sub['wrk_ceiling_rate']:.3f} of wrk's); "
            f"p99 {_ms(post['p99_ms'])}; {sub['stored']:,} stored for {sub['thanks']:,} answered | "
            f"≥ {SUBMIT_RATIO_AIM}, p99 < {SUBMIT_P99_AIM_MS} ms, stored = answered | {verdict(post_ok)} "
            f"({'counts equal' if sub['counts_match'] else 'counts differ'}) |")
    return rows


def summary_table(results: dict[str, Any]) -> list[str]:
    lines = ["| # | Measurement | Figure | Aim | Result |", "| --- | --- | --- | --- | --- |"]
    web = results.get("web")
    if web:
        ceiling, posted = web["ceiling"], web["ceiling_submitter"]
        lines.append(f"| 1 | Ceiling: bare Flask view, same gunicorn | GET driven by wrk: {ceiling['rate']:,.0f} req/s "
                     f"(median of {ceiling['rounds']} runs, {ceiling['low']:,.0f}–{ceiling['high']:,.0f}), "
                     f"{ceiling['cpu_ms']:.2f} ms of server CPU per request; POST driven by `bench/submitter.py`: "
                     f"{posted['rate']:,.0f} req/s | reference | – |")
        lines += _web_rows(results)
    analysis = results.get("analysis")
    if analysis:
        fast = analysis["ours_ms"] <= analysis["duckdb_ms"]
        small = analysis["peak_mb"] < ANALYSIS_PEAK_AIM_MB
        lines.append(f"| 4 | Per-state top issues, 1,000,000 synthetic responses | {analysis['headline']} | "
                     f"no slower than DuckDB SQL, peak < {ANALYSIS_PEAK_AIM_MB} MB | {verdict(fast and small)} |")
    report = results.get("report")
    if report:
        what = (f"state report page + {report['charts']} chart(s)" if report["kind"] == "page"
                else "`read_responses` + per-state summary (no report page yet)")
        lines.append(f"| 5 | Report from the database, 1,000,000 responses | {what}: warm "
                     f"{1000 * report['warm_s']:,.0f} ms; cold {report['cold_s']:,.1f} s; peak memory "
                     f"{report['peak_mb']:,.0f} MB | warm < {1000 * REPORT_WARM_AIM_S:.0f} ms; cold: say what it "
                     f"costs (section 5) | warm {verdict(report['warm_s'] < REPORT_WARM_AIM_S)} |")
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


WHAT_MAKES_IT_FAST = (
    "Each worker keeps a survey it serves (its newest version, parsed, and the languages offered) for "
    "`SURVEY_CACHE_SECONDS` (5 s); a change made through the app is seen at once by the worker that made it "
    "(`survey_app/surveys.py`).",
    "Question pages are kept rendered, per version, language, page, chosen answers and step, bounded in pages "
    "and bytes; a page holding typed text is not kept (`survey_app/public/page_cache.py`); each respondent's own "
    "CSRF token is put in on the way out. Rendering "
    "the layout, the language menu and the questions was 40% of a page view. The welcome page is kept the same "
    "way, per version, language, link and whether the visitor has answers to come back to.",
    "On a phone: static files carry a fingerprint of their content and are cached for a year (`immutable`), so "
    "only the first page fetches the stylesheet and script; pages, stylesheet and script travel compressed with "
    "brotli or gzip (Flask-Compress). See section 8 for what that does on a slow 3G connection.",
    "The draft a page shows is read from the driver's own cursor (`survey_app/drafts.py`): through SQLAlchemy's "
    "statement machinery the read took three times as long, and through the ORM longer still.",
    "Requests other than POST skip the rate limiter altogether (every limit is on POST). The session cookie's "
    "serializer is built once, and the cookie is signed again only when it changes.",
    "The last page and the response are stored in one transaction: one INSERT of the response, one multi-row "
    "INSERT of its answers and the DELETE of the draft, sent to the connection of the transaction that read the "
    "draft, without the ORM's bookkeeping.",
    "One synchronous gunicorn worker per core: with more, every request costs more CPU (see below).",
    "Reports check for new responses at most every `REPORTS_MAX_AGE` seconds and keep tables and charts per "
    "snapshot; the first read runs in the background, fetching answers from the driver's cursor with interned "
    "strings and the garbage collector paused (half the time and memory of reading SQLAlchemy rows).",
)


def _web_details(web: dict[str, Any]) -> list[str]:
    lines = ["## 1–3. Served pages", "",
             f"Load: wrk with {CONNECTIONS} connections and {THREADS} threads, {ROUND_S} s per run; the "
             f"submissions with `bench/submitter.py` ({CONNECTIONS} connections), which waits for every answer so "
             "the stored responses can be counted exactly (wrk abandons the requests in flight when it stops). "
             "The submitter costs more CPU per request than wrk, on the same two cores as the server, so in the "
             "submission rounds it drives the ceiling too (the same POST, to the bare view): each ratio compares "
             "two runs of one load generator. "
             f"Each figure is the median of {ROUNDS} rounds; a round measures the ceiling and the target back to "
             "back, alternating which goes first, and the ratio is taken within the round. Server CPU per request "
             "is the CPU time of gunicorn's processes during the run divided by the requests answered; it depends "
             "much less than throughput on what else the machine is doing.", "",
             "| Target | Database | req/s | ratio | p50 | p99 | server CPU / request | CPU ratio | errors |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, ceiling in (("Ceiling, GET by wrk", web["ceiling"]), ("Ceiling, POST by the submitter",
                                                                        web["ceiling_submitter"])):
        lines.append(f"| {label} (bare Flask view) | – | {ceiling['rate']:,.0f} | 1 | {_ms(ceiling['p50_ms'])} | "
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


# The parts of a profile that do not contain one another, for "where the time goes".
LEAF_AREAS = ("public_survey", "_draft", "generate_csrf", "render_template", "build_page_form", "Form.validate",
              "submit_draft", "open_session", "save_session", "rate limiter", "security_headers", "teardown")


def _largest_parts(profile: dict[str, Any], count: int = 4) -> str:
    leaves = [area for area in profile["areas"] if any(key in area["area"] for key in LEAF_AREAS)]
    leaves.sort(key=lambda area: area["share"], reverse=True)
    return "; ".join(f"{area['area'].strip()} {100 * area['share']:.0f}%" for area in leaves[:count])


def _worker_choice(rows: list[dict[str, Any]]) -> str:
    chosen = next(row for row in rows if row["chosen"])
    best = max(rows, key=lambda row: row["ratio"])
    if chosen["ratio"] >= 0.9 * best["ratio"] or best is chosen:
        return (f"The settings used, `{chosen['args']}` (one synchronous worker per core, as the README's "
                "deployment runs), serve the survey page at least as well as the others within this run's noise. "
                "More processes than cores make each request cost more CPU: they take turns on the two cores and "
                "evict each other's memory from the processor's caches.")
    return (f"In this run `{best['args']}` served the survey page better (ratio {best['ratio']:.3f} against "
            f"{chosen['ratio']:.3f}). One round each is not much: rerun before changing `bench/serve.py`.")


def _profile_details(profile: dict[str, Any], title: str) -> list[str]:
    lines = [f"### {title}", "",
             f"cProfile of `{profile['what']}` ({profile['language']}, {profile['database']}), {profile['requests']} "
             "requests in process (`.venv/bin/python -m bench.profile_page`): "
             f"{profile['plain_ms']:.2f} ms of CPU per request without the profiler. Shares come from the profile "
             "(wall time); milliseconds are those shares of the CPU time. Indented lines are part of the line above.",
             "", "| Part of the request | calls | ms | share |", "| --- | ---: | ---: | ---: |"]
    for area in profile["areas"]:
        label = area["area"]
        indent = "&nbsp;&nbsp;&nbsp;" * ((len(label) - len(label.lstrip())) // 2)
        lines.append(f"| {indent}{label.strip()} | {area['calls_per_request']:g} | {area['ms_per_request']:.2f} | "
                     f"{100 * area['share']:.0f}% |")
    lines += ["", f"Largest separate parts: {_largest_parts(profile)}.", "", "Most own time (excluding callees):", "",
              "| Function | calls per request | share |", "| --- | ---: | ---: |"]
    whole = profile["profiled_ms"] * profile["requests"] / 1000
    for row in profile["top_own_time"][:10]:
        lines.append(f"| `{row['function']}` | {row['calls'] / profile['requests']:g} | "
                     f"{100 * row['own_s'] / whole:.1f}% |")
    return lines


def _served_details(served: dict[str, Any], web: dict[str, Any] | None) -> list[str]:
    page, submission = served["page"], served["submission"]
    lines = ["### In the served workers",
             "",
             f"py-spy sampled both gunicorn workers ({served['rate_hz']} samples a second, {served['seconds']} s) while "
             "wrk fetched the survey page, then while the submitter sent last pages (SQLite, the same command line as "
             "above; `bench/served_profile.py`). Each sample counts for the innermost part of the request it was in; "
             "milliseconds are those shares of the server CPU per request measured at the same time.", "",
             "| Part of the request | page share | page ms | submission share | submission ms |",
             "| --- | ---: | ---: | ---: | ---: |"]
    by_part = {row["part"]: row for row in page["rows"]}
    by_part_post = {row["part"]: row for row in submission["rows"]}
    for part in dict.fromkeys([*by_part, *by_part_post]):
        shown = [f"{100 * rows[part]['share']:.0f}% | {rows[part]['ms']:.2f}" if part in rows else "– | –"
                 for rows in (by_part, by_part_post)]
        lines.append(f"| {part} | {shown[0]} | {shown[1]} |")
    lines.append(f"| **whole request** | 100% | {page['cpu_ms']:.2f} | 100% | {submission['cpu_ms']:.2f} |")
    fixed = sum(by_part[part]["share"] for part in by_part if part.startswith(("gunicorn", "the rest around")))
    if web:
        ceiling = web["ceiling"]["cpu_ms"]
        measured = next(run["page"]["median"]["cpu_ms"] for run in web["databases"] if run["database"] == "sqlite")
        lines += ["", f"Throughput follows server CPU per request (both ratios are in the table of served pages). The "
                  f"bare view costs {ceiling:.2f} ms, so serving the page at half the ceiling leaves it about "
                  f"{2 * ceiling:.2f} ms. gunicorn's part and the rest around the view (mostly Flask's and "
                  f"Werkzeug's own handling) are {100 * fixed:.0f}% of the page here: at the {measured:.2f} ms the "
                  f"page cost in the rounds above, {fixed * measured:.2f} ms of it."]
    return lines


def _weight_details(pages: list[dict[str, Any]]) -> list[str]:
    lines = ["## 7. Page weight", "",
             "Bytes as served (uncompressed) of the HTML and every same-origin asset it links; each page counted as "
             "if nothing were cached. gzip is about what the app sends (brotli, a little smaller, when the browser takes it).", "",
             "| Language | Page | HTML | assets | total | gzip | requests | |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in pages:
        assets = ", ".join(f"`{url}` {size:,}" for url, size in row["assets"].items()) or "none"
        lines.append(f"| {row['language']} | {row['page']} | {row['html_bytes']:,} | {assets} | {row['bytes']:,} | "
                     f"{row['gzip_bytes']:,} | {row['requests']} | {'pass' if row['passes'] else 'FAIL'} |")
    return lines


def _report_details(report: dict[str, Any]) -> list[str]:
    lines = ["## 5. State report from the database", "",
             f"`GET {report['path']}` and its same-origin images and stylesheets, as staff, from a SQLite "
             f"database of 1,000,000 responses. Server: `{report['command']}` (one worker, so the warm request "
             "meets the process that read the responses; gunicorn's default 30 s worker timeout). Cold: the server "
             "has just started and the database file was dropped from the page cache; the time runs until the "
             "report itself is shown. While the responses are read, the page waits up to 5 s "
             "(`REPORTS_FIRST_READ_WAIT`), then says that the report is being prepared and reloads itself every 5 s "
             "(a `Refresh` header), so the cold time is rounded up to the next reload. Warm: the same requests "
             "again (median of the repeats).", "",
             "| | page | assets | total | \"being prepared\" pages |", "| --- | ---: | ---: | ---: | ---: |"]
    for label, run in [("cold", report["cold"])] + [("warm", w) for w in report["warm"]]:
        lines.append(f"| {label} | {run['page_s']:,.3f} s | {sum(run['assets_s'].values()):,.3f} s | "
                     f"{run['total_s']:,.3f} s | {run['preparing_pages']} |")
    lines += ["", f"Peak resident memory of the worker: {report['peak_mb']:,.0f} MB. The longest single request "
              f"took {report['longest_request_s']:,.2f} s, well within the worker timeout.", "",
              "What cold costs, and why: the first report after a start reads every response of the survey into "
              "memory (one row per response, a column per question and choice), because every figure, breakdown, "
              "comparison and chart of every state and date range is computed from that frame. A million "
              "responses are about ten million answer rows: fetching them from SQLite and pivoting them is the "
              "cold time, and the frame, with the rows on their way in, is the peak memory. After that, a check "
              f"for new responses (a COUNT over the responses, at most every {REPORTS_MAX_AGE_S} s) and the cached "
              "tables and charts make the warm page."]
    return lines


def _export_details(export: dict[str, Any]) -> list[str]:
    lines = ["## 6. CSV export", "", f"`{export['1m']['command']}` on SQLite; peak memory is the process's "
             "maximum resident set size (from its rusage).", "",
             "| Responses | seconds | rows/s | peak memory | CSV size |", "| ---: | ---: | ---: | ---: | ---: |"]
    for key in ("100k", "1m"):
        run = export[key]
        lines.append(f"| {run['rows']:,} | {run['seconds']:,.1f} | {run['rows_per_s']:,.0f} | {run['peak_mb']:,.0f} MB "
                     f"| {run['csv_mb']:,.0f} MB |")
    return lines


# Measured by browser tests rather than by this run: kept from the page being rewritten.
KEPT_SECTIONS = ("## 8. Slow 3G", "## 9. Recordings")


def kept_section(previous: str) -> list[str]:
    """The sections of the previous page that `make bench` does not measure, unchanged."""
    kept: list[str] = []
    for title in KEPT_SECTIONS:
        if title not in previous:
            continue
        section = previous[previous.index(title):]
        following = section.find("\n## ", 1)
        kept += [*(section[:following] if following != -1 else section).rstrip("\n").split("\n"), ""]
    return kept[:-1]


def document(results: dict[str, Any], notes: list[str], previous: str = "") -> str:
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
    lines += ["## What makes the pages fast", "", *[f"- {point}" for point in WHAT_MAKES_IT_FAST], ""]
    if results.get("commands"):
        lines += ["## Commands", "", *[f"- {command}" for command in results["commands"]], ""]
    if results.get("web"):
        lines += [*_web_details(results["web"]), ""]
    if results.get("profile"):
        lines += ["## Where the time goes", ""]
        if results["profile"].get("served"):
            lines += [*_served_details(results["profile"]["served"], results.get("web")), ""]
        lines += [*_profile_details(results["profile"]["page"], "The survey page"), "",
                  *_profile_details(results["profile"]["submission"], "The submission"), ""]
    if results.get("analysis"):
        lines += ["## 4. Analysis: pandas/numpy against DuckDB", "",
                  "`.venv/bin/python bench/analysis_bench.py`, as it printed:", "", results["analysis"]["output"], ""]
    if results.get("report"):
        lines += [*_report_details(results["report"]), ""]
    if results.get("export"):
        lines += [*_export_details(results["export"]), ""]
    if results.get("weight"):
        lines += [*_weight_details(results["weight"]), ""]
    if kept := kept_section(previous):
        lines += [*kept, ""]
    if notes:
        lines += ["## Notes from the run", "", *[f"- {note}" for note in notes], ""]
    return "\n".join(lines)
