"""`podstore app-password add|list|revoke`: per-device passwords for WebDAV clients."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from podstore.cli.client import Client, q
from podstore.cli.errors import friendly

app = typer.Typer(
    help="Passwords for one device each (WebDAV clients), revocable on their own.",
    no_args_is_help=True,
)
console = Console()


@app.command("add")
@friendly
def add(label: Annotated[str, typer.Argument(help="which device or app it is for")]) -> None:
    """Make an app password; it is printed this once."""
    made = Client().call("POST", "/me/app-passwords", json={"label": label})
    console.print(f"app password {made['id']} for {escape(made['label'])}:")
    print(made["password"])


@app.command("list")
@friendly
def list_() -> None:
    """My app passwords (never the passwords themselves)."""
    table = Table("id", "label", "created", "last used")
    for item in Client().call("GET", "/me/app-passwords"):
        table.add_row(
            item["id"], escape(item["label"]), item["created_at"], item["last_used_at"] or "never"
        )
    console.print(table)


@app.command("revoke")
@friendly
def revoke(ident: Annotated[str, typer.Argument(help="the id `list` shows")]) -> None:
    """Revoke an app password: every client using it is refused at once."""
    Client().call("DELETE", f"/me/app-passwords/{q(ident)}")
    console.print(f"app password {ident} revoked")
