"""Benchmark settings: sizes, durations and run counts, from defaults, environment and flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / ".work"
RESULTS_FILE = BENCH_DIR / "results" / "latest.md"

ALL_SYSTEMS = ("podstore", "podstore-dav", "copyparty", "wsgidav", "rclone", "nginx", "tahoe")


@dataclass(frozen=True)
class Config:
    """Everything a run can scale. Environment: BENCH_<FIELD upper case>, e.g. BENCH_BIG_MIB=64."""

    runs: int = 3
    big_mib: int = 1024  # scenario 1 and 4 file size
    huge_mib: int = 8192  # scenario 5: one more transfer of this size for peak RSS (0 = none)
    huge_systems: tuple[str, ...] = ("podstore", "copyparty")  # who does the huge transfer
    small_seconds: float = 20.0  # scenario 2 duration per direction
    small_clients: int = 16  # scenario 2 concurrent connections
    small_kib: int = 4  # scenario 2 body size
    list_entries: int = 10_000  # scenario 3 folder size
    list_requests: int = 50  # scenario 3 requests per run and system
    systems: tuple[str, ...] = ALL_SYSTEMS
    work_dir: Path = WORK_DIR
    install: bool = True  # install missing peers (pip/apt); the smoke test turns this off
    text_for_podstore: bool = True  # scenario 1 also uploads compressible text to podstore
    client: str = "auto"  # scenario 2 load generator: auto | wrk | httpx
    results_file: Path | None = RESULTS_FILE
    keep: bool = False  # keep the servers' data dirs after the run
    profile: bool = False  # sample podstore with py-spy in scenarios 1 and 2 (notes top frames)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def big_bytes(self) -> int:
        return self.big_mib * 1024 * 1024

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if environ is None else environ)
        cfg = cls()
        changes: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"BENCH_{f.name.upper()}")
            if raw is None or f.name == "extra":
                continue
            changes[f.name] = _parse(getattr(cfg, f.name), raw)
        return replace(cfg, **changes)  # type: ignore[arg-type]


def _parse(default: object, raw: str) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        return tuple(s.strip() for s in raw.split(",") if s.strip())
    if isinstance(default, Path) or default is None:
        return Path(raw)
    return raw
