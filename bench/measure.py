"""Measurements and the statistics reported for them."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measurement:
    """One measured quantity for one system: one value per run (or per request for latencies)."""

    scenario: str  # e.g. "1"
    measure: str  # e.g. "upload 1 GiB"
    system: str  # e.g. "podstore", "podstore (text)"
    unit: str  # e.g. "MB/s"
    higher_is_better: bool
    values: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.scenario, self.measure)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else math.nan

    @property
    def low(self) -> float:
        return min(self.values) if self.values else math.nan

    @property
    def high(self) -> float:
        return max(self.values) if self.values else math.nan

    def ratio_against(self, peer: Measurement) -> float:
        """How many times better `self` is than `peer` (> 1 = self better)."""
        a, b = self.median, peer.median
        if not self.values or not peer.values:
            return math.nan
        better, worse = (a, b) if self.higher_is_better else (b, a)
        if worse == 0:
            return math.inf if better > 0 else math.nan
        return better / worse


class Results:
    """Collects measurements; `add` appends a value to the (scenario, measure, system) row."""

    def __init__(self) -> None:
        self.rows: list[Measurement] = []
        self.notes: list[str] = []

    def row(
        self, scenario: str, measure: str, system: str, unit: str, higher_is_better: bool
    ) -> Measurement:
        for m in self.rows:
            if (m.scenario, m.measure, m.system) == (scenario, measure, system):
                return m
        m = Measurement(scenario, measure, system, unit, higher_is_better)
        self.rows.append(m)
        return m

    def add(
        self,
        scenario: str,
        measure: str,
        system: str,
        value: float,
        *,
        unit: str,
        higher_is_better: bool,
    ) -> None:
        self.row(scenario, measure, system, unit, higher_is_better).values.append(value)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def find(self, scenario: str, measure: str, system: str) -> Measurement | None:
        for m in self.rows:
            if (m.scenario, m.measure, m.system) == (scenario, measure, system):
                return m
        return None
