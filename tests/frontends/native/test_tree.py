"""The tree over HTTP: mkdir, listing and pagination, stat, move, copy, trash, favourites."""

from __future__ import annotations

import json
from urllib.parse import quote

from tests.fixtures.server import Server, User


def names(user: User, path: str = "", **params: object) -> list[str]:
    listing = user.get(f"/pods/home/list/{path}", params=params)
    assert listing.status_code == 200, listing.text
    return [e["name"] for e in listing.json()["entries"]]


def test_mkdir_with_and_without_parents(user: User) -> None:
    assert user.post("/pods/home/mkdir/a/b/c").status_code == 404
    made = user.post("/pods/home/mkdir/a/b/c", params={"parents": True})
    assert made.status_code == 201
    assert made.json()["type"] == "dir"
    assert user.post("/pods/home/mkdir/a").status_code == 409
    assert names(user) == ["a"]
    assert names(user, "a/b") == ["c"]


def test_listing_pages_are_stable_and_complete(user: User) -> None:
    expected = sorted(f"f{n:03d}.txt" for n in range(57))
    for name in expected:
        user.put(f"/pods/home/files/many/{name}", content=name.encode())
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = user.get("/pods/home/list/many", params=params).json()
        seen += [e["name"] for e in page["entries"]]
        pages += 1
        cursor = page["next"]
        if not cursor:
            break
    assert seen == expected
    assert pages == 6
    by_size = names(user, "many", sort="size", order="desc", limit=1000)
    assert len(by_size) == 57
    assert user.get("/pods/home/list/many", params={"cursor": "garbage!"}).status_code == 400


def test_every_sort_and_order_pages_as_one_listing(user: User) -> None:
    user.post("/pods/home/mkdir/sorts/sub", params={"parents": True})
    for n in range(13):  # sizes tie in threes, so the name breaks ties across page ends
        user.put(f"/pods/home/files/sorts/f{n:02d}.txt", content=b"x" * (n // 3))
    for sort in ("name", "size", "modified", "type"):
        for order in ("asc", "desc"):
            whole = names(user, "sorts", sort=sort, order=order, limit=100)
            assert sorted(whole) == sorted([*(f"f{n:02d}.txt" for n in range(13)), "sub"])
            paged, cursor = [], None
            for _ in range(20):
                params = {"sort": sort, "order": order, "limit": 4}
                page = user.get("/pods/home/list/sorts", params={**params, "cursor": cursor})
                assert page.status_code == 200, page.text
                paged += [e["name"] for e in page.json()["entries"]]
                cursor = page.json()["next"]
                if not cursor:
                    break
            assert paged == whole, (sort, order)
    by_size = names(user, "sorts", sort="size", order="desc")
    assert by_size[:3] == ["f12.txt", "f11.txt", "f10.txt"]


def test_listing_entries_have_the_documented_shape(user: User) -> None:
    user.put("/pods/home/files/shape/x.txt", content=b"12345")
    entry = user.get("/pods/home/list/shape").json()["entries"][0]
    assert {"name", "type", "size", "modified", "id"} <= set(entry)
    assert (entry["name"], entry["type"], entry["size"]) == ("x.txt", "file", 5)
    assert entry["created"] == entry["modified"]  # made once, never changed


def test_listed_entries_are_what_stat_shows(user: User) -> None:
    """The listing (rendered by the database) and stat (shaped in Python) agree on every
    field, for names JSON must escape and for folders, files, stars and overwrites."""
    names = ['q"uote', "back\\slash", "emoji 😀", "line\u2028sep", "plain.txt"]
    for name in names:
        user.put(f"/pods/home/files/odd/{quote(name)}", content=name.encode())
    user.put("/pods/home/files/odd/plain.txt", content=b"again")  # created != modified
    user.post("/pods/home/mkdir/odd/folder")
    user.put(f"/pods/home/star/odd/{quote(names[0])}")
    listing = user.get("/pods/home/list/odd", params={"limit": 3})
    assert listing.headers["content-type"] == "application/json"
    entries, cursor = listing.json()["entries"], listing.json()["next"]
    while cursor:
        page = user.get("/pods/home/list/odd", params={"limit": 3, "cursor": cursor}).json()
        entries, cursor = entries + page["entries"], page["next"]
    assert sorted(e["name"] for e in entries) == sorted([*names, "folder"])
    for entry in entries:
        stat = user.get(f"/pods/home/stat/odd/{quote(entry['name'])}").json()
        del stat["path"], stat["pod"]
        assert json.dumps(entry) == json.dumps(stat)  # same keys, order, values and types
    assert [e["starred"] for e in entries if e["name"] == names[0]] == [True]


def test_an_overwrite_moves_modified_and_keeps_created(user: User) -> None:
    user.put("/pods/home/files/stamps/x.txt", content=b"one")
    first = user.get("/pods/home/list/stamps").json()["entries"][0]
    user.put("/pods/home/files/stamps/x.txt", content=b"two")
    second = user.get("/pods/home/list/stamps").json()["entries"][0]
    assert second["created"] == first["created"]
    assert second["modified"] > first["modified"]  # ISO 8601 UTC sorts as text


def test_move_keeps_the_id_and_rename_works(user: User) -> None:
    node_id = user.put("/pods/home/files/src/doc.txt", content=b"doc").json()["id"]
    user.post("/pods/home/mkdir/dst")
    moved = user.post("/pods/home/move", json={"from": "src/doc.txt", "to": "dst/renamed.txt"})
    assert moved.status_code == 200
    assert moved.json()["id"] == node_id
    assert user.get("/pods/home/stat/dst/renamed.txt").json()["id"] == node_id
    assert user.get("/pods/home/files/src/doc.txt").status_code == 404
    assert user.get("/pods/home/files/dst/renamed.txt").content == b"doc"


def test_move_refuses_cycles_and_overwrites(user: User) -> None:
    user.post("/pods/home/mkdir/p/q", params={"parents": True})
    user.put("/pods/home/files/other.txt", content=b"o")
    user.put("/pods/home/files/p/file.txt", content=b"f")
    assert user.post("/pods/home/move", json={"from": "p", "to": "p/q/p"}).status_code == 409
    assert (
        user.post("/pods/home/move", json={"from": "other.txt", "to": "p/file.txt"}).status_code
        == 409
    )
    assert user.post("/pods/home/move", json={"from": "", "to": "x"}).status_code == 400
    assert user.get("/pods/home/files/p/file.txt").content == b"f"


def test_copy_is_independent_of_the_original(user: User) -> None:
    user.put("/pods/home/files/orig/a.txt", content=b"A")
    user.put("/pods/home/files/orig/sub/b.txt", content=b"B")
    copied = user.post("/pods/home/copy", json={"from": "orig", "to": "copy"})
    assert copied.status_code == 201
    user.put("/pods/home/files/orig/a.txt", content=b"changed")
    assert user.get("/pods/home/files/copy/a.txt").content == b"A"
    assert user.get("/pods/home/files/copy/sub/b.txt").content == b"B"
    assert copied.json()["id"] != user.get("/pods/home/stat/orig").json()["id"]


def test_trash_restore_and_purge(user: User) -> None:
    user.put("/pods/home/files/t/keep.txt", content=b"keep")
    node_id = user.get("/pods/home/stat/t/keep.txt").json()["id"]
    assert user.delete("/pods/home/files/t/keep.txt").status_code == 200
    assert user.get("/pods/home/files/t/keep.txt").status_code == 404
    trash = user.get("/pods/home/trash").json()["entries"]
    assert [(e["id"], e["original_path"]) for e in trash] == [(node_id, "/t/keep.txt")]
    # a new file takes the name; restoring does not overwrite it
    user.put("/pods/home/files/t/keep.txt", content=b"newer")
    restored = user.post(f"/pods/home/trash/{node_id}/restore")
    assert restored.status_code == 200
    assert restored.json()["path"] == "/t/keep (restored).txt"
    assert user.get("/pods/home/files/t/keep (restored).txt").content == b"keep"
    assert user.get("/pods/home/files/t/keep.txt").content == b"newer"
    user.delete("/pods/home/files/t")
    assert user.delete(f"/pods/home/trash/{node_id}").status_code == 404  # it is inside t, not top
    purged = user.delete("/pods/home/trash")
    assert purged.json()["purged"] == 1
    assert user.get("/pods/home/trash").json()["entries"] == []
    assert user.get("/pods/home").json()["used_bytes"] == 0


def test_restore_goes_to_the_root_when_the_folder_is_gone(user: User) -> None:
    user.put("/pods/home/files/gone/f.txt", content=b"f")
    file_id = user.get("/pods/home/stat/gone/f.txt").json()["id"]
    user.delete("/pods/home/files/gone/f.txt")
    user.delete("/pods/home/files/gone")
    restored = user.post(f"/pods/home/trash/{file_id}/restore").json()
    assert restored["path"] == "/f.txt"


def test_favourites(user: User) -> None:
    user.put("/pods/home/files/fav.txt", content=b"*")
    assert user.put("/pods/home/star/fav.txt").json()["starred"] is True
    starred = user.get("/starred").json()["entries"]
    assert [(e["pod"], e["path"]) for e in starred] == [("home", "/fav.txt")]
    assert user.get("/pods/home/list").json()["entries"][0]["starred"] is True
    user.delete("/pods/home/star/fav.txt")
    assert user.get("/starred").json()["entries"] == []


def test_copy_into_its_own_subtree_is_refused_at_once(user: User) -> None:
    assert user.post("/pods/home/mkdir/loop/inner", params={"parents": True}).status_code == 201
    user.put("/pods/home/files/loop/inner/f.txt", content=b"x")
    # before the fix this request never returned and held the writer for every user
    refused = user.post(
        "/pods/home/copy", json={"from": "loop", "to": "loop/inner/again"}, timeout=10
    )
    assert refused.status_code == 409, refused.text
    assert user.post("/pods/home/copy", json={"from": "loop", "to": "loop/x"}).status_code == 409
    assert names(user, "loop") == ["inner"]
    assert names(user, "loop/inner") == ["f.txt"]
    # the writer is free: other writes go through
    assert user.post("/pods/home/mkdir/after").status_code == 201


def test_move_and_copy_keep_every_node_within_the_depth_limit(user: User) -> None:
    deep = "/".join(["d"] * 250)
    assert user.post(f"/pods/home/mkdir/{deep}", params={"parents": True}).status_code == 201
    assert user.post("/pods/home/mkdir/x/y/z/w/v/u", params={"parents": True}).status_code == 201
    user.put("/pods/home/files/x/y/z/w/v/u/f.txt", content=b"deep")  # 7 levels below root
    for op in ("move", "copy"):
        refused = user.post(f"/pods/home/{op}", json={"from": "x", "to": f"{deep}/x"})
        assert refused.status_code == 400, refused.text
        assert "256" in refused.json()["detail"]
    shallower = "/".join(["d"] * 248)  # 248 + 1 + 7 = 256 levels: allowed
    assert (
        user.post("/pods/home/move", json={"from": "x", "to": f"{shallower}/x"}).status_code == 200
    )
    got = user.get(f"/pods/home/files/{shallower}/x/y/z/w/v/u/f.txt")
    assert got.status_code == 200 and got.content == b"deep"


def test_a_share_rooted_deep_cannot_create_below_the_depth_limit(
    user: User, server: Server
) -> None:
    deep = "/".join(["d"] * 250)
    assert user.post(f"/pods/home/mkdir/{deep}", params={"parents": True}).status_code == 201
    guest = server.new_user("deep-guest")
    grant = user.post(
        "/pods/home/shares", json={"path": deep, "user": guest.name, "level": "write"}
    )
    assert grant.status_code == 201, grant.text
    scope = grant.json()["pod"]
    # 250 + 6 = 256 levels below the pod's root: allowed
    assert guest.put(f"/pods/{scope}/files/a/b/c/d/e/f", content=b"ok").status_code == 201
    for refused in (
        guest.put(f"/pods/{scope}/files/a/b/c/d/e/f2/g", content=b"too deep"),
        guest.post(f"/pods/{scope}/mkdir/a/b/c/d/e/f3/g", params={"parents": True}),
    ):
        assert refused.status_code == 400, refused.text
        assert "256" in refused.json()["detail"]
    assert user.get(f"/pods/home/files/{deep}/a/b/c/d/e/f").content == b"ok"
