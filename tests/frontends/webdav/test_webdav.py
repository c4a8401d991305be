"""WebDAV against a real server: what litmus does not check. Bad input gets its RFC status
and writes nothing; app passwords work for Basic only; one user cannot reach another's files
by any path; the answers clients depend on (OPTIONS, PROPFIND shapes, Range, quirks)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.server import Server, User

D = "{DAV:}"
LOCK_BODY = (
    '<?xml version="1.0"?><lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope>'
    "<locktype><write/></locktype><owner>tester</owner></lockinfo>"
)


@pytest.fixture
def dav(server: Server, user: User) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{server.url}/dav/home", auth=(user.name, user.password), timeout=30
    ) as client:
        yield client


def hrefs(response: httpx.Response) -> list[str]:
    assert response.status_code == 207, response.text
    return [
        r.findtext(f"{D}href", "") for r in ET.fromstring(response.content).iter(f"{D}response")
    ]


def found_props(response: httpx.Response) -> dict[str, dict[str, str]]:
    """href -> {DAV: property: text} of the properties a multistatus found (200)."""
    found: dict[str, dict[str, str]] = {}
    for item in ET.fromstring(response.content).iter(f"{D}response"):
        shown = found.setdefault(item.findtext(f"{D}href", ""), {})
        for stat in item.iter(f"{D}propstat"):
            if "200" in stat.findtext(f"{D}status", ""):
                for prop in stat.find(f"{D}prop") or []:
                    shown[prop.tag.removeprefix(D)] = prop.text or ""
    return found


def test_options_and_the_top_level(server: Server, user: User, dav: httpx.Client) -> None:
    options = httpx.options(f"{server.url}/dav/home/")  # Windows asks before signing in
    assert options.status_code == 200
    assert options.headers["DAV"] == "1, 2" and options.headers["MS-Author-Via"] == "DAV"
    assert "LOCK" in options.headers["Allow"]
    assert (
        httpx.request("PROPFIND", f"{server.url}/dav/", headers={"Depth": "0"}).status_code == 401
    )
    assert "Basic" in httpx.get(f"{server.url}/dav/home/").headers["WWW-Authenticate"]
    top = dav.request("PROPFIND", f"{server.url}/dav/", headers={"Depth": "1"})
    assert hrefs(top) == ["/dav/", "/dav/home/"]
    bare = dav.request("PROPFIND", f"{server.url}/dav", headers={"Depth": "1"})  # no slash
    assert bare.status_code == 207 and hrefs(bare) == ["/dav/", "/dav/home/"]
    infinite = dav.request("PROPFIND", "/", headers={"Depth": "infinity"})
    assert infinite.status_code == 403 and b"propfind-finite-depth" in infinite.content


def test_put_get_range_etag_and_only_the_properties_asked(dav: httpx.Client) -> None:
    assert dav.put("/a b/x.txt", content=b"z").status_code == 409  # no parent: nothing made
    assert dav.request("MKCOL", "/a b/").status_code == 201
    assert dav.request("MKCOL", "/a b/").status_code == 405
    made = dav.put("/a b/x.txt", content=b"0123456789", headers={"Content-Type": "text/plain"})
    assert made.status_code == 201
    etag = made.headers["ETag"]
    again = dav.put("/a b/x.txt", content=b"abcdefghij", headers={"If-Match": etag})
    assert again.status_code == 204 and again.headers["ETag"] != etag
    stale = dav.put("/a b/x.txt", content=b"lost", headers={"If-Match": etag})
    assert stale.status_code == 412
    part = dav.get("/a b/x.txt", headers={"Range": "bytes=2-4"})
    assert part.status_code == 206 and part.content == b"cde"
    assert dav.head("/a b/x.txt").headers["Content-Length"] == "10"
    body = '<propfind xmlns="DAV:"><prop><getcontentlength/><getetag/></prop></propfind>'
    found = dav.request("PROPFIND", "/a%20b/", headers={"Depth": "1"}, content=body)
    assert hrefs(found) == ["/dav/home/a%20b/", "/dav/home/a%20b/x.txt"]
    shown = found_props(found)
    assert shown["/dav/home/a%20b/"] == {}  # a folder has neither
    assert shown["/dav/home/a%20b/x.txt"] == {
        "getcontentlength": "10",
        "getetag": again.headers["ETag"],
    }


def test_bad_input_gets_its_status_and_writes_nothing(dav: httpx.Client, user: User) -> None:
    dav.request("MKCOL", "/bad/")
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<propertyupdate xmlns="DAV:"><set><prop><x xmlns="urn:x">&b;</x></prop></set>'
        "</propertyupdate>"
    )
    assert dav.request("PROPPATCH", "/bad/", content=bomb).status_code == 400
    deep = "<a>" * 5000 + "</a>" * 5000
    assert dav.request("PROPFIND", "/bad/", headers={"Depth": "0"}, content=deep).status_code == 400
    malformed = dav.request("PROPFIND", "/bad/", headers={"Depth": "0"}, content=b"<propfind")
    assert malformed.status_code == 400
    assert dav.request("PROPPATCH", "/bad/", content=b"\xff\xfe").status_code == 400
    elsewhere = {"Destination": "http://example.com/dav/home/bad2/"}
    assert dav.request("MOVE", "/bad/", headers=elsewhere).status_code == 502
    assert dav.request("COPY", "/bad/").status_code == 400  # no Destination
    assert dav.request("MKCOL", "/bad/x/y/").status_code == 409
    assert dav.request("MKCOL", "/bad/z/", content=b"body").status_code == 415
    assert dav.get("/bad/a%2Fb").status_code == 400  # an encoded slash is not a separator
    assert dav.get("/bad/%2E%2E/bad").status_code == 400
    assert dav.request("BREW", "/bad/").status_code == 405
    assert (
        dav.put("/bad/f.txt", content=b"1", headers={"If": "(<urn:uuid:nope>"}).status_code == 400
    )
    listed = user.get("/pods/home/list/bad").json()["entries"]
    assert listed == []


def test_a_lock_keeps_others_out_until_its_token_is_sent(dav: httpx.Client) -> None:
    locked = dav.request("LOCK", "/locked.txt", content=LOCK_BODY, headers={"Timeout": "Second-60"})
    assert locked.status_code == 201  # an unmapped URL: an empty file now
    token = locked.headers["Lock-Token"]
    assert b"<D:owner>tester</D:owner>" in locked.content and b"Second-60" in locked.content
    assert dav.put("/locked.txt", content=b"no").status_code == 423
    assert dav.delete("/locked.txt").status_code == 423
    moved = dav.request(
        "MOVE", "/locked.txt", headers={"Destination": f"{dav.base_url}/elsewhere.txt"}
    )
    assert moved.status_code == 423
    assert dav.put("/locked.txt", content=b"yes", headers={"If": f"({token})"}).status_code == 204
    assert (
        dav.request("UNLOCK", "/locked.txt", headers={"Lock-Token": "<urn:uuid:x>"}).status_code
        == 409
    )
    assert dav.request("UNLOCK", "/locked.txt", headers={"Lock-Token": token}).status_code == 204
    assert dav.put("/locked.txt", content=b"free").status_code == 204
    assert dav.get("/locked.txt").content == b"free"


def test_app_passwords_for_basic_only_and_revoked_at_once(server: Server, user: User) -> None:
    made = user.post("/me/app-passwords", json={"label": "phone"})
    assert made.status_code == 201
    body = made.json()
    assert set(body) == {"id", "label", "created_at", "last_used_at", "password"}
    assert body["last_used_at"] is None and body["label"] == "phone"
    auth = (user.name, body["password"])
    assert httpx.get(f"{server.url}/dav/home/", auth=auth).status_code == 200
    listed = user.get("/me/app-passwords").json()
    assert [set(item) for item in listed] == [{"id", "label", "created_at", "last_used_at"}]
    login = httpx.post(
        f"{server.api_url}/login", json={"name": user.name, "password": body["password"]}
    )
    assert login.status_code == 401
    assert user.delete(f"/me/app-passwords/{body['id']}").status_code == 204
    assert httpx.get(f"{server.url}/dav/home/", auth=auth).status_code == 401
    assert user.get("/me/app-passwords").json() == []
    assert user.delete(f"/me/app-passwords/{body['id']}").status_code == 404


def test_failed_basic_logins_are_throttled(server: Server) -> None:
    victim = server.new_user("throttled", pod="home")
    statuses = [
        httpx.get(f"{server.url}/dav/home/", auth=(victim.name, f"wrong-{i}")).status_code
        for i in range(8)
    ]
    assert statuses[0] == 401 and statuses[-1] == 429
    garbled = {"Authorization": "Basic " + base64.b64encode(b"no colon").decode()}
    assert httpx.get(f"{server.url}/dav/home/", headers=garbled).status_code == 401


def test_no_path_reaches_another_users_pod(server: Server, user: User, dav: httpx.Client) -> None:
    other = server.new_user("other", pod="home")
    assert other.put("/pods/home/files/secret.txt", content=b"theirs").status_code == 201
    pod_id = other.get("/pods/home").json()["id"]
    for path in (f"/dav/{pod_id}/secret.txt", f"/dav/{pod_id}/", "/dav/home/../home/secret.txt"):
        assert dav.get(f"{server.url}{path}").status_code in (400, 404), path
    lock = dav.request("LOCK", f"{server.url}/dav/{pod_id}/secret.txt", content=LOCK_BODY)
    assert lock.status_code == 404
    dav.put("/mine.txt", content=b"mine")
    across = {"Destination": f"{server.url}/dav/{pod_id}/mine.txt", "Overwrite": "T"}
    assert dav.request("COPY", "/mine.txt", headers=across).status_code == 403
    theft = {"Destination": f"{server.url}/dav/home/stolen.txt"}
    stolen = dav.request("MOVE", f"{server.url}/dav/{pod_id}/secret.txt", headers=theft)
    assert stolen.status_code in (403, 404)
    assert other.get("/pods/home/files/secret.txt").content == b"theirs"


def test_a_big_folder_lists_in_one_answer(dav: httpx.Client, user: User) -> None:
    dav.request("MKCOL", "/many/")
    for i in range(210):  # more than one streamed piece of the answer
        assert dav.put(f"/many/f{i:05}.txt", content=b"x").status_code == 201
    body = '<propfind xmlns="DAV:"><prop><getcontentlength/></prop></propfind>'
    listed = dav.request("PROPFIND", "/many/", headers={"Depth": "1"}, content=body)
    assert len(hrefs(listed)) == 211


def test_windows_and_macos_quirks(dav: httpx.Client) -> None:
    windows = {"User-Agent": "Microsoft-WebDAV-MiniRedir/10.0.19045"}
    assert dav.put("/win.txt", content=b"w", headers=windows).status_code == 201
    win32 = (
        '<propertyupdate xmlns="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><set><prop>'
        "<Z:Win32LastModifiedTime>Sun, 13 Sep 2020 12:26:40 GMT</Z:Win32LastModifiedTime>"
        "<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></prop></set></propertyupdate>"
    )
    patched = dav.request("PROPPATCH", "/win.txt", content=win32, headers=windows)
    assert patched.status_code == 207 and "200 OK" in patched.text
    asked = (
        '<propfind xmlns="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><prop><getlastmodified/>'
        "<Z:Win32FileAttributes/></prop></propfind>"
    )
    found = dav.request("PROPFIND", "/win.txt", headers={"Depth": "0", **windows}, content=asked)
    assert "Sun, 13 Sep 2020 12:26:40 GMT" in found.text and "00000020" in found.text
    # Finder's AppleDouble companions are files like any other
    assert dav.put("/._win.txt", content=b"\x00\x05\x16\x07").status_code == 201
    assert dav.get("/._win.txt").content == b"\x00\x05\x16\x07"
    assert dav.delete("/._win.txt").status_code == 204
