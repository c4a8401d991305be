"""Downloads through `frontends/http/downloads.py`: ranges and conditional requests, for a
signed-in user and through a public link. Against a real server process."""

from __future__ import annotations

import httpx

from tests.fixtures.server import Server, User

DATA = bytes(range(256)) * 4


def test_no_range_of_an_empty_file_is_satisfiable(strict_user: User) -> None:
    strict_user.put("/pods/home/files/empty", content=b"")
    for header in ("bytes=-5", "bytes=0-"):
        response = strict_user.get("/pods/home/files/empty", headers={"range": header})
        assert response.status_code == 416
        assert response.headers["content-range"] == "bytes */0"


def test_an_invalid_range_is_ignored(strict_user: User) -> None:
    strict_user.put("/pods/home/files/data", content=DATA)
    for header in ("bytes=1_0-2_0", "bytes=5-2", "bytes=+1-2", "bytes=0-1,4-5"):
        response = strict_user.get("/pods/home/files/data", headers={"range": header})
        assert (response.status_code, response.content) == (200, DATA), header
        assert "content-range" not in response.headers
    part = strict_user.get("/pods/home/files/data", headers={"range": "bytes=10-20"})
    assert (part.status_code, part.content) == (206, DATA[10:21])
    assert part.headers["content-range"] == f"bytes 10-20/{len(DATA)}"


def test_conditional_requests(strict_user: User) -> None:
    strict_user.put("/pods/home/files/data", content=DATA)
    full = strict_user.get("/pods/home/files/data")
    etag, modified = full.headers["etag"], full.headers["last-modified"]
    for listed in (f'"other",{etag}', f"W/{etag}", "*"):
        again = strict_user.get("/pods/home/files/data", headers={"if-none-match": listed})
        assert (again.status_code, again.content) == (304, b""), listed
        assert again.headers["etag"] == etag
    assert (
        strict_user.get("/pods/home/files/data", headers={"if-none-match": '"other"'}).content
        == DATA
    )
    unchanged = strict_user.get("/pods/home/files/data", headers={"if-modified-since": modified})
    assert unchanged.status_code == 304
    stale = {"range": "bytes=0-9", "if-range": '"an-old-version"'}
    assert strict_user.get("/pods/home/files/data", headers=stale).content == DATA
    fresh = {"range": "bytes=0-9", "if-range": etag}
    assert strict_user.get("/pods/home/files/data", headers=fresh).content == DATA[:10]
    by_date = {"range": "bytes=0-9", "if-range": modified}
    assert strict_user.get("/pods/home/files/data", headers=by_date).status_code == 206


def test_a_public_link_serves_ranges(strict_server: Server, strict_user: User) -> None:
    strict_user.put("/pods/home/files/shared/data", content=DATA)
    link = strict_user.post("/pods/home/links", json={"path": "shared"}).json()
    url = f"{strict_server.api_url}/public/{link['url'].rsplit('/', 1)[1]}/data"
    part = httpx.get(url, headers={"range": "bytes=-4"})
    assert (part.status_code, part.content) == (206, DATA[-4:])
    assert httpx.get(url, headers={"range": "bytes=1_0-2_0"}).content == DATA
