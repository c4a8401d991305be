"""PUT, DELETE, MKCOL, COPY, MOVE and PROPPATCH: each checks the If header, then the locks
in the way (in the core), then writes through the same core calls as every front end."""

from __future__ import annotations

import contextlib
from email.utils import parsedate_to_datetime

from starlette.responses import Response

from podstore.core.errors import Conflict, Invalid, NotFound, PreconditionFailed
from podstore.core.records import Preconditions
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.downloads import etags
from podstore.frontends.webdav import checksums, props, xml
from podstore.frontends.webdav.call import Call
from podstore.frontends.webdav.errors import XML, DavError
from podstore.frontends.webdav.paths import Location

GENERIC_TYPES = ("", "application/octet-stream")
WIN32_MTIME = ("urn:schemas-microsoft-com:", "Win32LastModifiedTime")


def _created(existed: bool, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=204 if existed else 201, headers=headers)


async def put(call: Call) -> Response:
    pod, path = call.pod, call.loc.path
    if call.loc.is_pod_root:
        raise DavError(405, "a pod's root is a folder")
    await call.check_if()
    existing = await call.core.dav.check_write(call.actor, pod, path, call.tokens)
    if existing is not None and existing.kind == "dir":
        raise DavError(405, "that is a folder")
    headers = call.request.headers
    length = headers.get("content-length")
    kind = headers.get("content-type", "").split(";")[0].strip()
    wanted = checksums.declared(headers.get("oc-checksum"))
    verifier = checksums.Verifier(wanted) if wanted else None
    body = body_of(call.request)
    written = await call.core.files.upload(
        call.actor,
        pod,
        path,
        verifier.verified(body) if verifier else body,
        content_type=kind[:255] if kind not in GENERIC_TYPES else None,
        conditions=Preconditions(
            etags(headers.get("if-match")), etags(headers.get("if-none-match"))
        ),
        size_hint=int(length) if length and length.isdigit() else None,
    )
    version = written.node.version_id
    answer = {"ETag": f'"{version}"'}
    if verifier and version:
        keep = verifier.properties(version)
        await call.core.dav.set_properties(call.actor, pod, path, keep, call.tokens)
    mtime = headers.get("x-oc-mtime")
    if mtime is not None:  # ownCloud clients (rclone's owncloud vendor) keep their mtime
        try:
            await call.core.dav.set_modified(call.actor, pod, path, float(mtime))
            answer["X-OC-Mtime"] = "accepted"
        except (ValueError, Invalid):
            pass
    return _created(not written.new_file, answer)


async def mkcol(call: Call) -> Response:
    if await call.request.body():
        raise DavError(415, "MKCOL takes no body")
    if call.loc.is_pod_root:  # a folder at the top level is a new pod
        try:
            await call.core.pods.create(call.actor, call.pod)
        except Conflict:
            raise DavError(405, "you have a pod of that name already") from None
        return Response(status_code=201)
    await call.check_if()
    existing = await call.core.dav.check_write(
        call.actor, call.pod, call.loc.path, call.tokens, members_change=True
    )
    if existing is not None:
        raise DavError(405, "something of that name exists already")
    await call.core.tree.mkdir(call.actor, call.pod, call.loc.path)
    return Response(status_code=201)


async def delete(call: Call) -> Response:
    call.depth("infinity", ("infinity",))
    if call.loc.is_pod_root:
        raise DavError(403, "a pod is deleted in the native API, not over WebDAV")
    await call.check_if()
    await _remove(call, call.loc)
    return Response(status_code=204)


async def _remove(call: Call, loc: Location) -> bool:
    """Move what is at `loc` to the trash (its locks dropped); whether anything was there."""
    assert loc.pod is not None
    node = await call.core.dav.check_write(
        call.actor, loc.pod, loc.path, call.tokens, members_change=True, subtree=True
    )
    if node is None:
        raise NotFound(f"nothing at {loc.path}")
    await call.core.tree.delete(call.actor, loc.pod, loc.path)
    await call.core.dav.forget_locks(call.actor, loc.pod, node.id)
    return True


async def copy_or_move(call: Call) -> Response:
    moving = call.request.method == "MOVE"
    depth = call.depth("infinity", ("infinity",) if moving else ("0", "infinity"))
    source, target = call.loc, call.destination()
    if source.pod is None or target.pod is None or source.is_pod_root or target.is_pod_root:
        raise DavError(403, "pods themselves are not copied or moved over WebDAV")
    if target.pod != source.pod:
        raise DavError(403, "copies and moves stay inside one pod")
    if source.parts == target.parts:
        raise DavError(403, "the source and the destination are the same")
    await call.check_if()
    pod = source.pod
    if moving:
        node = await call.core.dav.check_write(
            call.actor, pod, source.path, call.tokens, members_change=True, subtree=True
        )
    else:  # a copy only reads its source: the source's locks do not stand in its way
        node = (await call.core.dav.target(call.actor, pod, source.path)).node
    if node is None:
        raise NotFound(f"nothing at {source.path}")
    existing = await call.core.dav.check_write(
        call.actor, pod, target.path, call.tokens, members_change=True, subtree=True
    )
    if existing is not None:
        if not call.overwrite():
            raise PreconditionFailed("the destination exists and Overwrite is F")
        if target.parts[: len(source.parts)] == source.parts:
            raise Conflict("the destination is inside the source")
        await _remove(call, target)
    if moving:
        moved = await call.core.tree.move(call.actor, pod, source.path, target.path)
        await call.core.dav.forget_locks(call.actor, pod, moved.id)
    elif node.kind == "dir" and depth == "0":
        await call.core.tree.mkdir(call.actor, pod, target.path)
        await call.core.dav.copy_properties(call.actor, pod, source.path, target.path)
    else:
        await call.core.tree.copy(call.actor, pod, source.path, target.path)
        await call.core.dav.copy_properties(call.actor, pod, source.path, target.path)
    return _created(existing is not None)


async def proppatch(call: Call) -> Response:
    root = xml.parse(await call.xml_body())
    changes = props.proppatch_changes(root)
    await call.check_if()
    href = call.loc.href(False)
    for namespace, _, _ in changes:
        checksums.check_settable(namespace)
    protected = [c for c in changes if (c[0], c[1]) in props.LIVE]
    if protected:
        body = props.propstat(
            [props.element(ns, n, "") for ns, n, _ in protected], "403 Forbidden"
        ) + props.propstat(
            [props.element(ns, n, "") for ns, n, _ in changes if (ns, n) not in props.LIVE],
            "424 Failed Dependency",
        )
        return _multistatus(href, body)
    await call.core.dav.set_properties(call.actor, call.pod, call.loc.path, changes, call.tokens)
    for namespace, name, value in changes:  # Windows sets its file times this way
        if (namespace, name) == WIN32_MTIME and value:
            with contextlib.suppress(TypeError, ValueError, Invalid):
                mtime = parsedate_to_datetime(value.strip()).timestamp()
                await call.core.dav.set_modified(call.actor, call.pod, call.loc.path, mtime)
    info = await call.core.tree.stat(call.actor, call.pod, call.loc.path)
    href = call.loc.href(info.kind == "dir")
    return _multistatus(
        href, props.propstat([props.element(ns, n, "") for ns, n, _ in changes], "200 OK")
    )


def _multistatus(href: str, inner: str) -> Response:
    body = xml.multistatus(f"<D:response>{xml.href(href)}{inner}</D:response>")
    return Response(body, 207, media_type=XML)
