"""The chunk pipeline's memory settings reach the Core's engine; 0 keeps the CPU-sized defaults."""

from __future__ import annotations

import asyncio
from pathlib import Path

from podstore.core.service import Core
from podstore.settings import Settings


def _engine_sizes(tmp_path: Path, **given: int) -> tuple[int, int, int]:
    core = Core(Settings(data_dir=tmp_path, **given))
    try:
        engine = core.ctx.engine
        return engine.workers, engine.in_flight, engine.readahead
    finally:
        asyncio.run(core.close())


def test_memory_settings_size_the_engine(tmp_path: Path) -> None:
    given = {"chunk_threads": 3, "upload_window": 2, "readahead": 5}
    assert _engine_sizes(tmp_path, **given) == (3, 2, 5)


def test_zero_means_sized_from_the_cpus(tmp_path: Path) -> None:
    threads, window, readahead = _engine_sizes(tmp_path)
    assert threads >= 4 and window >= 4 and readahead >= 4
