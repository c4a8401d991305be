"""`python -m bench [SCENARIO...]`: run the side-by-side benchmark (all scenarios by default).

Sizes scale with flags or BENCH_* environment variables (see bench/config.py); a run with
the default sizes writes bench/results/latest.md, any other run bench/.work/results.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from bench import procs, runner
from bench.config import RESULTS_FILE, Config
from bench.scenarios import SCENARIOS

QUICK = {
    "runs": 1,
    "big_mib": 64,
    "huge_mib": 256,
    "small_seconds": 3.0,
    "list_entries": 1000,
    "list_requests": 10,
}


def parse(argv: list[str]) -> tuple[Config, list[str]]:
    known = ", ".join(f"{s.name} ({s.number})" for s in SCENARIOS.values())
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("scenarios", nargs="*", help=f"scenarios to run (default all): {known}")
    p.add_argument("--runs", type=int)
    p.add_argument("--big-mib", type=int, help="big file size for scenarios 1 and 4")
    p.add_argument("--huge-mib", type=int, help="scenario 5 second file size (0 = skip)")
    p.add_argument("--small-seconds", type=float, help="scenario 2 duration per direction")
    p.add_argument("--small-clients", type=int, help="scenario 2 concurrent connections")
    p.add_argument("--list-entries", type=int, help="scenario 3 folder size")
    p.add_argument("--list-requests", type=int, help="scenario 3 requests per run")
    p.add_argument("--systems", help="comma-separated, e.g. podstore,copyparty")
    p.add_argument("--client", choices=("auto", "wrk", "httpx"), help="scenario 2 load tool")
    p.add_argument("--no-install", action="store_true", help="use only what is installed")
    p.add_argument("--keep", action="store_true", help="keep the servers' data dirs")
    p.add_argument("--out", type=Path, help="where to write the markdown report")
    p.add_argument("--profile", action="store_true", help="py-spy podstore in scenarios 1, 2")
    p.add_argument("--quick", action="store_true", help=f"small sizes for a try-out: {QUICK}")
    args = p.parse_args(argv)

    cfg = Config.from_env()
    changes: dict[str, object] = dict(QUICK) if args.quick else {}
    for name in (
        "runs",
        "big_mib",
        "huge_mib",
        "small_seconds",
        "small_clients",
        "list_entries",
        "list_requests",
        "client",
    ):
        if (value := getattr(args, name)) is not None:
            changes[name] = value
    if args.systems:
        changes["systems"] = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    if args.no_install:
        changes["install"] = False
    if args.keep:
        changes["keep"] = True
    if args.profile:
        changes["profile"] = True
    cfg = dataclasses.replace(cfg, **changes)  # type: ignore[arg-type]
    if args.out is not None:
        cfg = dataclasses.replace(cfg, results_file=args.out)
    elif not _is_default_size(cfg) or args.scenarios:
        cfg = dataclasses.replace(cfg, results_file=cfg.work_dir / "results.md")
    return cfg, args.scenarios


def _is_default_size(cfg: Config) -> bool:
    d = Config()
    fields = (
        "runs",
        "big_mib",
        "huge_mib",
        "small_seconds",
        "small_clients",
        "small_kib",
        "list_entries",
        "list_requests",
        "systems",
    )
    return all(getattr(cfg, f) == getattr(d, f) for f in fields) and cfg.results_file == (
        RESULTS_FILE
    )


def main(argv: list[str] | None = None) -> int:
    cfg, scenarios = parse(sys.argv[1:] if argv is None else argv)
    procs.install_handlers(signals=True)
    try:
        _, text = runner.run(cfg, scenarios)
    except KeyboardInterrupt:
        print("interrupted; every started process was stopped", file=sys.stderr)
        return 130
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
