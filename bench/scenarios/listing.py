"""Scenario 3: list one folder of many entries; per-request latency p50 and p99.

Also "N small files created" (files/s): how fast each system took N small files through its
own API, PUT by 8 concurrent clients (`System.populate`). Peers that fill the listing folder
on disk create another N over HTTP for this row; tahoe links one file N times, so it has none.
"""

from __future__ import annotations

import time

from bench import client
from bench.measure import percentile
from bench.scenarios import Context, scenario
from bench.systems import LIST, Listing, System

FOLDER = "list"
CREATED = "created"  # a second folder, for peers whose listing folder is filled on disk
PER_RUN_BUDGET_S = 60.0  # stop a slow system's run early rather than stall the bench


@scenario("listing", "3", "list a folder (p50/p99 per request)")
def listing(ctx: Context) -> None:
    n = ctx.cfg.list_entries
    systems = ctx.capable(LIST)
    variants: dict[str, list[Listing]] = {}

    def setup(s: System) -> None:
        with client.http_client(timeout=600) as c:
            t0 = time.perf_counter()
            s.populate(c, FOLDER, n, b"listing entry\n")
            made = time.perf_counter() - t0
            ctx.log(f"{s.name}: {n} entries made in {made:.1f} s")
            if s.creates_by_api is False:
                t0 = time.perf_counter()
                System.populate(s, c, CREATED, n, b"listing entry\n")
                made = time.perf_counter() - t0
                ctx.log(f"{s.name}: {n} files created over HTTP in {made:.1f} s")
            if s.creates_by_api is not None:
                ctx.results.add(
                    "3",
                    f"{n:,} small files created",
                    s.name,
                    n / made,
                    unit="files/s",
                    higher_is_better=True,
                )
            variants[s.name] = s.listings(FOLDER)
            for v in variants[s.name]:
                got = v.count(v.request(c))
                if got != n:
                    raise RuntimeError(f"{v.label} lists {got} entries, expected {n}")
                if v.note:
                    ctx.results.note(f"scenario 3: {v.label} = {v.note}")

    for s in systems:
        ctx.guarded("3", s, "populate", lambda s=s: setup(s))

    def one(run: int, s: System) -> None:
        with client.http_client(timeout=120) as c:
            for v in variants[s.name]:
                v.request(c)  # warm-up (connection, caches)
                times: list[float] = []
                deadline = time.monotonic() + PER_RUN_BUDGET_S
                for _ in range(ctx.cfg.list_requests):
                    t0 = time.perf_counter()
                    v.request(c)
                    times.append((time.perf_counter() - t0) * 1000)
                    if time.monotonic() > deadline:
                        ctx.results.note(
                            f"scenario 3: {v.label} run {run + 1} stopped after "
                            f"{len(times)} requests ({PER_RUN_BUDGET_S:.0f} s)"
                        )
                        break
                ctx.results.add(
                    "3",
                    "listing p50",
                    v.label,
                    percentile(times, 50),
                    unit="ms",
                    higher_is_better=False,
                )
                ctx.results.add(
                    "3",
                    "listing p99",
                    v.label,
                    percentile(times, 99),
                    unit="ms",
                    higher_is_better=False,
                )

    ctx.alternate("3", [s for s in systems if s.name in variants], one)
