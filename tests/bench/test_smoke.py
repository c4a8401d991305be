"""Smoke test of the benchmark harness: a tiny run against podstore and copyparty.

It keeps `bench/` from rotting; the real benchmark (`make bench`) is not part of the suite.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from bench import procs, runner
from bench.config import Config

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("podstore.cli") is None,
    reason="podstore.cli cannot be imported yet: the server the bench measures is not there",
)


def test_tiny_run_produces_numbers_and_table(tmp_path: Path) -> None:
    cfg = Config(
        runs=2,
        big_mib=1,
        huge_mib=2,
        list_entries=50,
        list_requests=5,
        systems=("podstore", "podstore-dav", "copyparty"),
        work_dir=tmp_path / "work",
        install=False,
        results_file=tmp_path / "latest.md",
    )
    t0 = time.monotonic()
    results, text = runner.run(cfg, ["transfer", "listing"])

    assert not [n for n in results.notes if "skipped" in n or "failed" in n], results.notes
    for scenario, measure in (("1", "upload"), ("1", "download"), ("5", "peak RSS"),
                              ("3", "listing p50"), ("3", "listing p99")):  # fmt: skip
        for system in ("podstore", "podstore-dav", "copyparty"):
            if system == "podstore-dav" and scenario == "5":
                continue  # the same process as `podstore`: its RSS is measured once
            row = results.find(scenario, measure, system)
            assert row is not None, (scenario, measure, system)
            assert len(row.values) == cfg.runs
            assert all(v > 0 for v in row.values), row
    assert results.find("1", "upload", "podstore (text)") is not None
    for scenario, measure in (("5", "peak RSS, 2 MiB file"), ("3", "50 small files created")):
        for system in ("podstore", "copyparty"):
            row = results.find(scenario, measure, system)
            assert row is not None and row.values and row.values[0] > 0, (measure, system)

    assert "**Machine:** " in text and " cores, " in text
    lines = text.splitlines()
    assert any(line.startswith("| 1 | upload | podstore |") for line in lines)
    copyparty_up = next(line for line in lines if line.startswith("| 1 | upload | copyparty |"))
    assert copyparty_up.rstrip().endswith("|") and "x |" in copyparty_up  # ratio + goal column
    assert any(line.startswith("| 3 | listing p50 | copyparty |") for line in lines)
    assert (tmp_path / "latest.md").read_text() == text

    assert procs.live_pids() == [], "the harness left processes running"
    assert time.monotonic() - t0 < 30
