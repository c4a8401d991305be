"""The two-step upload (`POST /upload/<token>`, multipart `file`, streamed into the core)
and downloads by `fileaccesskey` (`GET /resources/auth/download/<key>/<uuid>/<revision>/…`)."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from podstore.core.errors import CoreError, Invalid, NotFound
from podstore.core.records import FileWritten
from podstore.frontends.dialects.fileago.errors import answer
from podstore.frontends.dialects.fileago.places import child, uuid_of
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.deps import CoreDep
from podstore.frontends.http.downloads import serve
from podstore.frontends.http.multipart import stream_parts

router = APIRouter()
LATEST = "999999999999999"


@router.post("/upload/{token}")
async def upload(token: str, request: Request, core: CoreDep) -> Any:
    try:
        actor, node_id = await core.accounts.redeem_upload_key(token)
        scope, path = await core.sharing.locate(actor, node_id)
        kind = (await core.sharing.node_info(actor, scope, path)).node.kind
    except CoreError as exc:  # refused before the body is read: close rather than read it
        refused = answer(exc)
        refused.headers["Connection"] = "close"
        return refused

    async def store(_field: str, filename: str | None, data: AsyncIterable[bytes]) -> FileWritten:
        into = child(path, filename or "") if kind == "dir" else path
        return await core.files.upload(actor, scope, into, data)

    content_type = request.headers.get("content-type", "")
    _, stored = await stream_parts(body_of(request), content_type, store)
    if not stored:
        raise Invalid("the form has no file: send it as the multipart field 'file'")
    return {"status": "success", "msg": "File(s) uploaded successfully"}


@router.get("/resources/auth/download/{key}/{node_id}/{revision}/{filename:path}")
async def download(
    key: str, node_id: str, revision: str, filename: str, request: Request, core: CoreDep
) -> Response:
    actor = await core.accounts.authenticate(key, "download")
    scope, path = await core.sharing.locate(actor, uuid_of(node_id))
    version_id = None
    if revision != LATEST:
        if not revision.isdigit():
            raise Invalid(f"the revision is a number, or {LATEST} for the latest")
        found = [
            v for v in await core.files.versions(actor, scope, path) if v.number == int(revision)
        ]
        if not found:
            raise NotFound(f"this file has no revision {revision}")
        version_id = found[0].id
    handle = await core.files.open(actor, scope, path, version_id)
    response = await serve(handle, request, core)
    name = quote(handle.node.name, safe="")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
