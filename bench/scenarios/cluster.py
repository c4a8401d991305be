"""Scenario 6: podstore behind haproxy with one node and with three, on one PostgreSQL and
one SeaweedFS (`podstore/cluster/`, as `podstore cluster up` starts them).

Measures scenario 2's small-file PUT/GET (4 KiB: inline, so the database's work, not S3's)
and one big upload with curl (through S3), for each cluster in turn (A B A B). Both clusters
run on the same machine as the load: on 2 cores, three nodes are not expected to be faster;
the figures show what haproxy and the cross-node work cost.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from bench import client, data
from bench.load import LoadSpec, run_load
from bench.scenarios import Context, scenario
from podstore.cluster.postgres import LocalPostgres
from podstore.cluster.seaweed import LocalSeaweed
from podstore.cluster.up import Cluster

NUMBER = "6"
SIZES = (1, 3)
GET_FILES = 32
PASSWORD = "bench-password-0123"


class Balanced:
    """One cluster behind haproxy, with a user and the pod `bench`."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.label = f"haproxy + {cluster.count} node{'s' if cluster.count > 1 else ''}"
        with client.http_client() as c:
            creds = {"name": "bench", "password": PASSWORD}
            client.check(c.post(self.api("/signup"), json=creds), "signup")
            self.token = client.check(c.post(self.api("/login"), json=creds), "login").json()[
                "token"
            ]
            client.check(
                c.post(self.api("/pods"), json={"name": "bench"}, headers=self.headers()), "pod"
            )

    def api(self, path: str) -> str:
        return f"{self.cluster.url}/api/v1{path}"

    def file_path(self, path: str) -> str:
        return f"/api/v1/pods/bench/files/{quote(path)}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@scenario("cluster", NUMBER, "through haproxy: 1 node vs 3 nodes (PostgreSQL + SeaweedFS)")
def cluster(ctx: Context) -> None:
    root = ctx.run_dir / "cluster"
    postgres = LocalPostgres.start(root / "postgres")
    try:
        weed = LocalSeaweed.start(root / "seaweed")
        try:
            _measure(ctx, root, postgres, weed)
        except Exception:
            ctx.results.note(f"scenario {NUMBER}: S3 log ends: {_tail(weed.child.log())}")
            raise
        finally:
            weed.stop()
    finally:
        postgres.stop()


def _measure(ctx: Context, root: Path, postgres: LocalPostgres, weed: LocalSeaweed) -> None:
    env = {"PODSTORE_LOG_LEVEL": "warning"}
    started: list[Cluster] = []
    try:
        for nodes in SIZES:
            one = Cluster(
                root / f"nodes-{nodes}",
                nodes=nodes,
                database_url=postgres.new_database(),
                s3_endpoint=weed.endpoint_url,
                bucket=f"bench-{nodes}",
                env=env,
            )
            started.append(one)
            one.up()
        balanced = [Balanced(c) for c in started]
        for b in balanced:
            ctx.results.note(f"scenario {NUMBER}: {b.label}: {b.cluster.url}")
        get_paths = {b.label: _small_files(ctx, b) for b in balanced}
        big = [
            data.random_file(ctx.data_dir, ctx.cfg.big_bytes, run) for run in range(ctx.cfg.runs)
        ]
        for run in range(ctx.cfg.runs):
            for b in balanced:
                ctx.log(f"scenario {NUMBER}: run {run + 1}/{ctx.cfg.runs} {b.label}")
                _small_load(ctx, b, run, get_paths[b.label])
                _big_upload(ctx, b, big[run], run)
    except Exception:
        for one in started:  # the run folder goes when the bench ends: keep what went wrong
            children = [(node.name, node.child) for node in one.nodes]
            children += [("haproxy", one.haproxy.child)] if one.haproxy is not None else []
            for name, child in children:
                ctx.results.note(
                    f"scenario {NUMBER}: {one.count} node(s), {name} log ends: {_tail(child.log())}"
                )
        raise
    finally:
        for one in started:
            one.down()


def _tail(log: str, lines: int = 8) -> str:
    """The last lines of a log, on one line (a note of the report)."""
    return " | ".join(line.strip() for line in log.splitlines()[-lines:]) or "(empty)"


def _small_files(ctx: Context, b: Balanced) -> tuple[str, ...]:
    size = ctx.cfg.small_kib * 1024
    with client.http_client() as c:
        for i in range(GET_FILES):
            url = b.cluster.url + b.file_path(f"small/g/g{i:03d}.bin")
            client.check(c.put(url, content=os.urandom(size), headers=b.headers()), url)
    return tuple(b.file_path(f"small/g/g{i:03d}.bin") for i in range(GET_FILES))


def _small_load(ctx: Context, b: Balanced, run: int, get_paths: tuple[str, ...]) -> None:
    cfg = ctx.cfg
    for method in ("PUT", "GET"):
        spec = LoadSpec(
            base_url=b.cluster.url,
            method=method,
            put_template=b.file_path(f"small/r{run}/NAME").replace("NAME", "{name}"),
            get_paths=get_paths,
            headers=tuple(b.headers().items()),
            body_size=cfg.small_kib * 1024,
            clients=cfg.small_clients,
            seconds=cfg.small_seconds,
        )
        result = run_load(spec, wrk=ctx.tools.wrk, prefer=cfg.client, script_dir=ctx.run_dir)
        measure = f"{cfg.small_kib} KiB {method}, {cfg.small_clients} connections"
        ctx.results.add(
            NUMBER, measure, b.label, result.requests_per_s, unit="req/s", higher_is_better=True
        )
        if result.errors:
            ctx.results.note(
                f"scenario {NUMBER}: {b.label} {method} run {run + 1}: {result.errors} failed "
                f"of {result.ok + result.errors} ({result.tool})"
            )


def _big_upload(ctx: Context, b: Balanced, file: Path, run: int) -> None:
    assert ctx.tools.curl is not None
    url = b.cluster.url + b.file_path(f"big/r{run}.bin")
    sent = client.upload(ctx.tools.curl, url, file, b.headers())
    ctx.results.add(
        NUMBER,
        f"upload {ctx.cfg.big_mib} MiB (curl PUT)",
        b.label,
        sent.mb_per_s(ctx.cfg.big_bytes),
        unit="MB/s",
        higher_is_better=True,
    )
