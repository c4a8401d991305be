"""Uploads and downloads as background tasks, listed while they run, as BitDust's are."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from podstore.frontends.dialects.bitdust.envelope import Failure

log = logging.getLogger("podstore.bitdust")


@dataclass
class Task:
    kind: str  # "upload" or "download"
    user_id: str
    remote_path: str
    local_path: str
    job: asyncio.Task[Any] = field(repr=False)
    started_at: float = field(default_factory=time.time)

    def describe(self) -> dict[str, Any]:
        return {
            "remote_path": self.remote_path,
            "local_path": self.local_path,
            "started": self.started_at,
            "duration": round(time.time() - self.started_at, 3),
            "state": "running",
        }


class Tasks:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[tuple[str, str, str], Task] = {}

    def start(
        self,
        kind: str,
        user_id: str,
        remote_path: str,
        local_path: str,
        work: Coroutine[Any, Any, Any],
    ) -> Task:
        key = (kind, user_id, remote_path)
        mine = [t for t in self._running.values() if t.user_id == user_id]
        if key in self._running or len(mine) >= self.limit:
            work.close()
            if key in self._running:
                raise Failure(f"{kind}ing task for {remote_path} is already running", "conflict")
            raise Failure(f"too many running tasks, at most {self.limit}", "too_many_requests")
        job = asyncio.ensure_future(work)
        task = Task(kind, user_id, remote_path, local_path, job)
        self._running[key] = task
        job.add_done_callback(lambda done: self._finished(key, done))
        return task

    def _finished(self, key: tuple[str, str, str], job: asyncio.Task[Any]) -> None:
        self._running.pop(key, None)
        if not job.cancelled() and job.exception() is not None:
            log.warning("BitDust %s of %s failed: %s", key[0], key[2], job.exception())

    def running(self, kind: str, user_id: str) -> list[Task]:
        return [t for t in self._running.values() if t.kind == kind and t.user_id == user_id]

    def busy(self, kind: str, user_id: str, remote_path: str) -> bool:
        return (kind, user_id, remote_path) in self._running

    def stop(self, kind: str, user_id: str, remote_path: str) -> bool:
        task = self._running.pop((kind, user_id, remote_path), None)
        if task is None:
            return False
        task.job.cancel()
        return True
