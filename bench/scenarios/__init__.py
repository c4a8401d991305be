"""Scenario registry: the extension point for new benchmarks.

A scenario is a function `run(ctx)` registered with `@scenario(...)`; it names the capability
a system needs (see bench.systems.base) and records values into `ctx.results`. To add one
(KV/docs, WebDAV, multi-node...): write `bench/scenarios/<name>.py`, decorate its entry
point, import the module at the bottom of this file, and, if it needs a new capability, add
that capability to the adapters that have it. `ctx.alternate` runs it A B A B.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import profile
from bench.config import Config
from bench.install import Tools
from bench.measure import Results
from bench.systems import System


@dataclass
class Context:
    cfg: Config
    tools: Tools
    systems: list[System]  # started, podstore first
    results: Results
    data_dir: Path  # cached test files
    run_dir: Path  # this run's scratch dir
    failed: set[tuple[str, str]] = field(default_factory=set)  # (scenario, system)

    def log(self, msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def profile(self, system: System, label: str) -> Iterator[None]:
        """With --profile, sample podstore with py-spy during the block and note its top frames."""
        if not (self.cfg.profile and system.name == "podstore" and self.tools.pyspy):
            yield
            return
        out = self.cfg.work_dir.resolve() / f"profile-{label}.txt"
        with profile.record(self.tools.pyspy, system.pid, out):
            yield
        self.results.note(f"py-spy, podstore {label}, own time: {profile.summary(out)}")

    def capable(self, capability: str) -> list[System]:
        return [s for s in self.systems if capability in s.capabilities]

    def guarded(self, scenario: str, system: System, what: str, fn: Callable[[], None]) -> bool:
        """Run one step; on failure note it and drop the system from this scenario."""
        if (scenario, system.name) in self.failed:
            return False
        try:
            fn()
        except Exception as exc:
            self.failed.add((scenario, system.name))
            self.results.note(f"scenario {scenario}: {system.name} failed during {what}: {exc}")
            self.log(f"{system.name} failed during {what}:\n{traceback.format_exc(limit=3)}")
            return False
        return True

    def alternate(
        self, scenario: str, systems: Iterable[System], fn: Callable[[int, System], None]
    ) -> None:
        """Call fn(run, system) for each run over all systems in turn: A B A B."""
        systems = list(systems)
        for run in range(self.cfg.runs):
            for s in systems:
                self.log(f"scenario {scenario}: run {run + 1}/{self.cfg.runs} {s.name}")
                self.guarded(scenario, s, f"run {run + 1}", lambda s=s, run=run: fn(run, s))


@dataclass(frozen=True)
class Scenario:
    name: str
    number: str
    title: str
    run: Callable[[Context], None]
    aliases: tuple[str, ...] = ()
    also_reports: tuple[tuple[str, str], ...] = ()  # (number, title) of rows it also fills

    def titles(self) -> dict[str, str]:
        return {self.number: self.title, **dict(self.also_reports)}


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    name: str,
    number: str,
    title: str,
    aliases: tuple[str, ...] = (),
    also_reports: tuple[tuple[str, str], ...] = (),
) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    def register(fn: Callable[[Context], None]) -> Callable[[Context], None]:
        SCENARIOS[name] = Scenario(name, number, title, fn, aliases, also_reports)
        return fn

    return register


def resolve(names: Iterable[str]) -> list[Scenario]:
    """Scenarios by name, number or alias, in registry order; empty or 'all' = every one."""
    wanted = [n.strip().lower() for n in names if n.strip()]
    if not wanted or "all" in wanted:
        return list(SCENARIOS.values())
    out: list[Scenario] = []
    for w in wanted:
        match = [s for s in SCENARIOS.values() if w in (s.name, s.number, *s.aliases)]
        if not match:
            known = ", ".join(f"{s.name} ({s.number})" for s in SCENARIOS.values())
            raise SystemExit(f"unknown scenario {w!r}; known: {known}")
        out += [s for s in match if s not in out]
    return sorted(out, key=list(SCENARIOS.values()).index)


# Registration order = run order = report order.
from bench.scenarios import transfer, small, listing, reupload, cluster  # noqa: E402, F401, I001
