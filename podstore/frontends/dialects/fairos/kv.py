"""KV tables: new, ls, open, count, delete; entries put/get/get-data/present/del; loadcsv;
seek and seek/next (the iterator lives in the session's state, one per table); export."""

from __future__ import annotations

import base64

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, NotFound
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.envelope import no_content, respond
from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.pods import open_pod
from podstore.frontends.dialects.fairos.session import opened, save

NO_TABLE = "kv table not present"
INDEX_NAMES = {"string": "StringIndex", "number": "NumberIndex"}
MAX_CSV = 64 * 1024 * 1024
MAX_EXPORT = 100  # FairOS's maxExportLimit


def table_field(call: Call) -> str:
    return call.get("tableName", "file")


async def open_table(call: Call) -> tuple[str, str]:
    """(pod, table) of a request on entries: FairOS needs the table opened first."""
    pod, table = await open_pod(call), table_field(call)
    if f"{pod}/{table}" not in (await opened(call))["kv"]:
        raise FairError(400, "kv table not opened")
    return pod, table


async def new(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    kind = call.get("indexType", default="string").lower()
    if kind not in INDEX_NAMES:
        raise FairError(400, 'invalid "indexType"')
    try:
        await call.core.kv.create(await call.actor(), pod, table, kind)
    except Conflict:
        raise FairError(400, "kv table already present") from None
    return respond(call.generation.message("kv store created", 201), 201)


async def ls(call: Call) -> Response:
    pod = await open_pod(call)
    tables = await call.core.kv.tables(await call.actor(), pod)
    rows = [
        call.generation.shape(
            ("tableName", "table_name", t.name),
            ("indexes", "indexes", [INDEX_NAMES.get(t.index_type, "StringIndex")]),
            ("type", "type", "KV Store"),
        )
        for t in tables
    ]
    return respond({"tables": rows or None})


async def open_(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    await _remember(call, pod, table)
    return respond(call.generation.message("kv store opened", 200))


async def count(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    total = await call.core.kv.count(await call.actor(), pod, table)
    return respond({"count": total} | call.generation.shape(("tableName", "table_name", table)))


async def delete(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    await call.core.kv.delete_table(await call.actor(), pod, table)
    await call.core.session_state.delete(await call.actor(), _iterator_key(pod, table))
    return respond(call.generation.message("kv store deleted", 200))


async def put(call: Call) -> Response:
    pod, table = await open_table(call)
    value = call.get("value", default="")
    await call.core.kv.put(await call.actor(), pod, table, call.get("key"), value.encode())
    return respond(call.generation.message("key added", 200))


async def _remember(call: Call, pod: str, table: str) -> None:
    """Mark the table open, with the header row `get` answers as `keys` when it has one."""
    info = await call.core.kv.stat(await call.actor(), pod, table)
    state = await opened(call)
    state["kv"][f"{pod}/{table}"] = info.columns
    await save(call, state)


async def _keys_of(call: Call, pod: str, table: str, key: str) -> list[str]:
    columns = (await opened(call))["kv"].get(f"{pod}/{table}")
    return list(columns) if columns else [key]


def entry_missing(exc: NotFound) -> FairError | NotFound:
    return FairError(404, "entry not found") if exc.detail.startswith("no key") else exc


async def _value(call: Call, pod: str, table: str, key: str) -> bytes:
    try:
        return await call.core.kv.get(await call.actor(), pod, table, key)
    except NotFound as exc:
        raise entry_missing(exc) from None


async def get(call: Call) -> Response:
    pod, table = await open_table(call)
    key = call.get("key")
    value = await _value(call, pod, table, key)
    keys = await _keys_of(call, pod, table, key)
    return respond({"keys": keys, "values": base64.b64encode(value).decode()})


async def get_data(call: Call) -> Response:
    pod, table = await open_table(call)
    key, form = call.get("key"), call.get("format", default="string")
    value = await _value(call, pod, table, key)
    shown = value.decode("utf-8", "replace")
    if form == "byte-string":  # Go's fmt "%v" of a byte slice
        shown = "[" + " ".join(str(b) for b in value) + "]"
    return respond({"keys": await _keys_of(call, pod, table, key), "values": shown})


async def present(call: Call) -> Response:
    pod, table = await open_table(call)
    found = await call.core.kv.present(await call.actor(), pod, table, call.get("key"))
    return respond({"present": found})


async def delete_entry(call: Call) -> Response:
    pod, table = await open_table(call)
    try:
        await call.core.kv.delete(await call.actor(), pod, table, call.get("key"))
    except NotFound as exc:
        raise entry_missing(exc) from None
    return respond({"message": "key deleted", "code": 200})  # a string answer: always a code


async def load_csv(call: Call) -> Response:
    data = await call.form_file(MAX_CSV)
    pod, table = await open_table(call)
    report = await call.core.kv.import_data(
        await call.actor(), pod, table, data, "csv", mode="rows"
    )
    await _remember(call, pod, table)
    return respond(
        call.generation.message(
            f"csv file loaded in to kv table ({table}) with total:{report.total}, "
            f"success: {report.loaded}, failure: {report.failed} rows",
            200,
        )
    )


def _iterator_key(pod: str, table: str) -> str:
    return f"fairos.kv.seek:{pod}/{table}"


async def seek(call: Call) -> Response:
    pod, table = await open_table(call)
    info = await call.core.kv.stat(await call.actor(), pod, table)
    limit_text = call.get("limit", default="10")
    if not limit_text.isdigit() or int(limit_text) < 1:
        raise FairError(400, "invalid limit")
    start = call.get("startPrefix", "start", default="") or None
    end = call.get("endPrefix", "end", default="") or None
    if info.index_type not in INDEX_NAMES:
        raise FairError(400, "kv index type not supported yet")
    state = {"start": start, "end": end, "left": int(limit_text), "cursor": None}
    await call.core.session_state.put(await call.actor(), _iterator_key(pod, table), state)
    return respond(call.generation.message("seeked closest to the start key", 200))


async def seek_next(call: Call) -> Response:
    pod, table = await open_table(call)
    actor = await call.actor()
    state = await call.core.session_state.get(actor, _iterator_key(pod, table))
    if not isinstance(state, dict):
        raise FairError(400, "iterator not set, seek first")
    if state["left"] <= 0:
        return no_content()
    page = await call.core.kv.scan(
        actor, pod, table, state["start"], state["end"], 1, state["cursor"]
    )
    if not page.entries:
        state["left"] = 0
        await call.core.session_state.put(actor, _iterator_key(pod, table), state)
        return no_content()
    entry = page.entries[0]
    state["left"] -= 1
    state["cursor"] = page.next
    if page.next is None:
        state["left"] = 0
    await call.core.session_state.put(actor, _iterator_key(pod, table), state)
    return respond({"keys": [entry.key], "values": base64.b64encode(entry.value).decode()})


async def export(call: Call) -> Response:
    """Up to `limit` rows from `startPrefix` (inclusive) to `endPrefix` (exclusive), each as
    `{key: value}` with the value as text, in `items`."""
    pod, table = await open_table(call)
    start = call.get("startPrefix", "start", default="")
    if not start:
        raise FairError(400, '"start" argument missing')
    end = call.get("endPrefix", "end", default="") or None
    limit_text = call.get("limit", default=str(MAX_EXPORT))
    try:
        limit = int(limit_text)
    except ValueError:
        raise FairError(400, "invalid limit") from None
    if limit > MAX_EXPORT:
        raise FairError(400, f"maximum limit is {MAX_EXPORT}")
    items: list[dict[str, str]] = []
    if limit > 0:
        page = await call.core.kv.scan(await call.actor(), pod, table, start, end, limit, None)
        items = [{e.key: e.value.decode("utf-8", "replace")} for e in page.entries]
    return respond({"items": items})


def routes() -> list[Route]:
    v1 = [
        ("/new", "kv create", new, "json", "POST"),
        ("/ls", "kv ls", ls, "none", "GET"),
        ("/open", "kv open", open_, "json", "POST"),
        ("/count", "kv count", count, "json", "POST"),
        ("/delete", "kv delete", delete, "json", "DELETE"),
        ("/entry/put", "kv put", put, "json", "POST"),
        ("/entry/get", "kv get", get, "none", "GET"),
        ("/entry/get-data", "kv get", get_data, "none", "GET"),
        ("/entry/present", "kv present", present, "none", "GET"),
        ("/present", "kv present", present, "none", "GET"),
        ("/entry/del", "kv del", delete_entry, "json", "DELETE"),
        ("/loadcsv", "kv loadcsv", load_csv, "none", "POST"),
        ("/seek", "kv seek", seek, "json", "POST"),
        ("/seek/next", "kv seek next", seek_next, "none", "GET"),
        ("/export", "kv export", export, "json", "POST"),
    ]
    v0 = [
        ("/new", "kv create", new, "form", "POST"),
        ("/ls", "kv ls", ls, "form", "POST"),
        ("/open", "kv open", open_, "form", "POST"),
        ("/count", "kv count", count, "form", "POST"),
        ("/delete", "kv delete", delete, "form", "DELETE"),
        ("/entry/put", "kv put", put, "form", "POST"),
        ("/entry/get", "kv get", get, "form", "GET"),
        ("/entry/del", "kv del", delete_entry, "form", "DELETE"),
        ("/loadcsv", "kv loadcsv", load_csv, "none", "POST"),
        ("/seek", "kv seek", seek, "form", "POST"),
        ("/seek/getnext", "kv seek next", seek_next, "form", "GET"),
    ]
    return [
        Route(f"/{version}/kv{path}", endpoint(op, handler, body, NO_TABLE), methods=[method])
        for version, table in (("v1", v1), ("v0", v0))
        for path, op, handler, body, method in table
    ]
