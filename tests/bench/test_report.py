"""Every row issues #20 and #18 name gets its goal in the report, and the goal is judged."""

from __future__ import annotations

from bench import report
from bench.measure import Results

# (scenario, measure, system, goal text shown, podstore's value, the row's value)
ROWS = [
    ("1", "upload", "copyparty", "≥ 1.5x", 400.0, 200.0),
    ("1", "download", "copyparty", "≥ 1.0x", 900.0, 1000.0),
    ("1", "upload", "podstore-dav", "≥ 0.9x native", 400.0, 380.0),
    ("1", "download", "podstore-dav", "≥ 0.9x native", 900.0, 700.0),
    ("2", "4 KiB PUT", "copyparty", "≥ 3x", 3000.0, 1500.0),
    ("2", "4 KiB PUT", "nginx", "≥ 0.3x", 3000.0, 20000.0),
    ("2", "4 KiB GET", "copyparty", "≥ 3x", 9000.0, 2000.0),
    ("3", "10,000 small files created", "copyparty", "≥ 3x (as 4 KiB PUT)", 3000.0, 900.0),
    ("3", "listing p50", "copyparty", "≤ 0.5x its time", 30.0, 80.0),
    ("3", "listing p99", "copyparty", "≤ 0.5x its time", 60.0, 100.0),
    ("3", "listing p50", "wsgidav", "≥ 5x faster", 30.0, 500.0),
    ("4", "identical: seconds", "podstore", "< 1 s", 0.5, 0.5),
    ("5", "peak RSS", "podstore", "≤ 200 MB", 150.0, 150.0),
    ("5", "peak RSS, 8 GiB file", "podstore", "≤ 200 MB", 250.0, 250.0),
]
MET = {
    ("1", "upload", "copyparty"): True,
    ("1", "download", "copyparty"): False,
    ("1", "upload", "podstore-dav"): True,
    ("1", "download", "podstore-dav"): False,
    ("2", "4 KiB PUT", "copyparty"): False,
    ("2", "4 KiB PUT", "nginx"): False,
    ("2", "4 KiB GET", "copyparty"): True,
    ("3", "10,000 small files created", "copyparty"): True,
    ("3", "listing p50", "copyparty"): True,
    ("3", "listing p99", "copyparty"): False,
    ("3", "listing p50", "wsgidav"): True,
    ("4", "identical: seconds", "podstore"): True,
    ("5", "peak RSS", "podstore"): True,
    ("5", "peak RSS, 8 GiB file", "podstore"): False,
}


def _table() -> str:
    results = Results()
    lower_better = ("listing", "seconds", "RSS")
    for scenario, measure, system, _goal, ours, theirs in ROWS:
        higher = not any(word in measure for word in lower_better)
        results.add(scenario, measure, "podstore", ours, unit="u", higher_is_better=higher)
        results.add(scenario, measure, system, theirs, unit="u", higher_is_better=higher)
    # issue #18's WebDAV rows, podstore-dav against the peers
    results.add("2", "4 KiB PUT", "podstore-dav", 2500.0, unit="req/s", higher_is_better=True)
    results.add("2", "4 KiB PUT", "rclone", 1000.0, unit="req/s", higher_is_better=True)
    results.add("3", "listing p50", "podstore-dav", 40.0, unit="ms", higher_is_better=False)
    results.add("3", "listing p50", "rclone", 30.0, unit="ms", higher_is_better=False)
    return report.table(results, {})


def _row(table: str, scenario: str, measure: str, system: str) -> str:
    prefix = f"| {scenario} | {measure} | {system} |"
    return next(line for line in table.splitlines() if line.startswith(prefix))


def test_each_named_row_shows_its_goal_judged() -> None:
    table = _table()
    for scenario, measure, system, goal, _ours, _theirs in ROWS:
        mark = "✅" if MET[(scenario, measure, system)] else "❌"
        assert f"{goal} {mark}" in _row(table, scenario, measure, system), (measure, system)


def test_webdav_rows_are_judged_for_podstore_dav() -> None:
    table = _table()
    assert "dav ≥ 2x ✅" in _row(table, "2", "4 KiB PUT", "rclone")
    assert "dav ≥ 1x ❌" in _row(table, "3", "listing p50", "rclone")
