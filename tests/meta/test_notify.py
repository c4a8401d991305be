"""Notes between the processes of one SQLite database (meta/notify.py), with two nodes in
this process standing for two worker processes: each has its own socket and peer entry."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import sqlalchemy as sa

from podstore.meta import notify
from podstore.meta.locks import advisory_lock


class Received:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.catch_ups = 0
        self.arrived = threading.Event()

    def follower(self, channel: str) -> notify._Follower:
        return notify._Follower(channel, self.note, self.connected, None)

    def note(self, payload: str) -> None:
        self.notes.append(payload)
        self.arrived.set()

    def connected(self) -> None:
        self.catch_ups += 1
        self.arrived.set()


def test_a_batch_reaches_the_other_node_and_only_its_channel(tmp_path: Path) -> None:
    database = str(tmp_path / "podstore.db")
    sender, receiver = notify._Node(database), notify._Node(database)
    got, mine = Received(), Received()
    receiver.add(got.follower("events"))
    sender.add(mine.follower("events"))
    sender.send([("events", "u1"), ("revocations", "{}"), ("events", "u2")])
    receiver.catch_up()  # what a cache lookup does: whatever has arrived is delivered now
    assert got.notes == ["u1", "u2"]
    assert mine.notes == ["u1", "u2"]  # the sender's own followers, directly


def test_a_peer_that_missed_notes_is_told_to_catch_up(tmp_path: Path) -> None:
    database = str(tmp_path / "podstore.db")
    sender, receiver = notify._Node(database), notify._Node(database)
    got = Received()
    receiver.add(got.follower("events"))
    with receiver._draining:  # the receiver is stuck: its queue fills up
        for i in range(5000):
            sender.send([("events", f"u{i}" * 200)])
        assert receiver.name in sender._missed
    receiver.catch_up()
    got.catch_ups = 0
    sender.send([("events", "after")])
    receiver.catch_up()
    assert got.notes[-1] == "after"
    assert got.catch_ups == 1
    assert receiver.name not in sender._missed


def test_a_peer_that_has_ended_is_forgotten(tmp_path: Path) -> None:
    database = str(tmp_path / "podstore.db")
    sender = notify._Node(database)
    gone = sender.directory / "999999999-0"
    gone.touch()  # a process killed: its entry stayed, its socket went with it
    sender.send([("events", "u1")])
    assert not gone.exists()
    assert (sender.directory / sender.name).exists()


def test_follow_on_sqlite_delivers_committed_notes_on_the_loop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'podstore.db'}"

    async def scenario() -> tuple[list[str], int]:
        got = Received()
        task = asyncio.create_task(follow_events(url, got))
        await asyncio.sleep(0)
        notify.flush(str(tmp_path / "podstore.db"), [("events", "u1")])
        for _ in range(100):
            if got.notes:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        return got.notes, got.catch_ups

    notes, catch_ups = asyncio.run(scenario())
    assert notes == ["u1"]
    assert catch_ups == 1  # on starting to follow


async def follow_events(url: str, got: Received) -> None:
    await notify.follow(url, "events", got.note, got.connected)


def test_a_singleton_job_runs_in_one_process_at_a_time_on_sqlite(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'podstore.db'}")
    with (
        advisory_lock(engine, "gc", wait=False) as first,
        advisory_lock(engine, "gc", wait=False) as second,
    ):
        assert (first, second) == (True, False)
    with advisory_lock(engine, "gc", wait=False) as again:
        assert again


def test_the_last_database_of_a_file_to_close_closes_its_node(tmp_path: Path) -> None:
    database = str(tmp_path / "podstore.db")
    notify.attach(database)
    notify.attach(database)
    node = notify._node(database)
    notify.detach(database)
    assert notify._node(database) is node
    notify.detach(database)
    assert not (node.directory / node.name).exists()  # peers stop sending to it
    assert not node._thread.is_alive()
    assert database not in notify._NODES
