"""Sharing flows beyond the matrix: groups and group drives, pod share and fork, share
references, shared copies, public link options, inbox and outbox."""

from __future__ import annotations

import os
import uuid

import httpx

from tests.fixtures.server import Server


def public(server: Server, url: str) -> str:
    return f"{server.api_url}/public/{url.rsplit('/', 1)[1]}"


def test_group_drive_roles(server: Server) -> None:
    lead, viewer, editor = (server.new_user(n) for n in ("lead", "gview", "gedit"))
    group = f"g-{uuid.uuid4().hex[:8]}"
    assert lead.post("/groups", json={"name": group}).status_code == 201
    assert (
        lead.post(
            f"/groups/{group}/members", json={"user": viewer.name, "role": "viewer"}
        ).status_code
        == 201
    )
    assert (
        lead.post(
            f"/groups/{group}/members", json={"user": editor.name, "role": "editor"}
        ).status_code
        == 201
    )
    drive = lead.post(f"/groups/{group}/pods", json={"name": "drive"})
    assert drive.status_code == 201, drive.text
    ref = drive.json()["name"]
    assert ref == f"{group}:drive"
    assert editor.put(f"/pods/{ref}/files/plan.txt", content=b"the plan").status_code == 201
    assert viewer.get(f"/pods/{ref}/files/plan.txt").content == b"the plan"
    assert viewer.put(f"/pods/{ref}/files/nope.txt", content=b"x").status_code == 403
    assert ref in [p["name"] for p in viewer.get("/pods").json()["pods"]]
    # a member removed from the group loses the drive at once
    assert lead.delete(f"/groups/{group}/members/{viewer.name}").status_code == 204
    assert viewer.get(f"/pods/{ref}/files/plan.txt").status_code == 404
    # members cannot manage the group; the last owner cannot leave
    assert editor.post(f"/groups/{group}/members", json={"user": viewer.name}).status_code == 403
    assert lead.delete(f"/groups/{group}/members/{lead.name}").status_code == 409
    assert lead.delete(f"/groups/{group}").status_code == 204
    assert editor.get(f"/pods/{ref}/files/plan.txt").status_code == 404


def test_pod_share_is_read_only_and_fork_is_independent(server: Server) -> None:
    owner, friend = (
        server.new_user("ps-owner", pod="album"),
        server.new_user("ps-friend", pod="album"),
    )
    owner.put("/pods/album/files/a.jpg", content=b"\xff\xd8\xff" + os.urandom(200_000))
    assert owner.post("/pods/album/members", json={"user": friend.name}).status_code == 201
    pods = {p["name"]: p for p in friend.get("/pods").json()["pods"]}
    shared = f"album ({owner.name})"  # the friend has an "album" of their own
    assert pods[shared]["role"] == "viewer"
    original = owner.get("/pods/album/files/a.jpg").content
    assert friend.get(f"/pods/{shared}/files/a.jpg").content == original
    assert friend.put(f"/pods/{shared}/files/b.jpg", content=b"x").status_code == 403
    fork = friend.post(f"/pods/{shared}/fork", json={"name": "my-album"})
    assert fork.status_code == 201
    before = owner.get("/pods/album").json()["used_bytes"]
    owner.put("/pods/album/files/a.jpg", content=b"changed")
    assert friend.get("/pods/my-album/files/a.jpg").content == original
    assert friend.put("/pods/my-album/files/mine.txt", content=b"mine").status_code == 201
    assert owner.get("/pods/album/files/mine.txt").status_code == 404
    # leaving the shared pod
    assert friend.delete(f"/pods/{shared}/members/users/{friend.name}").status_code == 204
    assert friend.get(f"/pods/{shared}/files/a.jpg").status_code == 404
    assert before > 0


def test_share_reference_info_then_receive(server: Server) -> None:
    alice, bob = server.new_user("ref-a", pod="p"), server.new_user("ref-b", pod="inbox")
    data = os.urandom(300_000)
    alice.put("/pods/p/files/docs/report.bin", content=data)
    alice.put("/pods/p/files/docs/notes/n.txt", content=b"notes")
    made = alice.post("/pods/p/share-refs", json={"path": "docs"})
    assert made.status_code == 201
    ref = made.json()["ref"]
    info = bob.get(f"/share-refs/{ref}").json()
    assert (info["name"], info["type"], info["files"], info["sender"]) == (
        "docs",
        "dir",
        2,
        alice.name,
    )
    assert (
        bob.post(f"/share-refs/{ref}/receive", json={"pod": "inbox", "path": ""}).status_code == 201
    )
    assert bob.get("/pods/inbox/files/docs/report.bin").content == data
    assert bob.get("/pods/inbox/files/docs/notes/n.txt").content == b"notes"
    again = bob.post(f"/share-refs/{ref}/receive", json={"pod": "inbox", "path": ""})
    assert again.status_code == 409
    # the copy is independent: the original may go, the received data stays
    alice.delete("/pods/p/files/docs")
    alice.delete("/pods/p/trash")
    assert bob.get("/pods/inbox/files/docs/report.bin").content == data
    wrong = ref.split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert bob.get(f"/share-refs/{wrong}").status_code == 404


def test_reference_for_one_user_only(server: Server) -> None:
    alice, bob, eve = (server.new_user(n, pod="p") for n in ("only-a", "only-b", "only-e"))
    alice.put("/pods/p/files/f.txt", content=b"for bob")
    ref = alice.post("/pods/p/share-refs", json={"path": "f.txt", "user": bob.name}).json()["ref"]
    assert eve.get(f"/share-refs/{ref}").status_code == 404
    assert bob.post(f"/share-refs/{ref}/receive", json={"pod": "p", "path": ""}).status_code == 201
    assert bob.get("/pods/p/files/f.txt").content == b"for bob"


def test_share_a_copy_lands_in_the_inbox(server: Server) -> None:
    alice, bob = server.new_user("copy-a", pod="p"), server.new_user("copy-b", pod="home")
    alice.put("/pods/p/files/slides.pdf", content=b"%PDF-1.4 slides")
    sent = alice.post("/pods/p/share-copy", json={"path": "slides.pdf", "user": bob.name})
    assert sent.status_code == 201
    inbox = bob.get("/inbox").json()["offers"]
    assert [(o["name"], o["sender"], o["kind"]) for o in inbox] == [
        ("slides.pdf", alice.name, "copy")
    ]
    assert [o["name"] for o in alice.get("/outbox").json()["offers"]] == ["slides.pdf"]
    alice.put("/pods/p/files/slides.pdf", content=b"changed after sending")
    received = bob.post(f"/inbox/{inbox[0]['id']}/receive", json={"pod": "home", "path": ""})
    assert received.status_code == 201
    assert bob.get("/pods/home/files/slides.pdf").content == b"%PDF-1.4 slides"
    assert bob.get("/inbox").json()["offers"] == []
    assert (
        server.new_user("copy-e")
        .post(f"/inbox/{inbox[0]['id']}/receive", json={"pod": "x", "path": ""})
        .status_code
        == 404
    )


def test_link_password_expiry_limit_and_revocation(server: Server) -> None:
    owner = server.new_user("ln-owner", pod="p")
    owner.put("/pods/p/files/file.txt", content=b"public words")
    limited = owner.post("/pods/p/links", json={"path": "file.txt", "max_downloads": 2}).json()
    url = public(server, limited["url"])
    assert [httpx.get(url).status_code for _ in range(3)] == [200, 200, 404]
    guarded = owner.post("/pods/p/links", json={"path": "file.txt", "password": "letmein"}).json()
    url = public(server, guarded["url"])
    assert httpx.get(url).status_code == 401
    assert (
        httpx.get(url, headers={"X-Podstore-Link-Password": "letmein"}).content == b"public words"
    )
    codes = [
        httpx.get(url, headers={"X-Podstore-Link-Password": f"guess{n}"}).status_code
        for n in range(8)
    ]
    assert codes[0] == 401 and 429 in codes  # guessing is throttled
    assert "letmein" not in guarded["url"]
    plain = owner.post("/pods/p/links", json={"path": "file.txt"}).json()
    assert [link["id"] for link in owner.get("/links").json()["links"]].count(plain["id"]) == 1
    good = public(server, plain["url"])
    tampered = good[:-1] + ("B" if good.endswith("A") else "A")  # a wrong secret, same id
    assert httpx.get(tampered).status_code == 404
    assert httpx.get(good).content == b"public words"
    assert owner.delete(f"/links/{plain['id']}").status_code == 204
    assert httpx.get(good).status_code == 404


def test_folder_link_lists_and_serves_subpaths(server: Server) -> None:
    owner = server.new_user("fl-owner", pod="p")
    owner.put("/pods/p/files/site/index.html", content=b"<h1>hi</h1>")
    owner.put("/pods/p/files/site/img/logo.png", content=b"\x89PNG\r\n\x1a\nxx")
    owner.put("/pods/p/files/secret.txt", content=b"not linked")
    url = public(server, owner.post("/pods/p/links", json={"path": "site"}).json()["url"])
    names = [e["name"] for e in httpx.get(url).json()["entries"]]
    assert names == ["img", "index.html"]
    assert httpx.get(url + "/img/logo.png").headers["content-type"] == "image/png"
    assert httpx.get(url + "/img").json()["entries"][0]["name"] == "logo.png"
    for escape in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
        assert httpx.get(url + escape).status_code in (400, 404), escape
    assert httpx.put(url + "/new.txt", content=b"x").status_code == 403


def test_upload_only_drop_box(server: Server) -> None:
    owner = server.new_user("drop-owner", pod="p")
    owner.post("/pods/p/mkdir/dropbox")
    owner.put("/pods/p/files/dropbox/existing.txt", content=b"theirs")
    url = public(
        server,
        owner.post("/pods/p/links", json={"path": "dropbox", "upload_only": True}).json()["url"],
    )
    assert httpx.put(url + "/homework.pdf", content=b"%PDF my homework").status_code == 201
    assert httpx.post(url, files={"f": ("second.txt", b"two")}).status_code == 201
    assert httpx.get(url).status_code == 403
    assert httpx.get(url + "/existing.txt").status_code == 403
    assert httpx.put(url + "/existing.txt", content=b"overwrite").status_code == 409
    assert owner.get("/pods/p/files/dropbox/existing.txt").content == b"theirs"
    assert owner.get("/pods/p/files/dropbox/homework.pdf").content == b"%PDF my homework"
    assert owner.get("/pods/p/files/dropbox/second.txt").content == b"two"


def test_grant_to_a_group_and_by_node_id(server: Server) -> None:
    owner, member = server.new_user("gg-owner", pod="p"), server.new_user("gg-member")
    group = f"gg-{uuid.uuid4().hex[:8]}"
    owner.post("/groups", json={"name": group})
    owner.post(f"/groups/{group}/members", json={"user": member.name, "role": "viewer"})
    owner.put("/pods/p/files/team/doc.md", content=b"# team")
    grant = owner.post("/pods/p/shares", json={"path": "team", "group": group, "level": "write"})
    assert grant.status_code == 201
    folder = grant.json()["node_id"]
    incoming = member.get("/shares/incoming").json()["shares"]
    assert [(s["name"], s["level"]) for s in incoming] == [("team", "write")]
    children = member.get(f"/nodes/{folder}/children").json()["entries"]
    assert [c["name"] for c in children] == ["doc.md"]
    doc = children[0]["id"]
    assert member.get(f"/nodes/{doc}").json()["name"] == "doc.md"
    assert member.put(f"/nodes/{doc}/content", content=b"# team v2").status_code == 200
    assert member.put(f"/nodes/{folder}/children/new.md", content=b"new").status_code == 201
    assert owner.get("/pods/p/files/team/doc.md").content == b"# team v2"
    assert owner.get("/pods/p/files/team/new.md").content == b"new"
    outgoing = owner.get("/shares/outgoing").json()["shares"]
    assert [(s["group"], s["name"]) for s in outgoing] == [(group, "team")]


def test_a_single_shared_file_is_read_and_rewritten_in_place(server: Server) -> None:
    owner, editor = server.new_user("sf-owner", pod="p"), server.new_user("sf-editor")
    owner.put("/pods/p/files/docs/plan.txt", content=b"v1")
    owner.put("/pods/p/files/docs/other.txt", content=b"not shared")
    grant = owner.post(
        "/pods/p/shares", json={"path": "docs/plan.txt", "user": editor.name, "level": "write"}
    ).json()
    scope, node = grant["pod"], grant["node_id"]
    assert editor.get(f"/pods/{scope}/files/").content == b"v1"
    assert editor.get(f"/nodes/{node}/content").content == b"v1"
    assert editor.put(f"/nodes/{node}/content", content=b"v2").status_code == 200
    assert owner.get("/pods/p/files/docs/plan.txt").content == b"v2"
    assert [
        v["number"] for v in owner.get("/pods/p/versions/docs/plan.txt").json()["versions"]
    ] == [2, 1]
    # the file's folder and its siblings stay out of reach
    assert editor.get(f"/pods/{scope}/files/other.txt").status_code in (400, 404)
    assert editor.get(f"/pods/{scope}/list").status_code == 400
    assert editor.delete(f"/nodes/{node}").status_code in (400, 403)
    assert owner.get("/pods/p/files/docs/plan.txt").content == b"v2"
