"""The v0 profile lines of the seed document: avatar, name, contact (saved as forms, read
back), and the share inbox and outbox; the name is the display name the native API shows."""

from __future__ import annotations

import io
import uuid

import httpx
from PIL import Image

from tests.fixtures.server import PASSWORD
from tests.frontends.dialects.fairos.conftest import FairosServer

OK = {"message": "OK", "code": 200}


def _png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def _v0_user(fairos: FairosServer) -> tuple[httpx.Client, str]:
    web = httpx.Client(base_url=fairos.url, timeout=60)
    name = f"f{uuid.uuid4().hex[:10]}"
    assert web.post("/v0/user/signup", data={"user": name, "password": PASSWORD}).is_success
    return web, name


def test_avatar_name_and_contact(fairos: FairosServer) -> None:
    web, _ = _v0_user(fairos)
    try:
        assert web.get("/v0/user/avatar").status_code == 404
        small = _png(64)
        assert web.post("/v0/user/avatar", files={"avatar": ("a.png", small)}).json() == OK
        got = web.get("/v0/user/avatar")
        assert got.content == small and got.headers["content-type"] == "image/png"
        big = web.post("/v0/user/avatar", files={"avatar": ("b.png", _png(129))})
        assert big.json()["message"] == "user avatar: size should be less than 128x128"
        junk = web.post("/v0/user/avatar", files={"avatar": ("c.png", b"not an image")})
        assert junk.status_code == 400

        parts = {"first_name": "Ada", "middle_name": "King", "last_name": "Lovelace"}
        assert web.post("/v0/user/name", data=parts).json() == OK
        assert web.post("/v0/user/name", data={"surname": "Byron"}).json() == OK
        assert web.get("/v0/user/name").json() == {**parts, "surname": "Byron"}
        token = web.cookies["fairOS-dfs"]
        me = httpx.get(
            f"{fairos.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert me["profile"]["display_name"] == "Ada King Lovelace Byron"

        none = web.post("/v0/user/contact", data={})
        assert none.json()["message"] == (
            "user save contact: one of the contact information should be given"
        )
        half = web.post("/v0/user/contact", data={"address_line_1": "1 Road"})
        assert half.json()["message"] == 'user save contact: "address_line_2" argument missing'
        address = {
            "address_line_1": "1 Road",
            "address_line_2": "Flat 2",
            "state_province_region": "Kent",
            "zipcode": "CT1",
        }
        assert web.post("/v0/user/contact", data={"phone": "123", **address}).json() == OK
        assert web.post("/v0/user/contact", data={"mobile": "456"}).json() == OK
        assert web.get("/v0/user/contact").json() == {
            "phone_number": "123",
            "mobile": "456",
            "address": {
                "address_line_1": "1 Road",
                "address_line_2": "Flat 2",
                "state/Province/Region": "Kent",
                "zip_code": "CT1",
            },
        }
    finally:
        web.close()


def test_share_inbox_and_outbox(fairos: FairosServer) -> None:
    sender, _ = _v0_user(fairos)
    receiver, receiver_name = _v0_user(fairos)
    try:
        sender.post("/v0/pod/new", data={"pod": "p", "password": PASSWORD})
        sender.post(
            "/v0/file/upload",
            data={"pod_dir": "/", "block_size": "1"},
            files={"files": ("a.txt", b"hello")},
        )
        shared = sender.post("/v0/file/share", data={"file": "/a.txt", "to": receiver_name})
        assert shared.status_code == 200, shared.text
        sent = sender.get("/v0/user/share/outbox").json()["entries"]
        assert [(e["name"], e["size"]) for e in sent] == [("a.txt", "5")]
        received = receiver.get("/v0/user/share/inbox").json()["entries"]
        assert [e["name"] for e in received] == ["a.txt"]
        assert received[0]["source_address"].startswith("0x")
        assert receiver.get("/v0/user/share/outbox").json() == {"entries": []}
    finally:
        sender.close()
        receiver.close()
