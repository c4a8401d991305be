"""Scenario 2: small-file PUTs and GETs from many concurrent connections."""

from __future__ import annotations

import os

from bench import client
from bench.load import LoadSpec, run_load
from bench.scenarios import Context, scenario
from bench.systems import SMALL, System

GET_FILES = 32


@scenario("small", "2", "small-file PUT/GET, concurrent connections")
def small(ctx: Context) -> None:
    cfg = ctx.cfg
    size = cfg.small_kib * 1024
    systems = ctx.capable(SMALL)
    get_paths: dict[str, tuple[str, ...]] = {}

    def setup(s: System) -> None:
        with client.http_client() as c:
            s.mkdir(c, "small")
            s.mkdir(c, "small/g")
            paths = []
            for i in range(GET_FILES):
                s.put_bytes(c, f"small/g/g{i:03d}.bin", os.urandom(size))
                paths.append(s.small_get_path(f"small/g/g{i:03d}.bin"))
            get_paths[s.name] = tuple(paths)

    for s in systems:
        ctx.guarded("2", s, "setup", lambda s=s: setup(s))

    put_name, get_name = f"{cfg.small_kib} KiB PUT", f"{cfg.small_kib} KiB GET"

    def one(run: int, s: System) -> None:
        for method, measure in (("PUT", put_name), ("GET", get_name)):
            spec = LoadSpec(
                base_url=s.base_url,
                method=method,
                put_template=s.small_put_template(f"small/r{run}"),
                get_paths=get_paths[s.name],
                headers=tuple(s.headers().items()),
                body_size=size,
                clients=cfg.small_clients,
                seconds=cfg.small_seconds,
            )
            with ctx.profile(s, f"small-{method.lower()}-run{run + 1}"):
                res = run_load(spec, wrk=ctx.tools.wrk, prefer=cfg.client, script_dir=ctx.run_dir)
            ctx.results.add(
                "2", measure, s.name, res.requests_per_s, unit="req/s", higher_is_better=True
            )
            ctx.results.note(
                f"scenario 2 load generator: {res.tool}, {cfg.small_clients} "
                f"connections, {cfg.small_seconds:g} s per direction"
            )
            if res.errors:
                share = res.errors / max(res.ok + res.errors, 1)
                ctx.results.note(
                    f"scenario 2: {s.name} {method} run {run + 1}: {res.errors} "
                    f"failed requests ({share:.1%})"
                )

    for s in systems:
        with client.http_client() as c:
            ctx.guarded("2", s, "mkdir", lambda s=s, c=c: _mkdirs(s, c, cfg.runs))
    ctx.alternate("2", systems, one)


def _mkdirs(s: System, c: client.httpx.Client, runs: int) -> None:
    for run in range(runs):
        s.mkdir(c, f"small/r{run}")
