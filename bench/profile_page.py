"""Where a request's time goes: cProfile of the measured GET and of the measured POST, in process.

Run on its own with ``.venv/bin/python -m bench.profile_page [--database sqlite|postgresql] [--request ...]``.
The app runs with production settings on a fresh database; a respondent reaches the measured page
through the real pages first (Flask's test client), then the page is fetched many times under the
profiler, and the last page is sent for many copies of the respondent's draft. Pressing Start (as a
respondent with answers to come back to) and the thank-you page can be profiled the same way.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import databases, flow

REQUESTS = 400


def _reach_page(client: Any, number: int = flow.TYPICAL_PAGE) -> str:
    """Answer every page before `number`; its path."""
    opened = client.get(f"/s/{flow.SLUG}?lang={flow.LANGUAGE}")
    token = flow.CSRF.search(opened.text).group(1)
    client.post(f"/s/{flow.SLUG}/start", data={"csrf_token": token})
    for earlier in range(1, number):
        answered = client.post(flow.page_path(earlier), data={"csrf_token": token, "action": "next",
                                                              **flow.ANSWERS[earlier - 1]})
        assert answered.status_code == 302, answered.status_code
    return flow.page_path(number)


# (label, how to find the function in the profile): the parts of one request, outermost first.
# The first is the whole request; every share is of it.
WHOLE = ("whole request, as the WSGI server calls it", "flask/app.py", "wsgi_app")
FINDING_SURVEY = ("finding the survey (`surveys.public_survey`, kept by the worker)", "survey_app/surveys.py",
                  "public_survey")
READING_DRAFT = ("reading the draft (`_draft`)", "public/views.py", "_draft")
OPENING: tuple[tuple[str, str, str], ...] = (
    WHOLE,
    ("the view (`public.views.page`)", "public/views.py", "page"),
    FINDING_SURVEY,
    READING_DRAFT,
)
# A page kept rendered by the worker, with this respondent's token put in.
KEPT_PAGE: tuple[tuple[str, str, str], ...] = (
    ("the page, from the worker's rendered pages (`page_cache.rendered`)", "public/page_cache.py", "rendered"),
    ("  this respondent's CSRF token (`generate_csrf`)", "flask_wtf/csrf.py", "generate_csrf"),
    ("  rendering the template, when the page is not kept (`render_template`)", "flask/templating.py",
     "render_template"),
)
COMMON: tuple[tuple[str, str, str], ...] = (
    ("reading the session cookie (`open_session`)", "flask/sessions.py", "open_session"),
    ("signing the session cookie (`save_session`)", "flask/sessions.py", "save_session"),
    ("the rate limiter's check (Flask-Limiter)", "flask_limiter/_extension.py", "_check_request_limit"),
    ("security headers (`page_context.SafeResponses`)", "survey_app/page_context.py", "with_security_headers"),
    ("all SQL statements (`Connection._execute_context`)", "sqlalchemy/engine/base.py", "_execute_context"),
)
AREAS: tuple[tuple[str, str, str], ...] = (
    *OPENING,
    ("navigation (shown pages, next page, step)", "forms/navigation.py", "shown_pages"),
    *KEPT_PAGE,
    *COMMON,
)
START_AREAS: tuple[tuple[str, str, str], ...] = (
    WHOLE,
    ("the view (`public.views.begin`)", "public/views.py", "begin"),
    FINDING_SURVEY,
    ("checking the CSRF token (`Form.validate`)", "wtforms/form.py", "validate"),
    READING_DRAFT,
    ("the first unfinished page (`navigation.first_unfinished_page`)", "forms/navigation.py",
     "first_unfinished_page"),
    *COMMON,
)
THANKS_AREAS: tuple[tuple[str, str, str], ...] = (
    WHOLE,
    ("the view (`public.views.thanks`)", "public/views.py", "thanks"),
    FINDING_SURVEY,
    *KEPT_PAGE,
    *COMMON,
)
SUBMISSION_AREAS: tuple[tuple[str, str, str], ...] = (
    *OPENING,
    ("building the page's form (`forms.builder.build_page_form`)", "forms/builder.py", "build_page_form"),
    ("checking the answers and the CSRF token (`Form.validate`)", "wtforms/form.py", "validate"),
    ("storing the response (`storage.submit_draft`)", "survey_app/storage.py", "submit_draft"),
    ("  the commit (`Session.commit`; mostly waiting for the disk)", "sqlalchemy/orm/scoping.py", "commit"),
    *COMMON,
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


def _profile(call: Callable[[], Any], requests: int, areas: tuple[tuple[str, str, str], ...]) -> dict[str, Any]:
    """CPU per request of `call` without the profiler, then the shares of `areas` under it."""
    plain_ms = _per_request_ms(call, requests)
    # The profiler's own clock is wall time (a CPU-time clock costs more than most of the
    # functions it would time). Other programs' load stretches every function alike, so
    # the shares hold; milliseconds are the shares of the CPU time measured above.
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    whole = _find(stats, *areas[0][1:])[1]
    rows = []
    for label, path_end, name in areas:
        calls, seconds = _find(stats, path_end, name)
        share = seconds / whole if whole else 0.0
        rows.append({"area": label, "calls_per_request": calls / requests, "share": share,
                     "ms_per_request": share * plain_ms})
    return {"requests": requests, "plain_ms": plain_ms, "profiled_ms": 1000 * whole / requests, "areas": rows,
            "top_own_time": _top_own_time(stats, 15)}


def _settings() -> None:
    """Production settings, with the rate-limit counters where the served measurements keep them."""
    os.environ.update(databases.APP_ENV, RATELIMIT_STORAGE_URI=databases.rate_limit_storage())


@contextmanager
def _fresh_database(database: str) -> Iterator[str]:
    """The URL of a fresh database of kind `database` ("sqlite" or "postgresql"), production settings set."""
    _settings()
    with tempfile.TemporaryDirectory() as scratch, (
            databases.sqlite(Path(scratch)) if database == "sqlite" else databases.postgres()) as url:
        yield url


def profile_page(requests: int = REQUESTS, database: str = "sqlite") -> dict[str, Any]:
    """The measured GET, many times over: the page as a respondent with a draft sees it."""
    with _fresh_database(database) as url:
        from .submissions import app_for

        with app_for(url) as app:
            client = app.test_client()
            path = _reach_page(client)
            page = client.get(path)
            assert page.status_code == 200 and f'lang="{flow.LANGUAGE}"' in page.text, page.status_code
            _per_request_ms(lambda: client.get(path), 50)  # templates compiled, caches filled
            result = _profile(lambda: client.get(path), requests, AREAS)
    return {**result, "what": f"GET {path}", "language": flow.LANGUAGE, "database": database}


def profile_submission(requests: int = REQUESTS, database: str = "sqlite") -> dict[str, Any]:
    """The measured POST of the last page, each request a different draft (as in the load test)."""
    from urllib.parse import urlencode

    from . import submissions
    from .submissions import app_for

    warm_up = 50
    with _fresh_database(database) as url:
        with app_for(url) as app:
            client = app.test_client()
            _reach_page(client, len(flow.ANSWERS))
            token = flow.CSRF.search(client.get(flow.page_path(len(flow.ANSWERS))).text).group(1)
            cookie = client.get_cookie("session").value
        cookies = iter(submissions.copy_draft(url, cookie, warm_up + 2 * requests))
        body = urlencode(flow.last_page_form(token), doseq=True)
        path = flow.page_path(len(flow.ANSWERS))
        with app_for(url) as app:
            client = app.test_client(use_cookies=False)

            def submit() -> None:
                answer = client.post(path, data=body, content_type="application/x-www-form-urlencoded",
                                     headers={"Cookie": f"session={next(cookies)}"})
                assert answer.status_code == 302 and answer.location.endswith("/thanks"), answer.status_code

            for _ in range(warm_up):
                submit()
            result = _profile(submit, requests, SUBMISSION_AREAS)
    return {**result, "what": f"POST {path}", "language": flow.LANGUAGE, "database": database}


def profile_start(requests: int = REQUESTS, database: str = "sqlite") -> dict[str, Any]:
    """Pressing Start again, as a respondent who has answered pages 1 to 4 (sent on to page 5), as measured served."""
    last = len(flow.ANSWERS)
    with _fresh_database(database) as url:
        from .submissions import app_for

        with app_for(url) as app:
            client = app.test_client()
            _reach_page(client, last)
            token = flow.CSRF.search(client.get(flow.page_path(last)).text).group(1)
            path = f"/s/{flow.SLUG}/start"

            def press() -> None:
                answer = client.post(path, data={"csrf_token": token})
                assert answer.status_code == 302 and answer.location.endswith(flow.page_path(last)), answer.location

            _per_request_ms(press, 50)
            result = _profile(press, requests, START_AREAS)
    return {**result, "what": f"POST {path}", "language": flow.LANGUAGE, "database": database}


def profile_thanks(requests: int = REQUESTS, database: str = "sqlite") -> dict[str, Any]:
    """The thank-you page, as a respondent who has just sent the survey sees it."""
    last = len(flow.ANSWERS)
    with _fresh_database(database) as url:
        from .submissions import app_for

        with app_for(url) as app:
            client = app.test_client()
            _reach_page(client, last)
            token = flow.CSRF.search(client.get(flow.page_path(last)).text).group(1)
            sent = client.post(flow.page_path(last), data=flow.last_page_form(token))
            assert sent.status_code == 302 and sent.location.endswith("/thanks"), sent.location
            path = f"/s/{flow.SLUG}/thanks"
            page = client.get(path)
            assert page.status_code == 200 and f'lang="{flow.LANGUAGE}"' in page.text, page.status_code
            _per_request_ms(lambda: client.get(path), 50)
            result = _profile(lambda: client.get(path), requests, THANKS_AREAS)
    return {**result, "what": f"GET {path}", "language": flow.LANGUAGE, "database": database}


PROFILES: dict[str, Callable[..., dict[str, Any]]] = {
    "page": profile_page, "start": profile_start, "thanks": profile_thanks, "submission": profile_submission}


def _print(result: dict[str, Any]) -> None:
    print(f"{result['what']} ({result['language']}, {result['database']}): {result['plain_ms']:.2f} ms of CPU per "
          "request without the profiler")
    for area in result["areas"]:
        print(f"{area['ms_per_request']:7.2f} ms {100 * area['share']:5.1f}%  {area['area']}")
    print("\nmost own time (share of the whole request):")
    whole = result["profiled_ms"] * result["requests"] / 1000
    for row in result["top_own_time"]:
        print(f"{100 * row['own_s'] / whole:5.1f}%  {row['calls']:>7} calls  {row['function']}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--request", action="append", choices=tuple(PROFILES),
                        help="what to profile (repeatable); the page and the submission when not given")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="requests profiled")
    args = parser.parse_args()
    for name in args.request or ("page", "submission"):
        _print(PROFILES[name](args.requests, args.database))


if __name__ == "__main__":
    main()
