"""Accounts over HTTP: signup rules, login, logout, profile, password, recovery, deletion."""

from __future__ import annotations

import base64
import uuid

from tests.fixtures.server import PASSWORD, Server


def unique(prefix: str = "acct") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_signup_returns_a_12_word_mnemonic_and_rejects_short_passwords(server: Server) -> None:
    with server.client() as anon:
        name = unique()
        short = anon.post("/signup", json={"name": name, "password": "elevenchars"})
        assert short.status_code == 400
        assert short.headers["content-type"].startswith("application/problem+json")
        assert "12" in short.json()["detail"]
        created = anon.post("/signup", json={"name": name, "password": PASSWORD})
        assert created.status_code == 201
        assert len(created.json()["mnemonic"].split()) == 12
        again = anon.post("/signup", json={"name": name, "password": PASSWORD})
        assert again.status_code == 409


def test_signup_with_own_mnemonic_does_not_echo_it(server: Server) -> None:
    phrase = server.new_user().mnemonic
    with server.client() as anon:
        mine = anon.post(
            "/signup", json={"name": unique(), "password": PASSWORD, "mnemonic": phrase}
        )
        assert mine.status_code == 201
        assert "mnemonic" not in mine.json()
        bad = anon.post(
            "/signup",
            json={
                "name": unique(),
                "password": PASSWORD,
                "mnemonic": "not a real bip39 phrase at all",
            },
        )
        assert bad.status_code == 400


def test_user_names_are_validated(server: Server) -> None:
    with server.client() as anon:
        for name in ["", "A", "Upper", "../x", "a/b", "x" * 80, "sp ace"]:
            response = anon.post("/signup", json={"name": name, "password": PASSWORD})
            assert response.status_code == 400, name


def test_login_logout_and_cookie(server: Server) -> None:
    user = server.new_user()
    assert user.get("/me").json()["name"] == user.name
    with server.client() as anon:
        login = anon.post("/login", json={"name": user.name, "password": PASSWORD})
        assert login.status_code == 200
        assert "podstore_token" in login.cookies
        assert anon.get("/me").status_code == 200  # the cookie alone authenticates
    assert user.post("/logout").status_code == 204
    after = user.get("/me")
    assert after.status_code == 401
    assert after.headers["content-type"].startswith("application/problem+json")


def test_a_cookie_only_client_learns_its_csrf_token_and_can_write(server: Server) -> None:
    """A browser app on the native API never sees the HttpOnly cookie, yet must prove its
    writes: the login answer gives it the token, /me/csrf gives it again after a reload."""
    user = server.new_user(pod="home")
    with server.client() as browser:
        login = browser.post("/login", json={"name": user.name, "password": PASSWORD}).json()
        token = login["csrf_token"]
        url = "/pods/home/files/from-the-browser.txt"
        assert browser.put(url, content=b"no token").status_code == 403
        assert browser.put(url, content=b"x", headers={"X-CSRF-Token": "forged"}).status_code == 403
        assert browser.put(url, content=b"yes", headers={"X-CSRF-Token": token}).status_code == 201
        assert browser.get("/me/csrf").json() == {"csrf_token": token}
        assert user.get(url).content == b"yes"
    with server.client() as anon:
        assert anon.get("/me/csrf").status_code == 401
        other = anon.post("/login", json={"name": user.name, "password": PASSWORD}).json()
        assert other["csrf_token"] != token  # bound to its session, void at logout


def test_bad_tokens_are_401(server: Server) -> None:
    for token in ["nonsense", "a" * 32 + ".bbbb", "", "x.y.z"]:
        with server.client(token or None) as client:
            assert client.get("/me").status_code == 401


def test_failed_logins_are_throttled(server: Server) -> None:
    user = server.new_user()
    with server.client() as anon:
        codes = [
            anon.post("/login", json={"name": user.name, "password": "wrong password!"}).status_code
            for _ in range(7)
        ]
        assert codes[0] == 401
        assert 429 in codes
        throttled = anon.post("/login", json={"name": user.name, "password": PASSWORD})
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) >= 1


def test_profile_update(server: Server) -> None:
    user = server.new_user()
    updated = user.patch("/me", json={"display_name": "Alice A.", "contact": "alice@example.org"})
    assert updated.status_code == 200
    assert updated.json()["profile"] == {"display_name": "Alice A.", "contact": "alice@example.org"}
    assert user.patch("/me", json={"display_name": 5}).status_code == 422


def test_me_describes_the_account(server: Server) -> None:
    user = server.new_user()
    me = user.get("/me").json()
    assert set(me) == {
        "id", "name", "profile", "public_key", "quota_bytes", "created_at", "last_login_at",
        "email", "is_admin",
    }  # fmt: skip
    assert (me["name"], me["profile"], me["email"]) == (user.name, {}, None)
    assert len(base64.b64decode(me["public_key"], validate=True)) == 32  # X25519
    assert me["created_at"] <= me["last_login_at"]  # epoch seconds, as numbers
    assert user.get("/me/export").json()["user"] == me


def test_change_password_keeps_data_readable(server: Server) -> None:
    user = server.new_user(pod="p")
    assert user.put("/pods/p/files/a.txt", content=b"secret words").status_code == 201
    new = "another long password"
    assert (
        user.post("/me/password", json={"old_password": PASSWORD, "new_password": new}).status_code
        == 204
    )
    with server.client() as anon:
        assert (
            anon.post("/login", json={"name": user.name, "password": PASSWORD}).status_code == 401
        )
        token = anon.post("/login", json={"name": user.name, "password": new}).json()["token"]
    with server.client(token) as again:
        assert again.get("/pods/p/files/a.txt").content == b"secret words"


def test_recover_with_mnemonic_sets_a_new_password(server: Server) -> None:
    user = server.new_user(pod="p")
    assert user.put("/pods/p/files/a.txt", content=b"kept across recovery").status_code == 201
    with server.client() as anon:
        wrong = server.new_user().mnemonic
        assert (
            anon.post(
                "/recover",
                json={"name": user.name, "mnemonic": wrong, "new_password": "brand new password"},
            ).status_code
            == 401
        )
        ok = anon.post(
            "/recover",
            json={
                "name": user.name,
                "mnemonic": user.mnemonic,
                "new_password": "brand new password",
            },
        )
        assert ok.status_code == 204
        token = anon.post(
            "/login", json={"name": user.name, "password": "brand new password"}
        ).json()["token"]
    assert user.get("/me").status_code == 401  # recovery ends every old session
    with server.client(token) as again:
        assert again.get("/pods/p/files/a.txt").content == b"kept across recovery"


def test_export_lists_everything(server: Server) -> None:
    user = server.new_user(pod="p")
    user.put("/pods/p/files/d/one.txt", content=b"1")
    user.put("/pods/p/files/d/one.txt", content=b"11")
    exported = user.get("/me/export").json()
    assert exported["user"]["name"] == user.name
    tree = {n["path"]: n for n in exported["pods"][0]["tree"]}
    assert tree["/d/one.txt"]["size"] == 2
    assert [v["number"] for v in tree["/d/one.txt"]["versions"]] == [1, 2]


def test_delete_account_needs_password_and_removes_everything(server: Server) -> None:
    user = server.new_user(pod="p")
    user.put("/pods/p/files/x.bin", content=b"x" * 100_000)
    assert user.request("DELETE", "/me", json={"password": "not my password"}).status_code == 401
    assert user.request("DELETE", "/me", json={"password": PASSWORD}).status_code == 204
    with server.client() as anon:
        assert (
            anon.post("/login", json={"name": user.name, "password": PASSWORD}).status_code == 401
        )
        # the name is free again
        assert (
            anon.post("/signup", json={"name": user.name, "password": PASSWORD}).status_code == 201
        )


def test_an_email_address_logs_in_like_the_name(server: Server) -> None:
    user = server.new_user()
    address = f"{user.name}@example.org"
    assert user.patch("/me", json={"email": address.upper()}).json()["email"] == address
    with server.client() as anon:
        login = anon.post("/login", json={"name": address, "password": PASSWORD})
        assert login.status_code == 200 and login.json()["user_id"] == user.user_id
        signup = {"name": f"x{user.name}", "password": PASSWORD, "email": address}
        assert anon.post("/signup", json=signup).status_code == 409
    assert user.patch("/me", json={"email": "no-at-sign"}).status_code == 400
