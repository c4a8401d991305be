"""`podstore msg`, `podstore contacts`, `podstore events` and `podstore audit`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from podstore.cli.client import Client, q
from podstore.cli.errors import friendly

app = typer.Typer()
msg_app = typer.Typer(help="Send messages and read conversations.", no_args_is_help=True)
contacts_app = typer.Typer(help="Your contacts, with aliases.", invoke_without_command=True)
app.add_typer(msg_app, name="msg")
app.add_typer(contacts_app, name="contacts")
console = Console()


# -- messages --------------------------------------------------------------------------------


@msg_app.command("send")
@friendly
def msg_send(
    to: Annotated[str, typer.Argument(help="a user name or contact alias (a group with -g)")],
    text: str,
    group: Annotated[bool, typer.Option("--group", "-g", help="TO names a group")] = False,
) -> None:
    """Send TEXT to a user, or to every member of a group."""
    body = {"group": to, "text": text} if group else {"to": to, "text": text}
    sent = Client().call("POST", "/messages", json=body)
    console.print(f"sent (#{sent['id']})")


@msg_app.command("history")
@friendly
def msg_history(
    who: Annotated[str, typer.Argument(help="a user name or contact alias (a group with -g)")],
    group: Annotated[bool, typer.Option("--group", "-g", help="WHO names a group")] = False,
    offset: Annotated[int, typer.Option(help="skip this many of the newest")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many")] = 50,
) -> None:
    """A conversation, oldest of the page first."""
    params = {"group" if group else "with": who, "offset": offset, "limit": limit}
    page = Client().call("GET", "/messages", params=params)
    for m in reversed(page["messages"]):
        console.print(
            f"[dim]{m['sent_at']}[/dim] [bold]{escape(m['from'])}[/bold]: {escape(m['text'])}"
        )
    shown = offset + len(page["messages"])
    if shown < page["total"]:
        console.print(f"[dim]{page['total'] - shown} older: --offset {shown}[/dim]")


@msg_app.command("list")
@friendly
def msg_list() -> None:
    """The users you have conversations with, the latest first."""
    table = Table("with", "last message", "at")
    for c in Client().call("GET", "/messages/conversations")["conversations"]:
        last = c["last"]
        table.add_row(c["with"], escape(f"{last['from']}: {last['text']}"[:60]), last["sent_at"])
    console.print(table)


# -- contacts --------------------------------------------------------------------------------


@contacts_app.callback()
@friendly
def contacts_list(ctx: typer.Context) -> None:
    """List your contacts; `contacts add|alias|rm` change the list."""
    if ctx.invoked_subcommand is not None:
        return
    table = Table("name", "alias", "added")
    for c in Client().call("GET", "/contacts")["contacts"]:
        table.add_row(c["name"], escape(c["alias"] or ""), c["added_at"])
    console.print(table)


@contacts_app.command("add")
@friendly
def contacts_add(
    name: str, alias: Annotated[str | None, typer.Option(help="your name for them")] = None
) -> None:
    """Add the user NAME to your contacts."""
    Client().call("POST", "/contacts", json={"name": name, "alias": alias})


@contacts_app.command("alias")
@friendly
def contacts_alias(
    name: str, alias: Annotated[str, typer.Argument(help="the new alias; '' removes it")]
) -> None:
    """Give the contact NAME (a user name or its alias) a new ALIAS."""
    Client().call("PATCH", f"/contacts/{q(name)}", json={"alias": alias or None})


@contacts_app.command("rm")
@friendly
def contacts_rm(name: str) -> None:
    """Remove the contact NAME (a user name or its alias)."""
    Client().call("DELETE", f"/contacts/{q(name)}")


# -- events and audit ------------------------------------------------------------------------


@app.command()
@friendly
def events(
    after: Annotated[int, typer.Option(help="show events after this sequence number")] = 0,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep waiting for more")] = False,
) -> None:
    """Print your events as JSON lines (long-poll; --follow resumes where it left off)."""
    client = Client()
    while True:
        page = client.call(
            "GET", "/events/poll", params={"after": after, "timeout": 25 if follow else 0}
        )
        for event in page["events"]:
            print(json.dumps(event, sort_keys=True), flush=True)
        after = page["last_seq"]
        if not page["events"] and not follow:
            return


@app.command()
@friendly
def audit(
    offset: Annotated[int, typer.Option(help="skip this many of the newest")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many")] = 50,
) -> None:
    """Your audit log: logins, failed logins, shares, links, deletions; newest first."""
    page = Client().call("GET", "/audit", params={"offset": offset, "limit": limit})
    table = Table("at", "action", "address", "detail")
    for e in page["entries"]:
        detail = json.dumps(e["detail"], sort_keys=True)
        table.add_row(e["at"], e["action"], e["address"] or "", escape(detail))
    console.print(table)
