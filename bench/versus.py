"""This checkout's survey against another checkout's, served side by side: what a change is worth.

Run from the repository root: ``.venv/bin/python -m bench.versus OTHER [--database sqlite|postgresql]
[--requests "thanks,start,submission,page 4"]``, where OTHER is a checkout of the code to compare with
(``git worktree add --detach /tmp/other main``, with the catalogs compiled and `.venv` linked). Both
serve the same fresh database under the same gunicorn command line; each request is measured in rounds
that alternate which goes first (bench/web.py), so the comparison holds on a shared machine. A request
the change does not touch shows the noise.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from . import databases, serve, web
from .serve import gunicorn

REQUESTS = "thanks,start,submission,page 4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the checkout to compare with")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", default=REQUESTS, help=f"comma-separated (default: {REQUESTS})")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    web.ROUNDS = args.rounds
    os.environ.update(databases.APP_ENV)
    log = serve.ROOT / "bench" / "results" / "gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    here = serve.ROOT
    with tempfile.TemporaryDirectory() as scratch, (
            databases.sqlite(Path(scratch)) if args.database == "sqlite" else databases.postgres()) as url:
        env = databases.env_for(url)
        with gunicorn("wsgi:app", env, "/healthz", log) as this:
            serve.ROOT = args.other.resolve()  # where the other survey is started from
            try:
                other_server = gunicorn("wsgi:app", env, "/healthz", log)
                other = other_server.__enter__()
            finally:
                serve.ROOT = here
            try:
                requests = {request.name: request for request in web.respondent_requests(this)}
                for name in args.requests.split(","):
                    if name == "submission":
                        cookies, body = web.drafts_to_submit(this, url, rate_guess=1000)
                        result = web.submission(other, this, url, cookies, body)
                    else:
                        result = web.page(other, this, requests[name])
                    median = result["median"]
                    print(f"{args.database} {name}: server CPU per request {median['ceiling_cpu_ms']:.2f} ms there, "
                          f"{median['cpu_ms']:.2f} ms here ({median['cpu_ratio']:.2f} times less here); "
                          f"throughput here {median['ratio']:.2f} times there", flush=True)
            finally:
                other_server.__exit__(None, None, None)


if __name__ == "__main__":
    main()
