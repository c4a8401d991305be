"""File sharing references: share (to a user by address or name), receiveinfo, receive. A
reference is a podstore share reference: a snapshot of the file, redeemable only by the user
it names, received into a folder of theirs without copying data."""

from __future__ import annotations

import math

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, NotFound
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.dirs import BLOCK_SIZE
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.files import NO_FILE, file_path
from podstore.frontends.dialects.fairos.pods import open_pod


async def _recipient(call: Call) -> str:
    who = call.get("destUser", "to")
    name = await call.core.accounts.name_at(who) if who.startswith("0x") else who
    if not name or not await call.core.accounts.present(name):
        raise FairError(400, "invalid user")
    return name


async def share(call: Call) -> Response:
    pod, path = await open_pod(call), file_path(call)
    node = await call.core.tree.stat(await call.actor(), pod, path)
    if node.kind != "file":
        raise FairError(404, NO_FILE)
    made = await call.core.offers.create_ref(
        await call.actor(), pod, path, user=await _recipient(call)
    )
    key = ("fileSharingReference", "file_sharing_reference", made.ref)
    return respond(call.generation.shape(key))


def _ref(call: Call) -> str:
    return call.get("sharingRef", "ref")


async def receive_info(call: Call) -> Response:
    actor = await call.actor()
    try:
        offer = await call.core.offers.info(actor, _ref(call))
    except NotFound:
        raise FairError(404, "invalid sharing reference") from None
    source = await call.core.accounts.address_of_name(offer.sender or "") or ""
    destination = await call.core.accounts.address(actor.user_id) or ""
    return respond(
        call.generation.shape(
            ("name", "name", offer.name),
            ("size", "size", str(offer.size)),
            ("blockSize", "block_size", str(BLOCK_SIZE)),
            ("numberOfBlocks", "number_of_blocks", str(math.ceil(offer.size / BLOCK_SIZE))),
            ("contentType", "content_type", ""),
            ("compression", "compression", ""),
            ("sourceAddress", "source_address", source),
            ("destAddress", "dest_address", destination),
            ("sharedTime", "shared_time", str(int(offer.created_at))),
        )
    )


async def receive(call: Call) -> Response:
    pod, ref = await open_pod(call), _ref(call)
    folder = call.get("dirPath", "dir")
    try:
        node = await call.core.offers.receive(await call.actor(), pod, folder, ref=ref)
    except Conflict:
        raise FairError(400, "file already present in the destination dir") from None
    name = folder.rstrip("/") + "/" + node.name
    return respond(call.generation.shape(("fileName", "file_name", name)))


def routes() -> list[Route]:
    return [
        Route("/v1/file/share", endpoint("file share", share), methods=["POST"]),
        Route(
            "/v1/file/receiveinfo",
            endpoint("receive info", receive_info, "none"),
            methods=["GET"],
        ),
        Route("/v1/file/receive", endpoint("receive", receive, "none"), methods=["GET"]),
        Route("/v0/file/share", endpoint("file share", share, "form"), methods=["POST"]),
        Route(
            "/v0/file/share/receiveinfo",
            endpoint("receive info", receive_info, "form"),
            methods=["POST"],
        ),
        Route("/v0/file/share/receive", endpoint("receive", receive, "form"), methods=["POST"]),
    ]
