"""Pods over HTTP, and isolation between users."""

from __future__ import annotations

from tests.fixtures.server import Server


def test_create_list_stat_rename_delete(server: Server) -> None:
    user = server.new_user()
    created = user.post("/pods", json={"name": "photos", "compression": "off", "versions_kept": 3})
    assert created.status_code == 201
    assert created.json()["compression"] == "off"
    assert user.post("/pods", json={"name": "photos"}).status_code == 409
    user.put("/pods/photos/files/a.jpg", content=b"jpeg" * 10)
    stat = user.get("/pods/photos").json()
    assert (stat["files"], stat["used_bytes"], stat["versions_kept"]) == (1, 40, 3)
    renamed = user.patch("/pods/photos", json={"name": "pictures"})
    assert renamed.status_code == 200
    assert [p["name"] for p in user.get("/pods").json()["pods"]] == ["pictures"]
    assert user.get("/pods/pictures/files/a.jpg").content == b"jpeg" * 10
    assert user.get("/pods/photos").status_code == 404
    assert user.delete("/pods/pictures").status_code == 204
    assert user.get("/pods").json()["pods"] == []


def test_pod_policy_is_validated(server: Server) -> None:
    user = server.new_user()
    assert user.post("/pods", json={"name": "x", "compression": "maximum"}).status_code == 422
    assert user.post("/pods", json={"name": "x", "versions_kept": 0}).status_code == 400
    assert user.post("/pods", json={"name": "../x"}).status_code == 400
    assert user.post("/pods", json={"name": ""}).status_code == 400


def test_another_users_pod_is_not_found(server: Server) -> None:
    alice = server.new_user(pod="private")
    alice.put("/pods/private/files/secret.txt", content=b"mine")
    alice_pod_id = alice.get("/pods/private").json()["id"]
    bob = server.new_user()
    for ref in ("private", alice_pod_id):
        assert bob.get(f"/pods/{ref}").status_code == 404
        assert bob.get(f"/pods/{ref}/files/secret.txt").status_code == 404
        assert bob.get(f"/pods/{ref}/list").status_code == 404
        assert bob.put(f"/pods/{ref}/files/evil.txt", content=b"x").status_code == 404
        assert bob.delete(f"/pods/{ref}").status_code == 404
    assert alice.get("/pods/private/files/secret.txt").content == b"mine"
    assert alice.get("/pods/private/files/evil.txt").status_code == 404


def test_same_pod_name_for_two_users(server: Server) -> None:
    one, two = server.new_user(pod="docs"), server.new_user(pod="docs")
    one.put("/pods/docs/files/f", content=b"one")
    two.put("/pods/docs/files/f", content=b"two")
    assert one.get("/pods/docs/files/f").content == b"one"
    assert two.get("/pods/docs/files/f").content == b"two"
