"""`podstore`: run the server, and use it from the shell."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from podstore.cli import app_passwords, cluster, sharing, social, transfer
from podstore.cli.client import Client, pod_path, q, save_session
from podstore.cli.errors import friendly
from podstore.cli.structured import docs_app, kv_app

app = typer.Typer(
    help="podstore: your encrypted pods of files, tables and documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
pods_app = typer.Typer(help="List, create, rename and delete pods.", invoke_without_command=True)
app.add_typer(pods_app, name="pods")
app.add_typer(social.app)  # msg, contacts, events, audit
sharing.register(app)
app.add_typer(kv_app, name="kv")
app.add_typer(docs_app, name="docs")
app.add_typer(cluster.app, name="cluster")
app.add_typer(app_passwords.app, name="app-password")
console = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def ask_password(confirm: bool = False) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("password: ")
    if confirm and getpass.getpass("again: ") != password:
        raise ValueError("the passwords differ")
    return password


def size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(n)


# -- server ----------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    data: Annotated[Path | None, typer.Option(help="folder for the database and blobs")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
) -> None:
    """Run the podstore server (default http://127.0.0.1:9090)."""
    for key, value in (("HOST", host), ("PORT", port), ("DATA_DIR", data), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"PODSTORE_{key}"] = str(value)
    if os.name == "posix":
        # the same process, started afresh: it serves without holding the command line's
        # modules (typer, rich, httpx and the commands: ~7 MB); -P: the working folder is
        # not searched for modules
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-P", "-m", "podstore.server"])  # noqa: S606
    from podstore.server.run import run

    run()


@app.command()
def gc() -> None:
    """Delete chunks no version references any more (after the grace period)."""
    from podstore.core.service import Core
    from podstore.settings import Settings

    core = Core(Settings())
    report = core.gc()
    console.print_json(json.dumps(report.detail, default=str))


@app.command()
def fsck(
    repair: Annotated[bool, typer.Option(help="repair from parity where possible")] = True,
) -> None:
    """Verify every referenced chunk; exit 1 on damage that could not be repaired."""
    from podstore.core.service import Core
    from podstore.settings import Settings

    core = Core(Settings())
    report = core.fsck(repair)
    console.print_json(json.dumps(report.detail, default=str))
    if not report.ok:
        err.print("[red]damage found that could not be repaired[/red]")
        raise typer.Exit(1)


@app.command()
def admin(
    name: Annotated[str, typer.Argument(help="the user")],
    revoke: Annotated[bool, typer.Option("--revoke", help="take the role away")] = False,
) -> None:
    """Make a user an administrator (on this server's database), or no longer one."""
    import asyncio

    from podstore.core.service import Core
    from podstore.settings import Settings

    core = Core(Settings())
    try:
        asyncio.run(core.accounts.set_admin(name, not revoke))
    except Exception as exc:  # a user that does not exist: say so, exit 1
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    finally:
        asyncio.run(core.close())
    console.print(f"{name} is {'no longer ' if revoke else ''}an administrator")


# -- account ---------------------------------------------------------------------------------


@app.command()
@friendly
def signup(
    name: str, mnemonic: Annotated[str | None, typer.Option(help="your own BIP-39 phrase")] = None
) -> None:
    """Create an account; prints the recovery mnemonic once: write it down."""
    password = ask_password(confirm=True)
    client = Client(token="")
    result = client.call(
        "POST", "/signup", json={"name": name, "password": password, "mnemonic": mnemonic}
    )
    console.print(f"account [bold]{result['name']}[/bold] created")
    if result.get("mnemonic"):
        console.print(
            f"recovery phrase (shown once): [bold yellow]{result['mnemonic']}[/bold yellow]"
        )


@app.command()
@friendly
def login(name: str) -> None:
    """Log in and remember the session for the next commands."""
    client = Client(token="")
    result = client.call("POST", "/login", json={"name": name, "password": ask_password()})
    save_session(client.url, result["token"])
    console.print(f"logged in as [bold]{name}[/bold] until {result['expires_at']}")


@app.command()
@friendly
def logout() -> None:
    """Revoke the session token."""
    client = Client()
    if client.token:
        client.call("POST", "/logout")
    save_session(client.url, None)
    console.print("logged out")


@app.command()
@friendly
def whoami() -> None:
    """Show the current user."""
    me = Client().call("GET", "/me")
    console.print(f"{me['name']} ({me['id']})")


# -- pods ------------------------------------------------------------------------------------


@pods_app.callback()
@friendly
def pods_list(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand:
        return
    table = Table("name", "role", "files", "used", "compression", "versions kept")
    for pod in Client().call("GET", "/pods")["pods"]:
        table.add_row(
            pod["name"],
            pod["role"],
            str(pod["files"]),
            size(pod["used_bytes"]),
            pod["compression"],
            str(pod["versions_kept"]),
        )
    console.print(table)


@pods_app.command("create")
@friendly
def pods_create(
    name: str, compression: str | None = None, versions_kept: int | None = None
) -> None:
    """Create a pod."""
    pod = Client().call(
        "POST",
        "/pods",
        json={"name": name, "compression": compression, "versions_kept": versions_kept},
    )
    console.print(f"pod [bold]{pod['name']}[/bold] created")


@pods_app.command("rename")
@friendly
def pods_rename(name: str, new_name: str) -> None:
    """Rename a pod."""
    Client().call("PATCH", f"/pods/{q(name)}", json={"name": new_name})


@pods_app.command("rm")
@friendly
def pods_rm(
    name: str, yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False
) -> None:
    """Delete a pod and everything in it."""
    if not yes and not typer.confirm(f"delete pod {name} and everything in it?"):
        raise typer.Exit(1)
    Client().call("DELETE", f"/pods/{q(name)}")


# -- tree ------------------------------------------------------------------------------------


@app.command()
@friendly
def ls(target: str) -> None:
    """List a folder: POD or POD/PATH."""
    pod, path = pod_path(target)
    table = Table("name", "type", "size", "modified")
    for item in Client().list_all(pod, path):
        name = item["name"] + ("/" if item["type"] == "dir" else "")
        table.add_row(
            name,
            item["type"],
            size(item["size"]) if item["type"] == "file" else "",
            item["modified"],
        )
    console.print(table)


@app.command()
@friendly
def mkdir(target: str, parents: Annotated[bool, typer.Option("-p", "--parents")] = False) -> None:
    """Create a folder: POD/PATH."""
    pod, path = pod_path(target)
    Client().call("POST", f"/pods/{q(pod)}/mkdir/{q(path)}", params={"parents": parents})


@app.command()
@friendly
def mv(source: str, dest: str) -> None:
    """Move or rename within a pod: mv POD/OLD NEW-PATH."""
    pod, path = pod_path(source)
    Client().call("POST", f"/pods/{q(pod)}/move", json={"from": path, "to": dest})


@app.command()
@friendly
def cp(source: str, dest: str) -> None:
    """Copy within a pod (no data is copied): cp POD/PATH NEW-PATH."""
    pod, path = pod_path(source)
    Client().call("POST", f"/pods/{q(pod)}/copy", json={"from": path, "to": dest})


@app.command()
@friendly
def rm(target: str) -> None:
    """Move a file or folder to the trash."""
    pod, path = pod_path(target)
    Client().call("DELETE", f"/pods/{q(pod)}/files/{q(path)}")


@app.command()
@friendly
def trash(pod: str) -> None:
    """List a pod's deleted items."""
    table = Table("id", "original path", "type", "size")
    for item in Client().call("GET", f"/pods/{q(pod)}/trash")["entries"]:
        table.add_row(item["id"], item["original_path"], item["type"], size(item["size"]))
    console.print(table)


@app.command()
@friendly
def restore(pod: str, node_id: str) -> None:
    """Put a deleted item back where it was."""
    result = Client().call("POST", f"/pods/{q(pod)}/trash/{q(node_id)}/restore")
    console.print(f"restored to {result['path']}")


@app.command()
@friendly
def purge(pod: str, node_id: Annotated[str | None, typer.Argument()] = None) -> None:
    """Delete one trashed item for good, or empty the whole trash."""
    path = f"/pods/{q(pod)}/trash" + (f"/{q(node_id)}" if node_id else "")
    console.print(f"purged {Client().call('DELETE', path)['purged']} item(s)")


@app.command()
@friendly
def versions(
    target: str, restore: Annotated[str | None, typer.Option(help="version id")] = None
) -> None:
    """List a file's versions, or restore one."""
    pod, path = pod_path(target)
    client = Client()
    if restore:
        client.call("POST", f"/pods/{q(pod)}/versions/{q(path)}", json={"version_id": restore})
    table = Table("number", "id", "size", "created", "by", "current")
    for v in client.call("GET", f"/pods/{q(pod)}/versions/{q(path)}")["versions"]:
        table.add_row(
            str(v["number"]),
            v["id"],
            size(v["size"]),
            v["created"],
            v["created_by"] or "",
            "*" if v["current"] else "",
        )
    console.print(table)


@app.command()
@friendly
def put(
    local: Path,
    target: str,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue an interrupted upload (also the default)")
    ] = False,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="ignore saved upload state and hash again")
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="requests sent in parallel")] = 4,
    raw: Annotated[
        bool, typer.Option("--raw", help="one plain PUT per file, no handshake")
    ] = False,
) -> None:
    """Upload a file or folder: put LOCAL POD/PATH (resumable, only missing chunks are sent)."""
    pod, path = pod_path(target)
    stats = transfer.put(Client(), local, pod, path, jobs=jobs, fresh=fresh and not resume, raw=raw)
    console.print(f"put {stats.files} file(s): {stats.summary()}")


@app.command()
@friendly
def get(target: str, local: Path) -> None:
    """Download a file or folder: get POD/PATH LOCAL."""
    pod, path = pod_path(target)
    count = transfer.get(Client(), pod, path, local)
    console.print(f"wrote {count} file(s)")
