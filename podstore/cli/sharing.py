"""`podstore share|shares|unshare|link|links|unlink|groups|ref|inbox`: sharing from the shell."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from podstore.cli.client import Client, pod_path, q
from podstore.cli.errors import friendly

console = Console()
groups_app = typer.Typer(help="Groups and their members.", no_args_is_help=True)
ref_app = typer.Typer(help="Share references: make, inspect and receive.", no_args_is_help=True)

Expires = Annotated[str | None, typer.Option(help="ISO 8601 time, e.g. 2026-12-31T23:00:00Z")]


def register(app: typer.Typer) -> None:
    for command in (share, shares, unshare, link, links, unlink, inbox, receive):
        app.command()(command)
    app.add_typer(groups_app, name="groups")
    app.add_typer(ref_app, name="ref")


def _table(columns: list[str], rows: list[dict[str, Any]]) -> None:
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)


@friendly
def share(
    target: str,
    user: Annotated[str | None, typer.Option(help="share with this user")] = None,
    group: Annotated[str | None, typer.Option(help="share with this group")] = None,
    level: Annotated[str, typer.Option(help="read, write or delete")] = "read",
    expires: Expires = None,
    no_download: Annotated[bool, typer.Option("--no-download")] = False,
) -> None:
    """Share POD/PATH with a user or a group."""
    pod, path = pod_path(target)
    body = {
        "path": path,
        "user": user,
        "group": group,
        "level": level,
        "expires_at": expires,
        "no_download": no_download,
    }
    grant = Client().call("POST", f"/pods/{q(pod)}/shares", json=body)
    console.print(f"shared {grant['name']} ({grant['level']}): id {grant['id']}")


@friendly
def shares(
    direction: Annotated[str, typer.Argument(help="incoming or outgoing")] = "incoming",
) -> None:
    """List shares with me (incoming) or by me (outgoing)."""
    if direction not in ("incoming", "outgoing"):
        raise ValueError("incoming or outgoing")
    rows = Client().call("GET", f"/shares/{direction}")["shares"]
    _table(["id", "name", "type", "level", "owner", "user", "group", "expires_at", "pod"], rows)


@friendly
def unshare(share_id: str) -> None:
    """Revoke a share (or decline one made to you)."""
    Client().call("DELETE", f"/shares/{q(share_id)}")
    console.print("revoked")


@friendly
def link(
    target: str,
    password: Annotated[bool, typer.Option("--password", help="ask for a link password")] = False,
    expires: Expires = None,
    max_downloads: Annotated[int | None, typer.Option(help="downloads allowed")] = None,
    upload_only: Annotated[bool, typer.Option("--upload-only", help="a drop box")] = False,
) -> None:
    """Make a public link to POD/PATH and print its URL."""
    pod, path = pod_path(target)
    secret = getpass.getpass("link password: ") if password else None
    body = {
        "path": path,
        "password": secret,
        "expires_at": expires,
        "max_downloads": max_downloads,
        "upload_only": upload_only,
    }
    made = Client().call("POST", f"/pods/{q(pod)}/links", json=body)
    console.print(made["url"], soft_wrap=True)


@friendly
def links() -> None:
    """List my public links."""
    _table(
        ["id", "node_id", "downloads", "max_downloads", "expires_at", "password", "upload_only"],
        Client().call("GET", "/links")["links"],
    )


@friendly
def unlink(link_id: str) -> None:
    """Revoke a public link."""
    Client().call("DELETE", f"/links/{q(link_id)}")
    console.print("revoked")


@friendly
def inbox() -> None:
    """Shares and copies sent to me."""
    data = Client().call("GET", "/inbox")
    _table(["id", "name", "type", "level", "owner", "pod"], data["shares"])
    _table(["id", "kind", "name", "type", "size", "sender", "created"], data["offers"])


@friendly
def receive(offer_id: str, target: str) -> None:
    """Receive a copy from my inbox into POD/FOLDER."""
    pod, path = pod_path(target)
    node = Client().call("POST", f"/inbox/{q(offer_id)}/receive", json={"pod": pod, "path": path})
    console.print(f"received {node['name']}")


@ref_app.command("create")
@friendly
def ref_create(
    target: str, user: Annotated[str | None, typer.Option()] = None, expires: Expires = None
) -> None:
    """Make a share reference to POD/PATH (for one user with --user)."""
    pod, path = pod_path(target)
    made = Client().call(
        "POST",
        f"/pods/{q(pod)}/share-refs",
        json={"path": path, "user": user, "expires_at": expires},
    )
    console.print(made["ref"], soft_wrap=True)


@ref_app.command("info")
@friendly
def ref_info(ref: str) -> None:
    """What a share reference offers."""
    info = Client().call("GET", f"/share-refs/{q(ref)}")
    _table(["name", "type", "size", "files", "sender", "created", "expires_at"], [info])


@ref_app.command("receive")
@friendly
def ref_receive(ref: str, target: str) -> None:
    """Receive what a reference offers into POD/FOLDER."""
    pod, path = pod_path(target)
    node = Client().call("POST", f"/share-refs/{q(ref)}/receive", json={"pod": pod, "path": path})
    console.print(f"received {node['name']}")


@groups_app.command("list")
@friendly
def groups_list() -> None:
    """My groups."""
    _table(["name", "role", "members"], Client().call("GET", "/groups")["groups"])


@groups_app.command("create")
@friendly
def groups_create(name: str) -> None:
    """Create a group (you are its owner)."""
    Client().call("POST", "/groups", json={"name": name})
    console.print(f"group {name} created")


@groups_app.command("add")
@friendly
def groups_add(group: str, user: str, role: Annotated[str, typer.Option()] = "editor") -> None:
    """Add a member (viewer, editor or owner)."""
    Client().call("POST", f"/groups/{q(group)}/members", json={"user": user, "role": role})


@groups_app.command("remove")
@friendly
def groups_remove(group: str, user: str) -> None:
    """Remove a member (or yourself, to leave)."""
    Client().call("DELETE", f"/groups/{q(group)}/members/{q(user)}")


@groups_app.command("pod")
@friendly
def groups_pod(group: str, name: str) -> None:
    """Create a pod the group owns."""
    made = Client().call("POST", f"/groups/{q(group)}/pods", json={"name": name})
    console.print(f"pod {made['name']} created")
