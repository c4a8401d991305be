"""Scenario 4: re-upload an identical big file, then one with a 1-byte change.

Measures seconds, bytes the client sent and bytes newly stored (growth of the server's data
dir on disk). podstore's dedup handshake (`podstore put`) plugs in via System.reupload.
"""

from __future__ import annotations

import time

from bench import client, data
from bench.procs import disk_usage
from bench.scenarios import Context, scenario
from bench.systems import REUPLOAD, System

SETTLE_S = 0.5  # let writes land before measuring disk growth


@scenario("reupload", "4", "re-upload: identical, then 1-byte change")
def reupload(ctx: Context) -> None:
    size = ctx.cfg.big_bytes
    systems = ctx.capable(REUPLOAD)
    # per run a base file unseen by earlier runs and scenario 1 (variants 100+)
    bases = [data.random_file(ctx.data_dir, size, 100 + run) for run in range(ctx.cfg.runs)]
    changed = [data.one_byte_changed(ctx.data_dir, base) for base in bases]
    for s in systems:
        with client.http_client() as c:
            ctx.guarded("4", s, "mkdir", lambda s=s, c=c: s.mkdir(c, "re"))

    def one(run: int, s: System) -> None:
        path = f"re/r{run}.bin"
        base = bases[run]
        s.upload(path, base)
        time.sleep(SETTLE_S)
        before = disk_usage(s.data_dir)
        for label, file in (("identical", base), ("1-byte change", changed[run])):
            sent = s.reupload(path, file)
            time.sleep(SETTLE_S)
            after = disk_usage(s.data_dir)
            add = ctx.results.add
            add("4", f"{label}: seconds", s.name, sent.seconds, unit="s", higher_is_better=False)
            add(
                "4",
                f"{label}: MB sent",
                s.name,
                sent.bytes_sent / 1e6,
                unit="MB",
                higher_is_better=False,
            )
            add(
                "4",
                f"{label}: MB newly stored",
                s.name,
                (after - before) / 1e6,
                unit="MB",
                higher_is_better=False,
            )
            before = after
        with client.http_client() as c:
            s.delete(c, path)

    ctx.alternate("4", systems, one)
