"""The markdown report: machine line, settings, one table with medians, ranges, ratios, goals."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.config import Config
from bench.measure import Measurement, Results

REFERENCE = "podstore"
DAV = "podstore-dav"  # podstore through WebDAV


@dataclass(frozen=True)
class Goal:
    """A goal shown next to a row: `check(row, podstore_row)` -> met?"""

    scenario: str
    measure: str
    system: str  # the row the goal is shown on
    text: str
    check: Callable[[Measurement, Measurement | None], bool | None]
    against: str = REFERENCE  # the podstore row the check compares with


def _ratio_at_least(
    x: float, inverse: bool = False
) -> Callable[[Measurement, Measurement | None], bool | None]:
    """ours vs the row at least `x`; `inverse`: the row vs ours at least `x`."""

    def check(peer: Measurement, ours: Measurement | None) -> bool | None:
        if ours is None:
            return None
        r = peer.ratio_against(ours) if inverse else ours.ratio_against(peer)
        return None if math.isnan(r) else r >= x

    return check


def _own(pred: Callable[[float], bool]) -> Callable[[Measurement, Measurement | None], bool | None]:
    def check(row: Measurement, _ours: Measurement | None) -> bool | None:
        return pred(row.median) if row.values else None

    return check


GOALS: tuple[Goal, ...] = (
    Goal("1", "upload", "copyparty", "≥ 1.5x", _ratio_at_least(1.5)),
    Goal("1", "download", "copyparty", "≥ 1.0x", _ratio_at_least(1.0)),
    Goal("2", "PUT", "copyparty", "≥ 3x", _ratio_at_least(3.0)),
    Goal("2", "PUT", "nginx", "≥ 0.3x", _ratio_at_least(0.3)),
    Goal("2", "GET", "copyparty", "≥ 3x", _ratio_at_least(3.0)),
    Goal("3", "listing p50", "copyparty", "≤ 0.5x its time", _ratio_at_least(2.0)),
    Goal("3", "listing p99", "copyparty", "≤ 0.5x its time", _ratio_at_least(2.0)),
    Goal("3", "small files created", "copyparty", "≥ 3x (as 4 KiB PUT)", _ratio_at_least(3.0)),
    Goal("3", "listing p50", "wsgidav", "≥ 5x faster", _ratio_at_least(5.0)),
    Goal("3", "listing p50", "wsgidav", "dav ≥ 5x faster", _ratio_at_least(5.0), DAV),
    Goal("3", "listing p50", "rclone", "dav ≥ 1x", _ratio_at_least(1.0), DAV),
    Goal("2", "PUT", "rclone", "dav ≥ 2x", _ratio_at_least(2.0), DAV),
    Goal("1", "upload", DAV, "≥ 0.9x native", _ratio_at_least(1 / 1.1, inverse=True)),
    Goal("1", "download", DAV, "≥ 0.9x native", _ratio_at_least(1 / 1.1, inverse=True)),
    Goal("4", "identical: seconds", REFERENCE, "< 1 s", _own(lambda v: v < 1.0)),
    # what an identical re-upload sends is its chunk list alone (~40 kB for 1 GiB)
    Goal("4", "identical: MB sent", REFERENCE, "no content (≤ 1 MB)", _own(lambda v: v <= 1.0)),
    Goal("5", "peak RSS", REFERENCE, "≤ 200 MB", _own(lambda v: v <= 200)),
    Goal("5", "peak RSS, 8 GiB file", REFERENCE, "≤ 200 MB", _own(lambda v: v <= 200)),
)


def _goals_for(m: Measurement) -> list[Goal]:
    return [
        g
        for g in GOALS
        if g.scenario == m.scenario and g.system == m.system and _measure_matches(g, m)
    ]


def _measure_matches(g: Goal, m: Measurement) -> bool:
    # scenario 2 measures carry the body size ("4 KiB PUT"), scenario 3's creation row the
    # count ("10,000 small files created"): match on the rest
    return m.measure == g.measure or (
        g.scenario in ("2", "3") and m.measure.endswith(" " + g.measure)
    )


def _num(v: float) -> str:
    if math.isnan(v):
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}" if abs(v) >= 0.1 else f"{v:.3g}"


def machine_line() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"**Machine:** {os.cpu_count()} cores, {model}{mem}, Linux {platform.release()}, "
        f"Python {platform.python_version()}; **date:** {now}"
    )


def settings_line(cfg: Config) -> str:
    return (
        f"**Settings:** {cfg.runs} run(s) per system, alternated (A B A B); big file "
        f"{cfg.big_mib} MiB; small files {cfg.small_kib} KiB x {cfg.small_clients} connections "
        f"x {cfg.small_seconds:g} s; listing {cfg.list_entries} entries x "
        f"{cfg.list_requests} requests per run. MB = 10^6 bytes."
    )


def _scenario_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10**6, number)


def table(results: Results, titles: dict[str, str]) -> str:
    head = [
        "| # | measure | system | median | min-max | unit | podstore vs this | goal |",
        "|---|---|---|---:|---:|---|---:|---|",
    ]
    lines: list[str] = []
    rows = sorted(results.rows, key=lambda m: _scenario_key(m.scenario))
    seen_measures: list[tuple[str, str]] = []
    for m in rows:
        if m.key not in seen_measures:
            seen_measures.append(m.key)
    for key in seen_measures:
        group = [m for m in rows if m.key == key]
        group.sort(key=lambda m: (not m.system.startswith(REFERENCE), m.system != REFERENCE))
        ours = next((m for m in group if m.system == REFERENCE), None)
        for m in group:
            ratio = ""
            if ours is not None and not m.system.startswith(REFERENCE):
                r = ours.ratio_against(m)
                ratio = "-" if math.isnan(r) else "∞" if math.isinf(r) else f"{r:.2f}x"
            goals = []
            for g in _goals_for(m):
                ok = g.check(m, next((x for x in group if x.system == g.against), None))
                goals.append(f"{g.text} {'✅' if ok else '❌' if ok is False else '(n/a)'}")
            goal = "; ".join(goals)
            spread = f"{_num(m.low)}-{_num(m.high)}" if len(m.values) > 1 else ""
            lines.append(
                f"| {m.scenario} | {m.measure} | {m.system} | {_num(m.median)} | {spread} "
                f"| {m.unit} | {ratio} | {goal} |"
            )
    return "\n".join(head + lines)


def render(results: Results, cfg: Config, titles: dict[str, str], systems_line: str) -> str:
    parts = [
        "# podstore side-by-side benchmark",
        "",
        machine_line(),
        "",
        settings_line(cfg),
        "",
        systems_line,
        "",
        "Scenarios: "
        + "; ".join(f"{n}. {titles[n]}" for n in sorted(titles, key=_scenario_key))
        + ".",
        "",
        "\"podstore vs this\" = how many times better podstore's median is than this row's "
        "(> 1 = podstore better; for times and sizes, lower counts as better).",
        "",
        table(results, titles),
    ]
    if results.notes:
        parts += ["", "Notes:", ""] + [f"- {n}" for n in results.notes]
    return "\n".join(parts) + "\n"
