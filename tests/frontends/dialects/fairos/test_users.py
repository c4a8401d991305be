"""FairOS users over every generation: signup, login, present, stat, logout, delete, import,
the cookie and the Bearer JWT, and the address a mnemonic derives."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.server import PASSWORD
from tests.frontends.dialects.fairos.conftest import FairosServer

HARDHAT = "test test test test test test test test test test test junk"


@pytest.fixture(scope="module")
def web(fairos: FairosServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fairos.url, timeout=30) as client:
        yield client


def fresh() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


def test_v2_signup_login_and_the_bearer_token(web: httpx.Client) -> None:
    name = fresh()
    signed = web.post("/v2/user/signup", json={"userName": name, "password": PASSWORD})
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["message"] == "user signed-up successfully" and "code" not in body
    assert len(body["mnemonic"].split()) == 12 and body["address"].startswith("0x")
    assert body["nameHash"].startswith("0x") and len(body["nameHash"]) == 66
    login = web.post("/v2/user/login", json={"userName": name, "password": PASSWORD})
    assert login.status_code == 200 and login.json()["message"] == "user logged-in successfully"
    assert login.json()["address"] == body["address"]
    bearer = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    with httpx.Client(base_url=str(web.base_url), timeout=30) as clean:
        stat = clean.get("/v1/user/stat", headers=bearer)
        assert stat.status_code == 200, stat.text
        assert stat.json()["userName"] == name and stat.json()["address"] == body["address"]
        bad = clean.get("/v1/user/stat", headers={"Authorization": "Bearer x.y.z"})
        assert bad.status_code == 401 and bad.json()["message"] == "jwt: invalid token"
        none = clean.get("/v1/user/stat")
        assert none.status_code == 401
        assert none.json()["message"] == "cookie: invalid cookie: http: named cookie not present"


def test_v1_snake_case_and_the_cookie(fairos: FairosServer) -> None:
    name = fresh()
    with httpx.Client(base_url=fairos.url, timeout=30) as web:
        body = {"user_name": name, "password": PASSWORD, "mnemonic": HARDHAT}
        signed = web.post("/v1/user/signup", json=body)
        assert signed.status_code == 201, signed.text
        assert signed.json()["address"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        assert "mnemonic" not in signed.json() and signed.json()["code"] == 201
        login = web.post("/v1/user/login", json={"user_name": name, "password": PASSWORD})
        assert login.json() | {"accessToken": ""} == login.json() | {
            "message": "user logged-in successfully",
            "code": 200,
            "accessToken": "",
        }
        assert web.cookies.get("fairOS-dfs")
        stat = web.get("/v1/user/stat").json()
        assert stat["user_name"] == name and stat["userName"] == name  # unsaid: both
        logged = web.get("/v1/user/isloggedin", params={"user_name": name}).json()
        assert logged == {"loggedin": True}
        out = web.post("/v1/user/logout")
        assert out.json() == {"message": "user logged out successfully", "code": 200}
        assert web.get("/v1/user/stat").status_code == 401
        nobody = web.get("/v1/user/isloggedin", params={"user_name": fresh()})
        assert nobody.json() == {"loggedin": False}


def test_v0_forms(fairos: FairosServer) -> None:
    name = fresh()
    with httpx.Client(base_url=fairos.url, timeout=30) as web:
        form = {"user": name, "password": PASSWORD}
        assert web.post("/v0/user/signup", data=form).status_code == 201
        assert web.request("GET", "/v0/user/present", data={"user": name}).json() == {
            "present": True
        }
        assert (
            web.post(
                "/v0/user/login", files={"user": (None, name), "password": (None, PASSWORD)}
            ).status_code
            == 200
        )
        assert web.get("/v0/user/stat").json()["user_name"] == name
        gone = web.request("DELETE", "/v0/user/delete", data={"password": PASSWORD})
        assert gone.json() == {"message": "user deleted successfully", "code": 200}
        assert web.get("/v1/user/present", params={"user_name": name}).json() == {"present": False}


def test_errors_in_fairos_words(web: httpx.Client) -> None:
    name = fresh()
    absent = web.post("/v2/user/login", json={"userName": name, "password": PASSWORD})
    assert absent.status_code == 404
    assert absent.json() == {"message": "user login: no user available"}
    assert web.post("/v2/user/signup", json={"userName": name, "password": PASSWORD}).is_success
    again = web.post("/v2/user/signup", json={"userName": name, "password": PASSWORD})
    assert again.status_code == 400
    assert again.json() == {"message": "user signup: user name already present"}
    wrong = web.post("/v2/user/login", json={"userName": name, "password": "x" * 12})
    assert wrong.status_code == 400 and wrong.json()["message"] == "user login: invalid password"
    typed = web.post(
        "/v2/user/login",
        content=b'{"userName":"a"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert typed.status_code == 400
    assert typed.json() == {"message": "user login: invalid request body type"}
    broken = web.post("/v1/user/login", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["message"] == "user login: could not decode arguments"
    blank = web.post("/v2/user/login", json={"password": PASSWORD})
    assert blank.json() == {"message": 'user login: "userName" argument missing'}
    assert web.get("/v2/user/login").status_code == 405


def test_cors_as_fairos_configures_it(web: httpx.Client) -> None:
    asked = {"Origin": "http://app.example", "Access-Control-Request-Method": "DELETE"}
    preflight = web.options("/v1/pod/delete", headers=asked)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://app.example"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert preflight.headers["access-control-max-age"] == "3600"
    put = web.options("/v1/pod/delete", headers=asked | {"Access-Control-Request-Method": "PUT"})
    assert put.status_code == 400
    stranger = web.options("/v1/pod/delete", headers=asked | {"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers
