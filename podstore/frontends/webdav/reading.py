"""OPTIONS, PROPFIND, GET and HEAD."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

from starlette.responses import HTMLResponse, Response, StreamingResponse

from podstore.core.errors import CoreError, Invalid
from podstore.core.records import DavView, NodeInfo
from podstore.frontends.http.downloads import SAFE_HEADERS, download_headers, serve
from podstore.frontends.webdav import checksums, props, xml
from podstore.frontends.webdav.call import Call
from podstore.frontends.webdav.errors import XML, DavError
from podstore.frontends.webdav.paths import Location

METHODS = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK"
CAPABILITIES = {
    "DAV": "1, 2",
    "MS-Author-Via": "DAV",  # Windows' Mini-Redirector and Office look for it
    "Allow": METHODS,
    "Accept-Ranges": "bytes",
    "Content-Length": "0",
}
ENTRIES_PER_PIECE = 200


def options() -> Response:
    return Response(status_code=200, headers=CAPABILITIES)


def _top(name: str, view: DavView) -> NodeInfo:
    """The root of a pod or grant, named as the user names it (a pod's root has no name)."""
    node = view.entries[0]
    return NodeInfo(
        id=node.id,
        name=node.name or name,
        kind=node.kind,
        size=node.size,
        modified_at=node.modified_at,
        created_at=node.created_at,
        content_type=node.content_type,
        version_id=node.version_id,
        parent_id=None,
    )


async def _reachable(call: Call, names: set[props.Name] | None) -> list[tuple[str, DavView]]:
    """The pods and received grants of the actor, each with its root's view."""
    scopes = [pod.name for pod in await call.core.pods.list(call.actor)]
    scopes += [g.scope for g in await call.core.sharing.incoming(call.actor) if g.name]
    found = []
    for scope in scopes:
        try:
            found.append((scope, await call.core.dav.view(call.actor, scope, "/", 0, names)))
        except CoreError:
            continue  # revoked or gone between the two reads
    return found


def _pieces(
    call: Call, view: DavView, want: props.Request, top: NodeInfo | None = None
) -> Iterator[str]:
    pod = call.loc.pod
    folder = call.loc.href(True)
    for index, node in enumerate(view.entries):
        is_dir = node.kind == "dir"
        if index == 0:
            href, shown = call.loc.href(is_dir), top or node
        else:
            href, shown = folder + quote(node.name, safe="") + "/" * is_dir, node
        yield props.response(
            href,
            shown,
            want,
            view.properties.get(node.id, []),
            view.locks.get(node.id, []),
            pod,
        )


async def _stream(pieces: Iterator[str]) -> AsyncIterator[bytes]:
    yield b'<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">'
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= ENTRIES_PER_PIECE:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</D:multistatus>").encode()


async def propfind(call: Call) -> Response:
    # no Depth header: one level, as Nextcloud (sabre/dav) answers it; clients such as
    # webdav4 send none and expect a listing, not the 403 an explicit infinity gets
    depth = call.depth("1", ("0", "1", "infinity"))
    if depth == "infinity":
        raise DavError(403, "Depth infinity is not served", "propfind-finite-depth")
    want = props.parse_propfind(await call.xml_body())
    names = None if want.names is None else set(want.names)
    if names is not None and checksums.CHECKSUMS in names:
        names.add(checksums.CHECKSUMS_OF)
    if want.only_names:
        names = None
    if call.loc.pod is None:
        root = NodeInfo("", "", "dir", 0, 0.0, 0.0, None, None, None)
        pieces = [props.response(call.loc.href(True), root, want, [], [], None)]
        if depth == "1":
            for scope, view in await _reachable(call, names):
                node = _top(scope, view)
                loc = Location(scope)
                pieces.append(
                    props.response(
                        loc.href(node.kind == "dir"),
                        node,
                        want,
                        view.properties.get(node.id, []),
                        view.locks.get(node.id, []),
                        scope,
                    )
                )
        return Response(xml.multistatus("".join(pieces)), 207, media_type=XML)
    view = await call.core.dav.view(call.actor, call.pod, call.loc.path, int(depth), names)
    top = _top(call.pod, view) if call.loc.is_pod_root else None
    return StreamingResponse(_stream(_pieces(call, view, want, top)), 207, media_type=XML)


async def get(call: Call, head: bool = False) -> Response:
    if call.loc.pod is None:
        scopes = await _reachable(call, set())
        return _listing("/dav/", [(Location(s).href(True), s) for s, _ in scopes], head)
    try:
        handle = await call.core.files.open(call.actor, call.pod, call.loc.path)
    except Invalid:  # a folder: a page listing it
        listing = await call.core.dav.view(call.actor, call.pod, call.loc.path, 1, set())
        entries = []
        for node in listing.entries[1:]:
            is_dir = node.kind == "dir"
            entries.append((call.loc.child(node.name).href(is_dir), node.name + "/" * is_dir))
        return _listing(call.loc.href(True), entries, head)
    if head:
        headers = download_headers(handle)
        headers["Content-Length"] = str(handle.size)
        return Response(status_code=200, headers=headers)
    return await serve(handle, call.request, call.core)


def _listing(title: str, entries: list[tuple[str, str]], head: bool) -> Response:
    items = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(name)}</a></li>' for href, name in entries
    )
    page = f"<!doctype html><title>{html.escape(title)}</title><ul>{items}</ul>"
    response = HTMLResponse(page, headers=SAFE_HEADERS)
    if head:
        return Response(status_code=200, headers=dict(response.headers))
    return response
