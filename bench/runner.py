"""One benchmark session: install, start every system, run the scenarios, stop, report."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from bench import procs, report
from bench.config import Config
from bench.install import ensure_tools
from bench.measure import Results
from bench.scenarios import Context, Scenario, resolve
from bench.systems import REGISTRY, System


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def run(cfg: Config, scenario_names: list[str]) -> tuple[Results, str]:
    """Run the named scenarios (all when empty); return the results and the markdown report."""
    procs.install_handlers(signals=False)  # the CLI adds SIGTERM/SIGHUP; a library caller may not
    scenarios: list[Scenario] = resolve(scenario_names)
    unknown = [n for n in cfg.systems if n not in REGISTRY]
    if unknown:
        raise SystemExit(f"unknown systems {unknown}; known: {', '.join(REGISTRY)}")
    work = cfg.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    tools = ensure_tools(work, cfg.systems, cfg.install, cfg.profile)
    results = Results()
    results.note(f"load average at start: {_loadavg()} (other processes share the cores)")
    if tools.curl is None:
        raise SystemExit("curl is required (apt-get install curl)")

    runs_dir = work / "runs"
    runs_dir.mkdir(exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=runs_dir))
    run_dir.chmod(0o755)
    systems: list[System] = []
    ready: list[str] = []
    try:
        for name in cfg.systems:
            cls = REGISTRY[name]
            if (reason := cls.available(tools)) is not None:
                results.note(f"{name} skipped: {reason}")
                _log(f"{name} skipped: {reason}")
                continue
            system = cls(tools, run_dir)
            try:
                system.start()
            except Exception as exc:
                system.stop()
                results.note(f"{name} skipped: did not start ({exc})")
                _log(f"{name} did not start: {exc}")
                continue
            systems.append(system)
            ready.append(f"{name} {system.ready_seconds:.2f} s")
            if system.note:
                results.note(f"{name}: {system.note}")
            _log(f"{name} ready after {system.ready_seconds:.2f} s (pid {system.pid})")
        ctx = Context(cfg, tools, systems, results, work / "data", run_dir)
        for sc in scenarios:
            _log(f"scenario {sc.number} ({sc.name}): {sc.title}")
            try:
                sc.run(ctx)
            except Exception as exc:
                results.note(f"scenario {sc.number} aborted: {exc!r}")
                _log(f"scenario {sc.number} aborted: {exc!r}")
    finally:
        for system in systems:
            system.stop()
        procs.stop_all()
        if not cfg.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    results.note(f"load average at end: {_loadavg()}")
    titles: dict[str, str] = {}
    for sc in scenarios:
        titles.update(sc.titles())
    systems_line = "**Systems (ready after):** " + (", ".join(ready) or "none")
    text = report.render(results, cfg, titles, systems_line)
    if cfg.results_file is not None:
        cfg.results_file.parent.mkdir(parents=True, exist_ok=True)
        cfg.results_file.write_text(text)
        _log(f"report written to {cfg.results_file}")
    return results, text
