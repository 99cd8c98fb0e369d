"""Benchmark: top issues per state on 1,000,000 synthetic responses, pandas/numpy vs DuckDB.

Run from the repository root: ``.venv/bin/python bench/analysis_bench.py [--rows N]``.

Both sides read the same in-memory pandas frame in the same process. Times are the best of 3.
Ours is the full ``top_choices`` (counts, shares, Wilson intervals, ranks, suppression);
DuckDB only computes the counts per state and for everyone (GROUPING SETS), so the comparison
favours DuckDB.

Memory, two ways, for one run of each step:
* tracemalloc: the peak of memory allocated through Python's allocators during the step, which
  includes every numpy and pandas buffer. DuckDB allocates outside them, so for DuckDB this only
  covers the result frame it hands back.
* resident set size: the peak (VmHWM in /proc/self/status, reset before each step by writing 5 to
  /proc/self/clear_refs) minus the resident size just before the step. Memory the allocator
  kept from earlier steps is reused without growing it, so this can read lower than tracemalloc.
  Where clear_refs is not writable, the growth of ``resource.getrusage(...).ru_maxrss`` is used,
  which only shows growth beyond the earlier peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import yaml

from analysis.counting import count_choices
from analysis.summary import top_choices
from analysis.synthetic import synthetic_frame
from forms.normalising import normalise

ROOT = Path(__file__).resolve().parents[1]

DEFINITION = ROOT / "surveys" / "family-voices.yaml"
MB = 1024 * 1024


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_growth_mb(step: Callable[[], Any]) -> tuple[float, str]:
    """Extra resident memory at the peak of ``step``, in MB, and how it was measured."""
    if _reset_peak() and _status_kb("VmHWM") is not None:
        before = _status_kb("VmRSS") or 0
        step()
        return max(0, (_status_kb("VmHWM") or 0) - before) / 1024, "VmHWM after clear_refs"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    step()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(0, after - before) / 1024, "ru_maxrss growth"


def traced_peak_mb(step: Callable[[], Any]) -> float:
    """Peak of Python-tracked allocations during ``step``, in MB."""
    tracemalloc.start()
    try:
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / MB


def frame_mb(frame: pd.DataFrame) -> float:
    """Memory held by the frame, in MB.

    pandas' deep ``memory_usage`` counts the one shared missing-value object again for every
    missing cell of a text column; here each text column costs its pointers plus its strings.
    """
    total = 0
    for name in frame.columns:
        column = frame[name]
        total += column.memory_usage(index=False, deep=False)
        if column.dtype == "string":
            total += sum(sys.getsizeof(value) for value in column.dropna())
    return total / MB


def best_of(step: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def duckdb_query(question: str, columns: list[str], by: str) -> str:
    sums = ", ".join(f'SUM("{c}") AS "{c}"' for c in columns)
    answered = " OR ".join(f'"{c}" IS NOT NULL' for c in columns)
    return (
        f'SELECT "{by}" AS grp, GROUPING("{by}") AS is_all, '
        f"COUNT(*) FILTER (WHERE {answered}) AS respondents, {sums} "
        f'FROM frame GROUP BY GROUPING SETS (("{by}"), ())'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    definition = normalise(yaml.safe_load(DEFINITION.read_text(encoding="utf-8")))

    start = time.perf_counter()
    frame = synthetic_frame(args.rows, definition, seed=args.seed)
    generated = time.perf_counter() - start
    columns = [c for c in frame.columns if c.startswith("top_issues/")]
    con = duckdb.connect()
    con.register("frame", frame)
    sql = duckdb_query("top_issues", columns, "state")

    def ours() -> Any:
        return top_choices(frame, definition, "top_issues", "state")

    def theirs() -> Any:
        return con.execute(sql).df()

    # Both must agree before their speed means anything.
    counts = count_choices(frame, definition, "top_issues", "state")
    result = theirs()
    total = result[result["is_all"] == 1].iloc[0]
    assert int(total["respondents"]) == counts.total_respondents
    assert np.array_equal(total[columns].to_numpy(dtype=np.int64), counts.total_counts)

    ours(), theirs()  # warm up caches and lazy imports
    ours_s, theirs_s = best_of(ours), best_of(theirs)
    ours_traced, theirs_traced = traced_peak_mb(ours), traced_peak_mb(theirs)
    ours_rss, method = peak_growth_mb(ours)
    theirs_rss, _ = peak_growth_mb(theirs)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]

    print(f"rows: {args.rows:,}, generated in {generated:.1f} s; frame: {frame_mb(frame):,.0f} MB")
    print(f"DuckDB {duckdb.__version__} with {threads} threads\n")
    print("| step | pandas/numpy (ours) | DuckDB SQL | ratio pandas/duckdb |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| top issues per state + ALL, best of 3 | {ours_s * 1000:.1f} ms | "
        f"{theirs_s * 1000:.1f} ms | {ours_s / theirs_s:.2f} |"
    )
    print(
        f"| peak allocations, tracemalloc | {ours_traced:.0f} MB | "
        f"{theirs_traced:.0f} MB (result only) | |"
    )
    print(f"| peak resident growth, {method} | {ours_rss:.0f} MB | {theirs_rss:.0f} MB | |")
    peak_total = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak resident memory over the whole run (ru_maxrss): {peak_total:,.0f} MB")
    print(json.dumps({"ours_ms": ours_s * 1000, "duckdb_ms": theirs_s * 1000, "peak_mb": peak_total}))


if __name__ == "__main__":
    main()
