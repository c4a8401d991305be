"""A URL path is decoded strictly: invalid UTF-8 and control characters are 400, so two
different byte strings never name the same file. Against a real server process."""

from __future__ import annotations

import pytest

from tests.fixtures.server import Server, User
from tests.frontends.http.wire import exchange, request_head

FILES = "/api/v1/pods/home/files/"


@pytest.mark.parametrize("bad", ["%ff", "%fe", "%c0%ae", "%ed%a0%80", "a%0ab", "%0a", "x%7f"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_path_that_is_not_strict_utf8_text_is_400(
    strict_server: Server, strict_user: User, bad: str, method: str
) -> None:
    answer = exchange(
        strict_server,
        request_head(
            method, FILES + bad, strict_user.token, content_length="1", connection="close"
        ),
        b"x",
    )
    assert answer.status == 400
    assert "path" in answer.problem()["detail"]


def test_invalid_bytes_never_write_the_same_file(strict_server: Server, strict_user: User) -> None:
    for bad in ("%ff", "%fe", "mkdir/%ff"):
        head = request_head(
            "PUT", FILES + bad, strict_user.token, content_length="1", connection="close"
        )
        assert exchange(strict_server, head, b"x").status == 400
    head = request_head(
        "POST", "/api/v1/pods/home/mkdir/a%0ab", strict_user.token, connection="close"
    )
    assert exchange(strict_server, head).status == 400
    assert strict_user.get("/pods/home/list").json()["entries"] == []


def test_percent_encoded_utf8_still_names_files(strict_server: Server, strict_user: User) -> None:
    head = request_head(
        "PUT",
        FILES + "caf%C3%A9%20%E2%9C%93",
        strict_user.token,
        content_length="2",
        connection="close",
    )
    assert exchange(strict_server, head, b"ok").status == 201
    assert [e["name"] for e in strict_user.get("/pods/home/list").json()["entries"]] == ["café ✓"]
    assert strict_user.get("/pods/home/files/café ✓").content == b"ok"
