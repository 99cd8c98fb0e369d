"""docs/benchmarks.md from the results of one run."""
from __future__ import annotations

from typing import Any

from . import flow, weight
from .load import CONNECTIONS, THREADS
from .web import PAGE_RATIO_AIM, ROUND_S, ROUNDS, SUBMIT_RATIO_AIM

ANALYSIS_PEAK_AIM_MB = 500
REPORT_WARM_AIM_S = 0.1
REPORT_COLD_AIM_S = 3.0
REPORT_PEAK_AIM_MB = 400
# A subsection of 5a written by hand (the figures of the code before a change), kept by every run.
REPORT_SCALE_KEPT = "### Before and after"
REPORTS_MAX_AGE_S = 10
CONSTANT_MEMORY_SLACK = 1.25


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _database(run: dict[str, Any]) -> str:
    return "SQLite" if run["database"] == "sqlite" else "PostgreSQL"


def _web_rows(results: dict[str, Any]) -> list[str]:
    rows = []
    for run in results.get("web", {}).get("databases", []):
        db = _database(run)
        pages = run["requests"]
        lowest = min(pages, key=lambda row: row["median"]["ratio"])
        met = sum(row["median"]["ratio"] >= PAGE_RATIO_AIM and not row["errors"] for row in pages)
        floors = [row for row in run.get("floor", []) if row["name"] != "submission"]
        least = f"; the floor (`bench/floor.py`): {_ratios(floors)} ({', '.join(row['name'] for row in floors)})" \
            if floors else ""
        rows.append(
            f"| 1 | Respondent pages ({db}): {len(pages)} requests, each against a bare Flask view answering the "
            f"same bytes with the same signed cookie | ratios {_ratios(pages)}; lowest {lowest['name']} "
            f"{lowest['median']['ratio']:.2f}{least} | each ≥ {PAGE_RATIO_AIM} | {verdict(met == len(pages))} "
            f"({met} of {len(pages)}) |")
    for run in results.get("web", {}).get("databases", []):
        sub, post = run["submission"], run["submission"]["median"]
        ok = post["ratio"] >= SUBMIT_RATIO_AIM and sub["counts_match"]
        floor = next((row for row in run.get("floor", []) if row["name"] == "submission"), None)
        least = f"; the floor {floor['median']['ratio']:.2f}" if floor else ""
        rows.append(
            f"| 2 | Submission ({_database(run)}) against a bare Flask view making one durable INSERT and commit "
            f"to the same database | {post['ratio']:.2f} ({post['rate']:,.0f} against {post['ceiling_rate']:,.0f} "
            f"req/s){least}; {sub['stored']:,} stored for {sub['thanks']:,} answered | ≥ {SUBMIT_RATIO_AIM}, stored = "
            f"answered | {verdict(ok)} ({'counts equal' if sub['counts_match'] else 'counts differ'}) |")
    return rows


def _ratios(pages: list[dict[str, Any]]) -> str:
    return ", ".join(f"{row['median']['ratio']:.2f}" for row in pages)


def summary_table(results: dict[str, Any]) -> list[str]:
    lines = ["| # | Measurement | Figure | Aim | Result |", "| --- | --- | --- | --- | --- |"]
    web = results.get("web")
    if web:
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
    scale = results.get("report-scale")
    if scale:
        lines.append(_report_scale_row(scale["runs"]))
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
    "way, per version, language, link and whether the visitor has answers to come back to, and the thank-you page per "
    "version, language and what it links to (rendering it was half of its cost).",
    "On a phone: static files carry a fingerprint of their content and are cached for a year (`immutable`), so "
    "only the first page fetches the stylesheet and script; pages, stylesheet and script travel compressed with "
    "brotli or gzip (Flask-Compress). See section 8 for what that does on a slow 3G connection.",
    "The draft a page shows is read from the driver's own cursor (`survey_app/drafts.py`): through SQLAlchemy's "
    "statement machinery the read took three times as long, and through the ORM longer still. Pressing Start with "
    "answers to come back to reads the draft the same way and checks the form's token without building a form; the "
    "thank-you page asks the same way whether the response exists (through the ORM, a seventh of the page).",
    "A page view works out the answers that count once and hands the same answers to navigation, the page's key "
    "and piping (`forms.relevance.CountedAnswers`: counting them again gives them back); each worked them out "
    "anew before, three times a view.",
    "On PostgreSQL, the reads a respondent's page makes outside a transaction (the draft it shows, whether a "
    "response exists) go through connections of their own in autocommit, not checked before each use "
    "(`config.engine_binds`): the read alone, instead of the pool's check, BEGIN, the read and a ROLLBACK when the "
    "connection goes back. A connection the server dropped fails the read, which empties that pool and reads "
    "again on a new connection (`drafts.py`; `tests/reliability/test_dropped_connections.py`).",
    "The security headers are added to the plain list of headers on the way out, in the WSGI wrapper every "
    "response passes (`page_context.SafeResponses`): set through Werkzeug's `Headers` in an after-request "
    "function they cost 6% of a page view in process.",
    "A page's checks work out the answers that count once per validation, not once for each question: a "
    "submission checks the last page and then every page of the whole response, and that took 1.0 ms of CPU "
    "instead of 0.6 ms.",
    "Requests other than POST skip the rate limiter altogether (every limit is on POST; `PostLimiter` in "
    "`survey_app/security/rate_limits.py`). The session cookie is signed again only when it changes "
    "(`SESSION_REFRESH_EACH_REQUEST` off), by Flask's own session interface.",
    "The last page and the response are stored in one transaction: one INSERT of the response, one multi-row "
    "INSERT of its answers and the DELETE of the draft, sent to the connection of the transaction that read the "
    "draft, without the ORM's bookkeeping.",
    "One synchronous gunicorn worker per core: with more, every request costs more CPU (see below).",
    "Reports check for new responses at most every `REPORTS_MAX_AGE` seconds and keep tables and charts per "
    "snapshot; the first read runs in the background, fetching answers from the driver's cursor with interned "
    "strings and the garbage collector paused (half the time and memory of reading SQLAlchemy rows). The "
    "responses are read from the answers once for all servers and stored as report parts in the database "
    "(`survey_app/reporting/parts.py`); every other process fetches only the parts' numbers, laid out to be read "
    "without parsing, and their response ids and free text only when a comments page asks (section 5a).",
)


def _web_details(web: dict[str, Any], served: dict[str, Any] | None = None) -> list[str]:
    lines = ["## 1–3. Served pages", "",
             "Each request a respondent makes is measured against a bare Flask app doing the same outward work "
             "(`bench/mirror.py`): before the rounds the survey is asked once, and the app then answers the same "
             "method and path with the survey's status, headers and body, after reading and checking the same signed "
             "session cookie with Flask's own session interface and the same key (and signing it again where the "
             "survey did). For the last page's POST it also makes one durable INSERT and commit to the survey's "
             "database, with the survey's connection settings (its engine options and SQLite pragmas). Both run "
             "under the same gunicorn command line, in the same run; the ratio is the survey's requests per second "
             "over the app's: what the survey costs beyond answering those bytes.", "",
             f"Load: wrk with {CONNECTIONS} connections and {THREADS} threads, {ROUND_S} s per run (POSTs with a Lua "
             f"script setting method, form and type); the submissions with `bench/submitter.py` ({CONNECTIONS} "
             "connections, a different draft each time), which waits for every answer so the stored responses can "
             "be counted exactly, and which drives the comparison app too. "
             f"Each figure is the median of {ROUNDS} rounds; a round measures the comparison and the survey back to "
             "back, alternating which goes first, and the ratio is taken within the round. Server CPU per request "
             "is the CPU time of gunicorn's processes during the run divided by the requests answered; it depends "
             "much less than throughput on what else the machine is doing, so the CPU ratio is a cross-check.", "",
             "The question pages and Start are those of a respondent in Spanish who has answered pages 1 to 4 (every "
             "page shows saved answers; Start sends them on to page 5); the welcome page is that of a visitor who has "
             "opened the link and not started; the thank-you page that of a respondent who has sent the survey."]
    for run in web["databases"]:
        lines += ["", f"### {_database(run)}", "",
                  "| Request | bytes | cookie signed again | comparison req/s | survey req/s | ratio | aim | CPU ratio "
                  "| survey p99 | errors |",
                  "| --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
        for row, aim in [*((row, PAGE_RATIO_AIM) for row in run["requests"]),
                         ({"name": "submission (POST of the last page)", **run["submission"]}, SUBMIT_RATIO_AIM)]:
            m = row["median"]
            lines.append(f"| {row['name']} | {row['bytes']:,} | {'yes' if row['signs_cookie'] else 'no'} | "
                         f"{m['ceiling_rate']:,.0f} | {m['rate']:,.0f} | {m['ratio']:.2f} | ≥ {aim} "
                         f"{'met' if m['ratio'] >= aim else '**not met**'} | {m['cpu_ratio']:.2f} | "
                         f"{_ms(m['p99_ms'])} | {row['errors']} |")
        sub = run["submission"]
        other = ", ".join(f"{k}: {v}" for k, v in sub["outcomes"].items() if k != "thanks") or "none"
        lines += ["", f"Submissions counted afterwards in the database: {sub['thanks']:,} answered \"thank you\", "
                  f"{sub['stored']:,} responses stored; other answers: {other}; drafts sent twice: {sub['reused']}."]
    lines += _floor_details(web, served)
    lines += _speed_up_details(web)
    if web.get("workers"):
        lines += ["", "### Choosing gunicorn's settings", "",
                  f"Page {flow.TYPICAL_PAGE} (SQLite) and its comparison app under other settings, same run:", "",
                  "| Settings | comparison req/s | page req/s | ratio | page p99 | page CPU / request | |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for row in web["workers"]:
            lines.append(f"| `{row['args']}` | {row['ceiling_rate']:,.0f} | {row['rate']:,.0f} | {row['ratio']:.3f} | "
                         f"{_ms(row['p99_ms'])} | {row['cpu_ms']:.2f} ms | {'used' if row['chosen'] else ''} |")
        lines += ["", _worker_choice(web["workers"])]
    return lines


def room(floor: dict[str, Any], aim: float) -> float:
    """The server CPU per request, in ms, that `aim` leaves for everything beyond the floor's work: the
    comparison's CPU over the aim, less the floor's (negative: the floor itself is below the aim)."""
    return floor["median"]["ceiling_cpu_ms"] / aim - floor["median"]["cpu_ms"]


def _span(values: list[float]) -> str:
    low, high = f"{min(values):.2f}", f"{max(values):.2f}"
    return f"{low} ms" if low == high else f"{low}–{high} ms"


def _floor_details(web: dict[str, Any], served: dict[str, Any] | None) -> list[str]:
    runs = [run for run in web["databases"] if run.get("floor")]
    if not runs:
        return []
    lines = ["", "### The floor: what the survey's promises cost at least", "",
             "`bench/floor.py` is the comparison app plus only the work the survey's promises oblige, done the "
             "cheapest way this stack offers: a page reads the respondent's draft (one SELECT by primary key on the "
             "driver's cursor) and signs this respondent's CSRF token into the bytes; the thank-you page checks "
             "that the response was stored; every POST counts against the rate limit in the same storage as the "
             "survey (Redis) and has its token checked; the last page's POST reads the draft, inserts the response "
             "and its answer rows, deletes the draft and commits, in one transaction. It leaves out choosing the "
             "language, finding the survey, the skip logic, building and checking forms, and every extension's "
             "hooks, so no survey can cost less (`tests/bench/test_floor.py` checks that it does that work). It "
             "runs against the same comparison app, under the same gunicorn command line, in the same run. Where "
             "the floor is below an aim, no code serving the survey on this stack reaches that aim; where it is "
             "above, the room is the server CPU per request that the aim leaves for everything the floor leaves "
             "out: the comparison's CPU divided by the aim, less the floor's.", "",
             "| Database | request | floor ratio | survey ratio | aim | comparison CPU | floor CPU | survey CPU "
             "| room the aim leaves |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    below: list[str] = []
    rooms: dict[str, list[float]] = {}
    for run in runs:
        survey = {row["name"]: row for row in run["requests"]}
        survey["submission"] = run["submission"]
        for floor in run["floor"]:
            aim = SUBMIT_RATIO_AIM if floor["name"] == "submission" else PAGE_RATIO_AIM
            m, own = floor["median"], survey[floor["name"]]["median"]
            left = room(floor, aim)
            if m["ratio"] < aim:
                below.append(f"{floor['name']} on {_database(run)} ({m['ratio']:.2f})")
            else:
                rooms.setdefault(floor["name"], []).append(left)
            lines.append(f"| {_database(run)} | {floor['name']} | {m['ratio']:.2f} | {own['ratio']:.2f} | {aim} | "
                         f"{m['ceiling_cpu_ms']:.2f} ms | {m['cpu_ms']:.2f} ms | {own['cpu_ms']:.2f} ms | "
                         + (f"{left:.2f} ms |" if m["ratio"] >= aim else "none: the floor is below the aim |"))
    if below:
        lines += ["", f"Below its aim already at the floor: {', '.join(below)}. There no code keeping the survey's "
                  "promises can reach the aim on this stack."]
    if rooms:
        lines += ["", "Above it, the room the aim leaves for all the floor leaves out: "
                  + "; ".join(f"{name} {_span(left)}" for name, left in rooms.items()) + "."]
    parts = {row["part"]: row["ms"] for row in served["page"]["rows"]} if served else {}
    posted = {row["part"]: row["ms"] for row in served["submission"]["rows"]} if served else {}
    if parts:
        lines.append("")
        lines.append(
            f"What the floor leaves out of a question page, in the served profile (\"Where the time goes\"): the skip logic "
            f"{parts.get('navigation over the skip logic', 0):.2f} ms, finding the survey and the language "
            f"{parts.get('finding the survey and the language', 0):.2f} ms, the response's headers "
            f"{parts.get('response headers', 0):.2f} ms, and inside Flask's handling the hooks of Flask-Compress "
            "(pages reach phones compressed), Flask-SQLAlchemy, Flask-Login, Flask-Limiter and the kiosk's refresh. "
            "The last page's POST must also build its form and check the whole response again (a response is not "
            "stored with an answer the survey's rules refuse, whatever the browser sent before): "
            f"{posted.get('building the form and checking the answers', 0):.2f} ms.")
    return lines


# Below this share of a request, a speed-up costs more to read than it saves.
SPEED_UP_WORTH = 0.05
SPEED_UP_NAMES = {
    "page cache": "rendered question pages kept per worker (`survey_app/public/page_cache.py`); switched off with "
                  "`RENDERED_PAGES=0`",
    "welcome page cache": "the welcome page kept the same way (`survey_app/public/views.py`); switched off with "
                          "the same setting",
    "thank-you page cache": "the thank-you page kept the same way (`survey_app/public/views.py`); switched off "
                            "with the same setting",
    "drafts": "the draft a page shows read from the driver's own cursor (`survey_app/drafts.py`); without it, the "
              "same SQLAlchemy statement the POST uses",
    "sessions": "one session serializer per set of keys (`survey_app/sessions.py`); without it, Flask's own "
                "`SecureCookieSessionInterface`",
    "counted answers": "a page view works out the answers that count once and hands them on "
                       "(`forms.relevance.CountedAnswers`); without it, navigation, the page's key and piping "
                       "each work them out again",
    "reads": "on PostgreSQL, the reads of a respondent's page on connections in autocommit, not checked before "
             "use (`config.engine_binds`, `drafts.py`); without it, on the app's one engine: each checkout "
             "checked, the read in a transaction rolled back when the connection goes back",
    "limiter": "`PostLimiter`: GETs skip Flask-Limiter (`survey_app/security/rate_limits.py`); without it, Flask-Limiter's "
               "`Limiter`, which finds no limit on a GET",
}


# What was decided on 2026-12-06, from that day's run (load average 15 to 19 on two cores) and a
# check in process, where the served figures were within their noise.
SPEED_UP_DECISIONS = (
    "Decided on 2026-12-06. With the machine that loaded, the served CPU figures of one request move by up to "
    "±20% between variants that cannot differ: on a POST, `PostLimiter` does exactly what Flask-Limiter's `Limiter` "
    "does, yet the run of 2026-12-06 showed it 19% cheaper. The speed-ups whose served figures were within that noise "
    "were also timed in process (`GET /s/family-voices/4`, the Flask test client, 400 requests a batch, the fastest "
    "of five batches, three alternated runs each, on the same SQLite database; server CPU per request about 0.9 ms "
    "with everything in place):",
    "",
    "| Speed-up | in process, with | without | saved | decision |",
    "| --- | ---: | ---: | ---: | --- |",
    "| `PostLimiter` (GETs skip Flask-Limiter) | 0.91 ms | 1.08 ms | 16% | kept |",
    "| the draft read from the driver's cursor (`drafts.py`) | 0.91 ms | 1.04 ms | 13% | kept |",
    "| `SignedCookieSessions` (one serializer per set of keys) | 1.31 and 0.92 ms | 1.23 and 1.02 ms | −6% and "
    "+11%: not measurable | removed: Flask's own `SecureCookieSessionInterface` serves the cookie |",
    "",
    "The rendered-page cache and the welcome page's saved about half of each page's CPU in the served run: both "
    "kept.",
    "",
    "`CountedAnswers` (a page view counts the answers once) came out at the threshold served on 2026-12-06 at 23:31 "
    "UTC (4% of the CPU, 6% by throughput), so it was timed in process the same way that evening (12 alternated "
    "batches of 400 each, medians): 0.527 ms with it, 0.565 ms without, 6.7% saved: kept.",
)


def saving(with_it: dict[str, Any], without: dict[str, Any], key: str = "cpu_ms") -> float:
    """The share of a request a speed-up saves: 1 - (server CPU per request with it) / (without it);
    with key="ratio", the same from throughput (the inverse of the ratio to the comparison app)."""
    if key == "ratio":
        return 1 - without["median"]["ratio"] / with_it["median"]["ratio"]
    return 1 - with_it["median"]["cpu_ms"] / without["median"]["cpu_ms"]


def _speed_up_label(name: str, request: str) -> str:
    # The welcome and thank-you pages are kept by the same cache as question pages but decided on their own.
    if name == "page cache" and request in ("welcome", "thanks"):
        return f"{'welcome' if request == 'welcome' else 'thank-you'} page cache"
    return name


# Measured on 2026-12-06 with bench/versus.py, the branch that made these changes against the code before them.
CHANGES_MEASURED = (
    "### The thank-you page, Start and the submission, before and after",
    "",
    "Measured on 2026-12-06 with `.venv/bin/python -m bench.versus OTHER` (OTHER a checkout of the code before "
    "these changes): both served side by side on one fresh database, 5 rounds of 3 s each alternating which goes "
    "first; the machine's load average was 6 to 7 on two cores. Server CPU per request, before → after, and the "
    "throughput after as a multiple of before. Page 4 changed in nothing: it shows the noise.",
    "",
    "| Request | what changed | SQLite | PostgreSQL |",
    "| --- | --- | --- | --- |",
    "| thanks | kept rendered like the welcome page; asks the driver's cursor only whether the response exists | "
    "1.64 → 0.61 ms, ×2.02 | 1.71 → 0.75 ms, ×2.51 |",
    "| start (with answers to come back to) | the draft read without a transaction; the token checked without "
    "building a form | 1.61 → 1.16 ms, ×1.10 | 1.84 → 1.58 ms, ×1.10 |",
    "| submission | the checks work out the answers that count once per validation, not once per question | "
    "4.41 → 4.08 ms, ×0.94 | 4.86 → 4.40 ms, ×1.16 |",
    "| page 4 | nothing | 0.80 → 0.85 ms, ×0.94 | 1.01 → 0.98 ms, ×0.97 |",
    "",
    "### A page view, the reads on PostgreSQL and the submission's check, before and after",
    "",
    "Measured the same way on 2026-12-06 between 20:20 and 20:35 UTC (load average 2 to 6: other programs were "
    "running; alternating rounds keep the comparison fair, the absolute figures are high). What changed: a page "
    "view counts the answers once (`CountedAnswers`); the security headers are added on the way out "
    "(`SafeResponses`); on PostgreSQL the page's reads use connections in autocommit, unchecked "
    "(`config.engine_binds`); a submission checks the whole response with its pages' rules and builds a form only "
    "for a page that fails them (`forms/answer_checks.py`, 7 rounds).",
    "",
    "| Request | SQLite | PostgreSQL |",
    "| --- | --- | --- |",
    "| welcome | 0.90 → 0.79 ms, ×1.11 | 0.73 → 0.65 ms, ×1.10 |",
    "| page 4 | 1.56 → 1.43 ms, ×1.16 | 1.58 → 1.25 ms, ×1.24 |",
    "| thanks | 0.80 → 0.89 ms, ×1.11 | 1.21 → 0.94 ms, ×1.32 |",
    "| start | 1.31 → 1.32 ms, ×1.05 | 2.21 → 1.88 ms, ×1.21 |",
    "| submission | 5.08 → 3.55 ms, ×1.37 | 8.62 → 6.06 ms, ×1.44 |",
    "",
    "In process (`GET /s/family-voices/4` through Flask's test client, the fastest of alternated batches, against "
    "the comparison app answering the same bytes in the same process): 0.50 → 0.44 ms on SQLite and 0.66 → 0.55 ms "
    "on PostgreSQL, where the comparison app takes 0.23 ms; counting the answers once saved about 0.05 ms, the "
    "headers 0.03 ms and the reads on PostgreSQL another 0.05 ms.",
    "",
    "What is left of Start beyond its comparison app is mostly work it must do: Flask-Limiter's check with its "
    "round trip to Redis (about a quarter of its CPU in process), reading the session and the draft. The "
    "submission waits for its commit, as "
    "the comparison's INSERT does, and checks every page of the response once more.",
)


def _speed_up_details(web: dict[str, Any]) -> list[str]:
    measured = [(run, speed_up) for run in web["databases"] for speed_up in run.get("speed_ups", [])]
    if not measured:
        return []
    lines = ["", "### What each speed-up is worth", "",
             "The survey served once more without one speed-up at a time (`bench/variants.py`, or the setting "
             "named), on the same database, against the same comparison app, in the same run. The share saved is "
             "1 − (server CPU per request with it) / (without it): the part of the request's cost the speed-up "
             "takes off; the same from throughput, 1 − (ratio without) / (ratio with), is shown beside it and is "
             "noisier on a loaded machine. A speed-up that saves under "
             f"{SPEED_UP_WORTH:.0%} of every request it touches costs more to read than it saves.", "",
             "| Speed-up | request | CPU / request with | without | share saved | ratio with | ratio without "
             "| share saved by throughput |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    best: dict[str, float] = {}
    described: dict[str, str] = {}
    for run, speed_up in measured:
        with_it = {row["name"]: row for row in run["requests"]}
        with_it["submission"] = run["submission"]
        for row in speed_up["rows"]:
            base = with_it[row["name"]]
            named = _speed_up_label(speed_up["name"], row["name"])
            label = named if run["database"] == "sqlite" else f"{named} ({run['database']})"
            described[label] = SPEED_UP_NAMES[named]
            best[label] = max(best.get(label, -1.0), saving(base, row))
            lines.append(f"| {label} | {row['name']} | {base['median']['cpu_ms']:.2f} ms | "
                         f"{row['median']['cpu_ms']:.2f} ms | {saving(base, row):.0%} | "
                         f"{base['median']['ratio']:.2f} | {row['median']['ratio']:.2f} | "
                         f"{saving(base, row, 'ratio'):.0%} |")
    lines += ["", *SPEED_UP_DECISIONS, "", "What the served figures of this run say, taken alone (mind the noise above):", ""]
    for label, most in best.items():
        verdict_ = "worth its place" if most >= SPEED_UP_WORTH else f"under {SPEED_UP_WORTH:.0%}: not worth its place"
        lines.append(f"- {label}, {described[label]}: at most {most:.0%} of a request, {verdict_}.")
    return [*lines, "", *CHANGES_MEASURED]


# The parts of a profile that do not contain one another, for "where the time goes".
LEAF_AREAS = ("public_survey", "_draft", "generate_csrf", "render_template", "build_page_form", "Form.validate",
              "submit_draft", "open_session", "save_session", "rate limiter", "security headers", "teardown")


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
        typical = next(row for row in next(run for run in web["databases"] if run["database"] == "sqlite")["requests"]
                       if row["name"] == f"page {flow.TYPICAL_PAGE}")
        bare = typical["median"]["ceiling_cpu_ms"]
        lines += ["", f"The comparison app answers page {flow.TYPICAL_PAGE}'s bytes for {bare:.2f} ms of server CPU; "
                  f"gunicorn's part and the rest around the view (mostly Flask's and Werkzeug's own handling) are "
                  f"{100 * fixed:.0f}% of the page here, {fixed * page['cpu_ms']:.2f} ms of {page['cpu_ms']:.2f} ms."]
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


def _size(responses: int) -> str:
    return {10_000: "10k", 100_000: "100k", 1_000_000: "1M"}.get(responses, f"{responses:,}")


def _kind(run: dict[str, Any]) -> str:
    return "SQLite" if run["database"].startswith("sqlite") else "PostgreSQL"


def _report_scale_row(runs: list[dict[str, Any]]) -> str:
    largest = [run for run in runs if run["responses"] == max(r["responses"] for r in runs)]
    figures = "; ".join(f"{_kind(run)}: cold {run['cold_s']:,.1f} s ({run['cold_cpu_s']:,.2f} s of CPU), warm "
                        f"{run['warm_ms']:,} ms, peak {run['peak_worker_mb']:,} MB per worker" for run in largest)
    cold = all(run["cold_s"] <= REPORT_COLD_AIM_S for run in largest)
    memory = all(run["peak_worker_mb"] <= REPORT_PEAK_AIM_MB for run in largest)
    warm = all(run["warm_ms"] < 1000 * REPORT_WARM_AIM_S for run in largest)
    return (f"| 5a | Report from stored report parts, {largest[0]['responses']:,} responses | {figures} | cold ≤ "
            f"{REPORT_COLD_AIM_S:.0f} s, ≤ {REPORT_PEAK_AIM_MB} MB per worker, warm < "
            f"{1000 * REPORT_WARM_AIM_S:.0f} ms | cold {verdict(cold)}, memory {verdict(memory)}, warm "
            f"{verdict(warm)} (section 5a) |")


def _report_scale_details(scale: dict[str, Any], previous: str) -> list[str]:
    lines = ["## 5a. Staff reports from stored report parts, at 10,000, 100,000 and 1,000,000 responses", "",
             f"{scale['command']}, for each database: `flask --app wsgi report-parts` first (as after an upgrade; "
             "it stores the parts the first time and only checks them afterwards, hence its times), "
             "then a server with one gunicorn worker starts and a staff user opens the state report of section 5 "
             "and its chart. Cold: the server has just started and reads the stored report parts; the time runs "
             "until the report itself is shown, through any \"being prepared\" pages (5 s each). The CPU time the "
             "server spent on the cold report depends far less on what else the machine runs than the time does. "
             "Warm: the same requests again (median of three). Load average: before and after each measurement.",
             "", "| responses | database | cold | CPU of the cold report | warm | peak memory of the worker | "
                 "load | `report-parts` |", "| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for run in scale["runs"]:
        preparing = f" ({run['preparing_pages']} \"being prepared\")" if run["preparing_pages"] else ""
        lines.append(f"| {run['responses']:,} | {_kind(run)} | {run['cold_s']:,.2f} s{preparing} | "
                     f"{run['cold_cpu_s']:,.2f} s | {run['warm_ms']:,} ms | {run['peak_worker_mb']:,} MB | "
                     f"{run['load_before']} to {run['load_after']} | {run['parts_s']:,.0f} s |")
    kept = _section(previous, REPORT_SCALE_KEPT)
    return lines + (["", *kept] if kept else [])


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
# Each section of `make bench`: the heading of its part of the page and its row in the results table.
SECTION_PARTS = {"profile": ("## Where the time goes", None), "analysis": ("## 4.", "4"), "report": ("## 5.", "5"),
                 "report-scale": ("## 5a.", "5a"), "export": ("## 6.", "6"), "weight": ("## 7.", "7")}


def _section(previous: str, heading: str) -> list[str]:
    """The part of the previous page under `heading`, up to the next heading of the same level."""
    at = previous.find("\n" + heading)
    if at == -1:
        return []
    section = previous[at + 1:]
    following = section.find("\n## ", 1)
    return (section[:following] if following != -1 else section).rstrip("\n").split("\n")


def kept_section(previous: str) -> list[str]:
    """The sections of the previous page that `make bench` does not measure, unchanged."""
    kept: list[str] = []
    for heading in KEPT_SECTIONS:
        if section := _section(previous, heading):
            kept += [*section, ""]
    return kept[:-1]


def _previous_run(previous: str) -> str:
    for line in previous.splitlines():
        if line.startswith("- Run: "):
            return line.removeprefix("- Run: ").split(",")[0]
    return "an earlier run"


def _measured_in(previous: str, name: str) -> str:
    """The run a section of the previous page was measured in: the one it says it was kept from, if so."""
    for line in previous.splitlines():
        if line.startswith("- Kept from the run of ") and name in line.split(" (not measured in this one): ", 1)[-1]:
            return line.removeprefix("- Kept from the run of ").split(" (not measured", 1)[0]
    return _previous_run(previous)


def _kept_rows(previous: str, numbers: set[str]) -> list[str]:
    return [line for line in previous.splitlines() if any(line.startswith(f"| {n} | ") for n in numbers)]


def _row_number(number: str) -> tuple[int, str]:
    """5 before 5a before 6."""
    digits = number.rstrip("abcdefghijklmnopqrstuvwxyz")
    return int(digits), number[len(digits):]


def document(results: dict[str, Any], notes: list[str], previous: str = "", ran: set[str] | None = None) -> str:
    """The page; sections not in `ran` (a run with --only) are kept from the `previous` page as they were."""
    machine = results["machine"]
    skipped = {name: part for name, part in SECTION_PARTS.items() if ran is not None and name not in ran}
    kept = {name: _section(previous, heading) for name, (heading, _row) in skipped.items()}
    kept = {name: lines for name, lines in kept.items() if lines}
    lines = ["# Benchmarks", "",
             "Written by `make bench` (`bench/run.py`); rerun it to refresh this page. Absolute numbers drift on "
             "shared machines, so each served page is given as a ratio of a bare Flask view doing the same outward "
             "work, measured in the same run with the same gunicorn command line.", "",
             f"- Run: {machine['date']}, {machine['duration_min']:.1f} minutes",
             f"- Machine: {machine['cpu']} × {machine['cores']} cores, {machine['memory_gb']:.0f} GB; load average "
             f"{machine['load_before']} before, {machine['load_after']} after (other programs were running: "
             "compare ratios, not absolute numbers)",
             f"- Software: {machine['software']}"]
    if kept:
        by_run: dict[str, list[str]] = {}
        for section in kept.values():
            name = section[0].removeprefix("## ")
            by_run.setdefault(_measured_in(previous, name), []).append(name)
        lines += [f"- Kept from the run of {run} (not measured in this one): {', '.join(names)}"
                  for run, names in by_run.items()]
    rows = summary_table(results)
    rows += _kept_rows(previous, {row for name, (_h, row) in skipped.items() if row and name in kept})
    # Measured and kept rows together, in the order of their numbers (a stable sort keeps each one's order).
    rows[2:] = sorted(rows[2:], key=lambda line: _row_number(line.split("|")[1].strip()))
    lines += ["", "## Results", "", *rows, ""]
    lines += ["## What makes the pages fast", "", *[f"- {point}" for point in WHAT_MAKES_IT_FAST], ""]
    if results.get("commands"):
        lines += ["## Commands", "", *[f"- {command}" for command in results["commands"]], ""]
    if results.get("web"):
        lines += [*_web_details(results["web"], (results.get("profile") or {}).get("served")), ""]
    if results.get("profile"):
        lines += ["## Where the time goes", ""]
        if results["profile"].get("served"):
            lines += [*_served_details(results["profile"]["served"], results.get("web")), ""]
        lines += [*_profile_details(results["profile"]["page"], "The survey page"), "",
                  *_profile_details(results["profile"]["submission"], "The submission"), ""]
    elif "profile" in kept:
        lines += [*kept["profile"], ""]
    for name, details in (("analysis", None), ("report", _report_details),
                          ("report-scale", lambda scale: _report_scale_details(scale, previous)),
                          ("export", _export_details), ("weight", _weight_details)):
        if results.get(name):
            lines += ([*(["## 4. Analysis: pandas/numpy against DuckDB", "",
                          "`.venv/bin/python bench/analysis_bench.py`, as it printed:", "",
                          results["analysis"]["output"]] if details is None else details(results[name])), ""])
        elif name in kept:
            lines += [*kept[name], ""]
    if slow := kept_section(previous):
        lines += [*slow, ""]
    if notes:
        lines += ["## Notes from the run", "", *[f"- {note}" for note in notes], ""]
    return "\n".join(lines)
