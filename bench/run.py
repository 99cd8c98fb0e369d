"""`make bench`: every benchmark of the service, written to docs/benchmarks.md.

Run from the repository root: ``.venv/bin/python -m bench.run [--only web,profile,...]``.
Servers listen on 127.0.0.1 only, every load runs for a bounded time, and every process and
database made here is removed at the end, also after an error or Ctrl+C. Raw results go to
bench/results/ (not committed); a run with --only rewrites the sections it measured and keeps
the others from the page as it was, saying from which run. The 1,000,000-response database is built once and kept in bench/results/cache/,
with those of the report at three sizes (on PostgreSQL, databases of their own named by the same cache key).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import (databases, dataset, flow, exporting, report_scale, served_profile, state_report, web, weight,
                   writeup)
from bench.load import wrk_path
from bench.profile_page import profile_page, profile_submission
from bench.serve import HOST, WORKER_ARGS, command, gunicorn

ROOT = Path(__file__).resolve().parents[1]

SECTIONS = ("web", "profile", "weight", "analysis", "report", "report-scale", "export")
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
WORKER_CANDIDATES = {
    "2 x cores + 1": ("--workers", "5", "--worker-class", "sync"),
    "gthread": ("--workers", "2", "--worker-class", "gthread", "--threads", "4"),
}


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("gunicorn", "Flask", "Jinja2", "WTForms", "SQLAlchemy", "psycopg", "pandas", "duckdb"))
    wrk_version = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": re.search(r"model name\s*:\s*(.+)", cpuinfo).group(1).strip(), "cores": os.cpu_count(),
            "memory_gb": memory_kb / 1e6, "load_before": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
            "software": f"Python {platform.python_version()}, {versions}, {wrk_version}, "
                        f"SQLite {__import__('sqlite3').sqlite_version}"}


def run_web(work: Path, log: Path, results: dict[str, Any], notes: list[str], with_weight: bool,
            compare: bool) -> None:
    runs = []
    kinds = ["sqlite"] + (["postgresql"] if databases.postgres_available() else [])
    if len(kinds) == 1:
        notes.append(f"PostgreSQL was not reachable at {databases.POSTGRES_URL}: measured on SQLite only.")
    for kind in kinds:
        measure_weight = with_weight and kind == "sqlite"
        runs.append(web.run_database(kind, work, log, speed_ups=web.speed_ups_for(kind),
                                     with_app=(lambda app, _url: weight.measure(HOST, app.port))
                                     if measure_weight else None))
    shown = " ".join(command("wsgi:app", 0)).replace(str(ROOT) + "/", "").replace(":0 ", ":$PORT ")
    results["commands"] += [f"`{shown}` (the survey; port chosen at random) and the same with `bench.mirror:app` "
                            "(the comparison app) and `bench.variants:app` (the survey without one speed-up)",
                            f"`{runs[0]['commands']['page']}` (a page; POST pages with a Lua script that sets the "
                            "method, the form and its type), the same to the comparison app",
                            f"{web.SUBMITTER_COMMAND} (submission), the same to the comparison app"]
    if with_weight:
        results["weight"] = runs[0].pop("extra")
    results["web"] = {"databases": runs}
    if compare:
        typical = next(r for r in runs[0]["requests"] if r["name"] == f"page {flow.TYPICAL_PAGE}")
        chosen = {"label": "chosen", "args": " ".join(WORKER_ARGS), "chosen": True, **typical["median"]}
        results["web"]["workers"] = [chosen, *web.compare_workers(work, log, WORKER_CANDIDATES)]


def run_analysis(results: dict[str, Any]) -> None:
    finished = subprocess.run([sys.executable, "bench/analysis_bench.py"], cwd=ROOT, capture_output=True, text=True,
                              timeout=900, check=True)
    lines = finished.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    output = "\n".join(lines[:-1])
    headline = (f"pandas/numpy {figures['ours_ms']:.1f} ms, DuckDB {figures['duckdb_ms']:.1f} ms "
                f"(ratio {figures['ours_ms'] / figures['duckdb_ms']:.2f}); peak memory {figures['peak_mb']:,.0f} MB")
    results["analysis"] = {"output": output, "headline": headline, **figures}
    results["commands"].append("`.venv/bin/python bench/analysis_bench.py`")


def run_stored(sections: set[str], work: Path, log: Path, results: dict[str, Any], notes: list[str]) -> None:
    base, million = dataset.databases(RESULTS / "cache", notes)
    responses, answers = dataset.counts(million)
    notes.append(f"The large database holds {responses:,} responses and {answers:,} answer rows.")
    if "export" in sections:
        results["export"] = {"100k": exporting.measure_export(base, work),
                             "1m": exporting.measure_export(million, work)}
        results["commands"].append("`.venv/bin/flask --app wsgi export --survey family-voices --out FILE.csv`")
    if "report" in sections:
        if state_report.report_route_exists():
            results["report"] = state_report.measure_state_report_page(million, work, log)
        else:
            results["report"] = state_report.measure_read_and_summary(f"sqlite:///{million}")
            notes.append("No /staff/reports/<slug>/<state> route: the report figure is read_responses + summary.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated, from: {', '.join(SECTIONS)}")
    parser.add_argument("--no-compare-workers", action="store_true", help="skip the gunicorn settings comparison")
    args = parser.parse_args()
    sections = {name.strip() for name in args.only.split(",") if name.strip()}
    if unknown := sections - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    # A stop from outside unwinds like Ctrl+C, so every server and database is cleaned up.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    os.environ.update(databases.APP_ENV)
    RESULTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "commands": []}
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="run-", dir=RESULTS))
    log = RESULTS / "gunicorn.log"
    log.write_text("")
    storage = databases.rate_limit_storage()
    notes.append(f"The survey ran with `SURVEY_ENV=production` and its rate-limit counters in `{storage}`"
                 + (", as the README's deployment keeps them." if storage.startswith("redis") else
                    ": no Redis answered at `BENCH_REDIS_URL`, so each worker counted on its own."))
    try:
        if "web" in sections:
            print("served pages ...", flush=True)
            run_web(work, log, results, notes, "weight" in sections, not args.no_compare_workers)
            # Kept at once: the served pages take the longest to measure.
            (RESULTS / "latest.json").write_text(json.dumps({**results, "notes": notes}, indent=2, default=str))
        elif "weight" in sections:
            with databases.sqlite(work) as url, gunicorn("wsgi:app", databases.env_for(url), "/healthz", log) as app:
                results["weight"] = weight.measure(HOST, app.port)
        if "profile" in sections:
            print("profile ...", flush=True)
            results["profile"] = {"page": profile_page(), "submission": profile_submission()}
            if served_profile.available():
                results["profile"]["served"] = served_profile.measure(work, log)
            else:
                notes.append("py-spy is not installed (`make install-dev`): no profile of the served workers.")
        if "analysis" in sections:
            print("analysis ...", flush=True)
            run_analysis(results)
        if sections & {"report", "export"}:
            print("1,000,000 stored responses ...", flush=True)
            run_stored(sections, work, log, results, notes)
        if "report-scale" in sections:
            print("staff reports at three sizes ...", flush=True)
            results["report-scale"] = report_scale.measure_all(log, notes)
            results["commands"].append(results["report-scale"]["command"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_after"] = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    results["machine"]["duration_min"] = (time.perf_counter() - started) / 60
    (RESULTS / "latest.json").write_text(json.dumps({**results, "notes": notes}, indent=2, default=str))
    previous = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    DOCS.write_text(writeup.document(results, notes, previous, sections), encoding="utf-8")
    print(f"wrote {DOCS.relative_to(ROOT)} in {results['machine']['duration_min']:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
