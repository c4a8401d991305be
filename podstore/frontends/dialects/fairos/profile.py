"""v0 user profile: avatar (a GIF, JPEG or PNG of at most 128x128, kept as a data: URI),
name (four parts; the display name is their join), contact (phones and a postal address),
and the sharing inbox and outbox (the core's share references and copies)."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image, UnidentifiedImageError
from starlette.responses import Response
from starlette.routing import Route

from podstore.core.records import OfferInfo
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError

AVATAR_SIDE = 128
MAX_AVATAR = 48 * 1024  # its data: URI stays within the core's 64 KiB for a profile field
IMAGE_TYPES = {"GIF": "image/gif", "JPEG": "image/jpeg", "PNG": "image/png"}
NAME_PARTS = ("first_name", "middle_name", "last_name", "surname")
ADDRESS_PARTS = ("address_line_1", "address_line_2", "state_province_region", "zipcode")
ADDRESS_KEYS = ("address_line_1", "address_line_2", "state/Province/Region", "zip_code")


def _ok() -> Response:
    return respond({"message": "OK", "code": 200})  # jsonhttp.OK(w, nil)


async def _profile(call: Call) -> dict[str, str]:
    return (await call.core.accounts.me(await call.actor())).profile


async def save_avatar(call: Call) -> Response:
    await call.actor()
    data = await call.form_file(MAX_AVATAR)
    if not data:
        raise FairError(400, 'parameter "avatar" missing')
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise FairError(400, "image: unknown format") from None
    if kind not in IMAGE_TYPES:
        raise FairError(400, "image: unknown format")
    if width > AVATAR_SIDE or height > AVATAR_SIDE:
        raise FairError(400, "size should be less than 128x128")
    uri = f"data:{IMAGE_TYPES[kind]};base64," + base64.b64encode(data).decode()
    await call.core.accounts.update_profile(await call.actor(), {"avatar": uri})
    return _ok()


async def get_avatar(call: Call) -> Response:
    uri = (await _profile(call)).get("avatar", "")
    head, _, encoded = uri.partition(";base64,")
    if not head.startswith("data:") or not encoded:
        raise FairError(404, "no avatar")
    return Response(base64.b64decode(encoded), media_type=head.removeprefix("data:"))


async def save_name(call: Call) -> Response:
    actor = await call.actor()
    changes = {part: str(call.raw(part)) for part in NAME_PARTS if call.raw(part)}
    parts = {**await _profile(call), **changes}
    shown = " ".join(parts[p] for p in NAME_PARTS if parts.get(p))
    await call.core.accounts.update_profile(actor, {**changes, "display_name": shown or None})
    return _ok()


async def get_name(call: Call) -> Response:
    profile = await _profile(call)
    name = {part: profile.get(part, "") for part in NAME_PARTS}
    if not any(name.values()):  # a name given elsewhere (the native API) is one string
        name["first_name"] = profile.get("display_name", "")
    return respond(name)


async def save_contact(call: Call) -> Response:
    phone, mobile = call.get("phone", default=""), call.get("mobile", default="")
    address = [call.get(part, default="") for part in ADDRESS_PARTS]
    if address[0]:
        for part, value in zip(ADDRESS_PARTS[1:], address[1:], strict=True):
            if not value:
                raise FairError(400, f'"{part}" argument missing')
    if not (phone or mobile or address[0]):
        raise FairError(400, "one of the contact information should be given")
    if any("\n" in value for value in address):
        raise FairError(400, "an address line is one line")
    changes = {"phone": phone or None, "mobile": mobile or None}
    changes = {k: v for k, v in changes.items() if v}
    if address[0]:
        changes["address"] = "\n".join(address)
    await call.core.accounts.update_profile(await call.actor(), changes)
    return _ok()


async def get_contact(call: Call) -> Response:
    profile = await _profile(call)
    lines = (profile.get("address", "").split("\n") + [""] * 4)[:4]
    return respond(
        {
            "phone_number": profile.get("phone", ""),
            "mobile": profile.get("mobile", ""),
            "address": dict(zip(ADDRESS_KEYS, lines, strict=True)),
        }
    )


async def _entry(call: Call, offer: OfferInfo) -> dict[str, Any]:
    source = await call.core.accounts.address_of_name(offer.sender or "") or ""
    return {
        "id": offer.id,
        "name": offer.name,
        "kind": offer.node_kind,
        "size": str(offer.size),
        "source_user": offer.sender or "",
        "source_address": source,
        "shared_time": str(int(offer.created_at)),
    }


async def inbox(call: Call) -> Response:
    offers = await call.core.offers.inbox(await call.actor())
    return respond({"entries": [await _entry(call, o) for o in offers]})


async def outbox(call: Call) -> Response:
    offers = await call.core.offers.outbox(await call.actor())
    return respond({"entries": [await _entry(call, o) for o in offers]})


def routes() -> list[Route]:
    base = "/v0/user"
    return [
        Route(f"{base}/avatar", endpoint("user avatar", save_avatar, "none"), methods=["POST"]),
        Route(f"{base}/avatar", endpoint("user get avatar", get_avatar, "none"), methods=["GET"]),
        Route(f"{base}/name", endpoint("user save name", save_name, "form"), methods=["POST"]),
        Route(f"{base}/name", endpoint("user get name", get_name, "none"), methods=["GET"]),
        Route(
            f"{base}/contact",
            endpoint("user save contact", save_contact, "form"),
            methods=["POST"],
        ),
        Route(
            f"{base}/contact", endpoint("user get contact", get_contact, "none"), methods=["GET"]
        ),
        Route(
            f"{base}/share/inbox", endpoint("user get share inbox", inbox, "none"), methods=["GET"]
        ),
        Route(
            f"{base}/share/outbox",
            endpoint("user get share outbox", outbox, "none"),
            methods=["GET"],
        ),
    ]
