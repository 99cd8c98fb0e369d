"""Where the survey page's time goes: cProfile of the measured GET, in process.

Run on its own with ``.venv/bin/python -m bench.profile_page [sqlite|postgresql]``. The app runs with production
settings on a fresh SQLite database; a respondent reaches the measured page through the real
pages first (Flask's test client), then the page is fetched many times under the profiler.
"""
from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import databases, flow

REQUESTS = 400


def _reach_page(client: Any) -> str:
    opened = client.get(f"/s/{flow.SLUG}?lang={flow.LANGUAGE}")
    token = flow.CSRF.search(opened.text).group(1)
    client.post(f"/s/{flow.SLUG}/start", data={"csrf_token": token})
    for number in range(1, flow.TYPICAL_PAGE):
        answered = client.post(flow.page_path(number), data={"csrf_token": token, "action": "next",
                                                             **flow.ANSWERS[number - 1]})
        assert answered.status_code == 302, answered.status_code
    return flow.page_path(flow.TYPICAL_PAGE)


# (label, how to find the function in the profile): the parts of one page view, outermost first.
AREAS: tuple[tuple[str, str, str], ...] = (
    ("whole request, as the WSGI server calls it", "flask/app.py", "wsgi_app"),
    ("the view (`public.views.page`)", "public/views.py", "page"),
    ("finding the survey and its version (`_survey_or_404`)", "public/views.py", "_survey_or_404"),
    ("  the newest version, with its definition (`surveys.newest_version`)", "survey_app/surveys.py",
     "newest_version"),
    ("  the survey row (`surveys.find_survey`)", "survey_app/surveys.py", "find_survey"),
    ("  the languages offered (`surveys.offered_languages`)", "survey_app/surveys.py", "offered_languages"),
    ("loading the draft (`_draft`)", "public/views.py", "_draft"),
    ("building the page form (`forms.builder.build_page_form`)", "forms/builder.py", "build_page_form"),
    ("navigation (shown pages, next page, step)", "forms/navigation.py", "shown_pages"),
    ("rendering the template (`render_template`)", "flask/templating.py", "render_template"),
    ("  the form and its questions (`public/page.html` content block, `macros.html`)",
     "templates/public/page.html", "block_content"),
    ("    WTForms widgets called (`wtforms/widgets/core.py`)", "wtforms/widgets/core.py", "__call__"),
    ("  the language menu's links (`page_context._language_links`)", "survey_app/page_context.py",
     "_language_links"),
    ("  every `url_for`", "flask/helpers.py", "url_for"),
    ("reading the session cookie (`open_session`)", "flask/sessions.py", "open_session"),
    ("signing the session cookie (`save_session`)", "flask/sessions.py", "save_session"),
    ("all SQL statements (`Session.execute`)", "sqlalchemy/orm/session.py", "_execute_internal"),
    ("decoding JSON columns (`json.loads`)", "json/__init__.py", "loads"),
)


def _find(stats: pstats.Stats, path_end: str, name: str) -> tuple[int, float]:
    """(calls, cumulative seconds) of the function, summed over its definitions."""
    calls, seconds = 0, 0.0
    for (filename, _line, function), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
        if function == name and filename.endswith(path_end):
            calls, seconds = calls + nc, seconds + ct
    return calls, seconds


def _top_own_time(stats: pstats.Stats, limit: int) -> list[dict[str, Any]]:
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:limit]
    root = str(databases.ROOT) + "/"
    return [{"function": f"{Path(f).name if 'site-packages' in f or 'python3' in f else f.replace(root, '')}"
                         f":{line}({name})", "calls": nc, "own_s": tt}
            for (f, line, name), (_cc, nc, tt, _ct, _callers) in rows]


def _per_request_ms(get: Callable[[], Any], count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        get()
    return 1000 * (time.process_time() - start) / count


def profile_page(requests: int = REQUESTS, database: str = "sqlite") -> dict[str, Any]:
    os.environ.update(databases.APP_ENV)
    with tempfile.TemporaryDirectory() as scratch, (
            databases.sqlite(Path(scratch)) if database == "sqlite" else databases.postgres()) as url:
        from .submissions import app_for

        with app_for(url) as app:
            client = app.test_client()
            path = _reach_page(client)
            page = client.get(path)
            assert page.status_code == 200 and f'lang="{flow.LANGUAGE}"' in page.text, page.status_code
            _per_request_ms(lambda: client.get(path), 50)  # templates compiled, caches filled
            plain_ms = _per_request_ms(lambda: client.get(path), requests)
            # The profiler's own clock is wall time (a CPU-time clock costs more than most of the
            # functions it would time). Other programs' load stretches every function alike, so
            # the shares hold; milliseconds are the shares of the CPU time measured above.
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                client.get(path)
            profiler.disable()
    stats = pstats.Stats(profiler)
    whole = _find(stats, *AREAS[0][1:])[1]
    areas = []
    for label, path_end, name in AREAS:
        calls, seconds = _find(stats, path_end, name)
        share = seconds / whole if whole else 0.0
        # A template block is a generator: its "calls" count resumptions, which mean nothing here.
        areas.append({"area": label, "calls_per_request": None if path_end.endswith(".html") else calls / requests,
                      "share": share,
                      "ms_per_request": share * plain_ms})
    return {"requests": requests, "path": path, "language": flow.LANGUAGE, "database": database, "plain_ms": plain_ms,
            "profiled_ms": 1000 * whole / requests, "areas": areas, "top_own_time": _top_own_time(stats, 15)}


def main() -> None:
    result = profile_page(database=sys.argv[1] if len(sys.argv) > 1 else "sqlite")
    print(f"{result['path']} ({result['language']}, {result['database']}): {result['plain_ms']:.2f} ms of CPU per "
          "request without the profiler")
    for area in result["areas"]:
        print(f"{area['ms_per_request']:7.2f} ms {100 * area['share']:5.1f}%  {area['area']}")
    print("\nmost own time (share of the whole request):")
    whole = result["profiled_ms"] * result["requests"] / 1000
    for row in result["top_own_time"]:
        print(f"{100 * row['own_s'] / whole:5.1f}%  {row['calls']:>7} calls  {row['function']}")


if __name__ == "__main__":
    main()
