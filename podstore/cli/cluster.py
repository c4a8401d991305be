"""`podstore cluster up`: a local cluster for development (DESIGN.md §7)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="A local cluster of podstore nodes for development.", no_args_is_help=True)


@app.command("up")
def up(
    nodes: Annotated[int, typer.Option(help="how many podstore nodes")] = 3,
    port: Annotated[int, typer.Option(help="haproxy's port, where clients connect")] = 9090,
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help="keep everything here (default: a temporary folder)"),
    ] = None,
) -> None:
    """PostgreSQL, SeaweedFS, NODES podstore nodes and haproxy on 127.0.0.1; Ctrl-C stops it."""
    from podstore.cluster.up import Cluster, serve_until_stopped

    if nodes < 1:
        raise typer.BadParameter("at least one node", param_hint="--nodes")
    workdir = folder or Path(tempfile.mkdtemp(prefix="podstore-cluster-"))
    try:
        serve_until_stopped(Cluster(workdir.resolve(), nodes=nodes, port=port))
    except RuntimeError as exc:
        typer.echo(f"podstore cluster: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        if folder is None:
            shutil.rmtree(workdir, ignore_errors=True)
