"""The CSV export of every response (`flask --app wsgi export`): rows per second and the
process's peak resident memory, at 100,000 and at 1,000,000 responses. A streamed export
needs about the same memory for both."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .databases import env_for, flask_command
from .dataset import evict
from .serve import ROOT


def run_measured(args: list[str], env: dict[str, str], timeout_s: float) -> tuple[float, int, str]:
    """(wall seconds, peak resident memory in kB, output) of a command, from its own rusage."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=output,
                                   stderr=subprocess.STDOUT)
        deadline = started + timeout_s
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                raise RuntimeError(f"{' '.join(args)} took longer than {timeout_s:.0f} s")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{text}")
    return seconds, usage.ru_maxrss, text


def measure_export(database: Path, out_dir: Path, timeout_s: float = 1800) -> dict[str, Any]:
    out = out_dir / f"export-{database.stem}.csv"
    args = flask_command("export", "--survey", "family-voices", "--out", str(out))
    evict(database)
    seconds, peak_kb, text = run_measured(args, env_for(f"sqlite:///{database}"), timeout_s)
    rows = int(re.search(r"Wrote (\d+) responses", text).group(1))
    size = out.stat().st_size
    out.unlink()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "peak_mb": peak_kb / 1024,
            "csv_mb": size / 1e6, "command": "flask --app wsgi export --survey family-voices --out FILE.csv"}
