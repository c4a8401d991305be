"""`podstore kv …` and `podstore docs …`: KV tables and document collections from the shell."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from podstore.cli.client import Client, q
from podstore.cli.errors import friendly

kv_app = typer.Typer(help="Key-value tables in a pod.", no_args_is_help=True)
docs_app = typer.Typer(help="Document collections in a pod.", no_args_is_help=True)
console = Console()


def read_input(source: str) -> bytes:
    return sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()


def emit(data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False))


def kv_path(pod: str, table: str, key: str | None = None) -> str:
    base = f"/pods/{q(pod)}/kv/{q(table)}"
    return base if key is None else f"{base}/{q(key)}"


# -- kv ---------------------------------------------------------------------------------------


@kv_app.command("ls")
@friendly
def kv_ls(pod: str) -> None:
    """List the pod's tables."""
    tables = Client().call("GET", f"/pods/{q(pod)}/kv")["tables"]
    view = Table("table", "index", "entries")
    for t in tables:
        view.add_row(t["name"], t["index_type"], str(t["count"]))
    console.print(view)


@kv_app.command("create")
@friendly
def kv_create(
    pod: str,
    table: str,
    index_type: Annotated[str, typer.Option("--type", help="string, number or bytes")] = "string",
) -> None:
    """Create a table."""
    Client().call("POST", f"/pods/{q(pod)}/kv", json={"name": table, "index_type": index_type})


@kv_app.command("rm")
@friendly
def kv_rm(pod: str, table: str) -> None:
    """Delete a table and its entries."""
    Client().call("DELETE", kv_path(pod, table))


@kv_app.command("put")
@friendly
def kv_put(
    pod: str,
    table: str,
    key: str,
    value: Annotated[str | None, typer.Argument(help="the value; omit to use --file")] = None,
    file: Annotated[
        str | None, typer.Option(help="read the value from a file, - for stdin")
    ] = None,
) -> None:
    """Store a value under a key."""
    if (value is None) == (file is None):
        raise ValueError("give a VALUE or --file")
    body = value.encode() if value is not None else read_input(str(file))
    Client().call("PUT", kv_path(pod, table, key), content=body)


@kv_app.command("get")
@friendly
def kv_get(pod: str, table: str, key: str) -> None:
    """Print a value (raw bytes) to stdout."""
    client = Client()
    response = client.check(client.http.get(kv_path(pod, table, key)))
    sys.stdout.buffer.write(response.content)


@kv_app.command("del")
@friendly
def kv_del(pod: str, table: str, key: str) -> None:
    """Delete a key."""
    Client().call("DELETE", kv_path(pod, table, key))


@kv_app.command("scan")
@friendly
def kv_scan(
    pod: str,
    table: str,
    start: Annotated[str | None, typer.Option(help="first key (inclusive)")] = None,
    end: Annotated[str | None, typer.Option(help="end key (exclusive)")] = None,
    limit: Annotated[int, typer.Option(help="at most this many entries")] = 100,
) -> None:
    """List entries in key order, as JSON lines of key and value."""
    client, cursor, left = Client(), None, limit
    while left > 0:
        params: dict[str, Any] = {"limit": min(left, 1000), "start": start, "end": end}
        params = {k: v for k, v in (params | {"cursor": cursor}).items() if v is not None}
        page = client.call("GET", kv_path(pod, table), params=params)
        for item in page["items"]:
            raw = base64.b64decode(item["value_b64"])
            try:
                line = {"key": item["key"], "value": raw.decode("utf-8")}
            except UnicodeDecodeError:
                line = {"key": item["key"], "value_b64": item["value_b64"]}
            print(json.dumps(line, ensure_ascii=False))
        left -= len(page["items"])
        cursor = page["next"]
        if not cursor:
            return


@kv_app.command("count")
@friendly
def kv_count(pod: str, table: str) -> None:
    """Print the number of entries."""
    print(Client().call("POST", kv_path(pod, table) + "/count")["count"])


@kv_app.command("import")
@friendly
def kv_import(
    pod: str,
    table: str,
    file: Annotated[str, typer.Argument(help="a CSV or JSON-lines file, - for stdin")],
    format: Annotated[str, typer.Option(help="csv or jsonl")] = "",
    rows: Annotated[bool, typer.Option(help="load good rows, report bad ones")] = False,
) -> None:
    """Load a CSV (header row, first column is the key) or JSON-lines file."""
    fmt = format or ("csv" if file.lower().endswith(".csv") else "jsonl")
    params = {"format": fmt, "mode": "rows" if rows else "atomic"}
    emit(
        Client().call(
            "POST", kv_path(pod, table) + "/import", params=params, content=read_input(file)
        )
    )


@kv_app.command("export")
@friendly
def kv_export(
    pod: str, table: str, format: Annotated[str, typer.Option(help="csv or jsonl")] = "jsonl"
) -> None:
    """Write the whole table to stdout as CSV or JSON lines."""
    client = Client()
    with client.http.stream("GET", kv_path(pod, table), params={"format": format}) as response:
        if response.status_code >= 400:
            response.read()
            client.check(response)
        for piece in response.iter_bytes():
            sys.stdout.buffer.write(piece)


# -- docs -------------------------------------------------------------------------------------


def docs_path(pod: str, coll: str | None = None) -> str:
    base = f"/pods/{q(pod)}/docs"
    return base if coll is None else f"{base}/{q(coll)}"


@docs_app.command("ls")
@friendly
def docs_ls(pod: str) -> None:
    """List the pod's collections."""
    collections = Client().call("GET", docs_path(pod))["collections"]
    view = Table("collection", "indexes", "documents")
    for c in collections:
        indexes = ",".join(f"{i['name']}={i['type']}" for i in c["indexes"])
        view.add_row(c["name"], indexes, str(c["count"]))
    console.print(view)


@docs_app.command("create")
@friendly
def docs_create(
    pod: str,
    coll: str,
    indexes: Annotated[str, typer.Option(help="e.g. name=string,age=number,tags=list")] = "",
) -> None:
    """Create a collection."""
    Client().call("POST", docs_path(pod), json={"name": coll, "indexes": indexes or None})


@docs_app.command("rm")
@friendly
def docs_rm(pod: str, coll: str) -> None:
    """Delete a collection and its documents."""
    Client().call("DELETE", docs_path(pod, coll))


@docs_app.command("put")
@friendly
def docs_put(
    pod: str, coll: str, file: Annotated[str, typer.Argument(help="a JSON document, - for stdin")]
) -> None:
    """Store a document (it needs a string id; the same id replaces it)."""
    emit(Client().call("PUT", docs_path(pod, coll), content=read_input(file)))


@docs_app.command("get")
@friendly
def docs_get(pod: str, coll: str, doc_id: str) -> None:
    """Print a document."""
    emit(Client().call("GET", f"{docs_path(pod, coll)}/{q(doc_id)}"))


@docs_app.command("del")
@friendly
def docs_del(pod: str, coll: str, doc_id: str) -> None:
    """Delete a document."""
    Client().call("DELETE", f"{docs_path(pod, coll)}/{q(doc_id)}")


@docs_app.command("find")
@friendly
def docs_find(
    pod: str,
    coll: str,
    filter: Annotated[
        str | None, typer.Option(help='a JSON filter, e.g. {"age": {"$gt": 3}}')
    ] = None,
    expr: Annotated[str | None, typer.Option(help="a FairOS expression, e.g. age=>20")] = None,
    sort: Annotated[str | None, typer.Option(help="field or -field")] = None,
    limit: Annotated[int, typer.Option()] = 100,
) -> None:
    """Print matching documents as JSON lines."""
    body: dict[str, Any] = {"limit": limit}
    if filter is not None:
        body["filter"] = json.loads(filter)
    if expr is not None:
        body["expr"] = expr
    if sort:
        body["sort"] = sort
    for doc in Client().call("POST", f"{docs_path(pod, coll)}/find", json=body)["docs"]:
        print(json.dumps(doc, ensure_ascii=False))


@docs_app.command("count")
@friendly
def docs_count(
    pod: str,
    coll: str,
    filter: Annotated[str | None, typer.Option(help="a JSON filter")] = None,
    expr: Annotated[str | None, typer.Option(help="a FairOS expression")] = None,
) -> None:
    """Print the number of matching documents."""
    body: dict[str, Any] = {"expr": expr}
    if filter is not None:
        body["filter"] = json.loads(filter)
    print(Client().call("POST", f"{docs_path(pod, coll)}/count", json=body)["count"])


@docs_app.command("import")
@friendly
def docs_import(
    pod: str,
    coll: str,
    file: Annotated[str, typer.Argument(help="a JSON-lines file, - for stdin")],
    rows: Annotated[bool, typer.Option(help="load good lines, report bad ones")] = False,
) -> None:
    """Load a JSON-lines file, one document per line."""
    params = {"mode": "rows" if rows else "atomic"}
    emit(
        Client().call(
            "POST", f"{docs_path(pod, coll)}/import", params=params, content=read_input(file)
        )
    )


@docs_app.command("index")
@friendly
def docs_index(pod: str, coll: str, path: str) -> None:
    """Load a JSON-lines file that is already in the pod."""
    emit(Client().call("POST", f"{docs_path(pod, coll)}/index-file", json={"path": path}))
