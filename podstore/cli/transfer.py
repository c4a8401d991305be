"""`podstore put` and `podstore get`: files and whole folders, with progress bars."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from podstore.cli.client import Client

PIECE = 1024 * 1024


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )


def _read(path: Path, progress: Progress, task: TaskID) -> Iterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(PIECE):
            progress.advance(task, len(piece))
            yield piece


def put(client: Client, local: Path, pod: str, target: str) -> int:
    """Upload a file or a folder tree; returns the number of files sent."""
    if local.is_dir():
        files = sorted(p for p in local.rglob("*") if p.is_file())
        pairs = [
            (p, f"{target.rstrip('/')}/{p.relative_to(local).as_posix()}".lstrip("/"))
            for p in files
        ]
        for folder in sorted({p.parent for p in files} | {local}):
            rel = folder.relative_to(local).as_posix()
            path = f"{target.rstrip('/')}/{rel}" if rel != "." else target
            if path.strip("/"):
                client.call(
                    "POST", f"/pods/{pod}/mkdir/{path.strip('/')}", params={"parents": True}
                )
    else:
        if not local.is_file():
            raise FileNotFoundError(local)
        pairs = [(local, target or local.name)]
    total = sum(p.stat().st_size for p, _ in pairs)
    with progress_bar() as progress:
        overall = progress.add_task(f"put {len(pairs)} file(s)", total=total)
        for path, remote in pairs:
            client.upload(pod, remote, _read(path, progress, overall), path.stat().st_size)
    return len(pairs)


def _fetch(
    client: Client, pod: str, remote: str, local: Path, progress: Progress, task: TaskID
) -> None:
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(local.name + ".podstore-part")
    with client.download(pod, remote) as response:
        if response.status_code >= 400:
            response.read()
            client.check(response)
        with partial.open("wb") as out:
            for piece in response.iter_bytes(PIECE):
                out.write(piece)
                progress.advance(task, len(piece))
            out.flush()
            os.fsync(out.fileno())
    partial.replace(local)


def get(client: Client, pod: str, remote: str, local: Path) -> int:
    """Download a file or a folder tree; returns the number of files written."""
    info = (
        client.call("GET", f"/pods/{pod}/stat/{remote}") if remote.strip("/") else {"type": "dir"}
    )
    pairs: list[tuple[str, Path, int]] = []
    if info["type"] == "file":
        dest = local / info["name"] if local.is_dir() else local
        pairs.append((remote, dest, info["size"]))
    else:
        pending = [(remote.strip("/"), local)]
        while pending:
            folder, dest = pending.pop()
            dest.mkdir(parents=True, exist_ok=True)
            for item in client.list_all(pod, folder):
                child = f"{folder}/{item['name']}" if folder else item["name"]
                if item["type"] == "dir":
                    pending.append((child, dest / item["name"]))
                else:
                    pairs.append((child, dest / item["name"], item["size"]))
    with progress_bar() as progress:
        overall = progress.add_task(f"get {len(pairs)} file(s)", total=sum(s for _, _, s in pairs))
        for remote_path, dest, _ in pairs:
            _fetch(client, pod, remote_path, dest, progress, overall)
    return len(pairs)
