"""The FileAgo dialect's pieces that need no server: the error envelope and the JWT."""

from __future__ import annotations

import json

import pytest

from podstore.core.errors import Conflict, Expired, NotFound, Unauthenticated
from podstore.frontends.dialects.fileago.auth import credentials, make_jwt, session_of
from podstore.frontends.dialects.fileago.errors import answer


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Expired("the upload token has expired"), 401),  # an expired token, as the JWT's
        (Unauthenticated("no"), 401),
        (NotFound("no such node"), 404),
        (Conflict("taken"), 409),
    ],
)
def test_errors_answer_in_the_envelope(error: Exception, status: int) -> None:
    response = answer(error)  # type: ignore[arg-type]
    assert response.status_code == status
    assert json.loads(bytes(response.body)) == {"status": "error", "msg": str(error)}


def test_a_jwt_stands_for_the_session_that_signed_it() -> None:
    jwt = make_jwt({"exp": 1, "username": "a@b.c", "uuid": "u", "sid": "session-token"})
    assert session_of(jwt) == "session-token"
    header, payload, signature = jwt.split(".")
    with pytest.raises(Unauthenticated):
        session_of(f"{header}.{payload}.{signature[:-2]}xx")
    other = make_jwt({"sid": "another-session"}).split(".")[1]
    with pytest.raises(Unauthenticated):
        session_of(f"{header}.{other}.{signature}")
    with pytest.raises(Unauthenticated):
        session_of("not a jwt")


def test_credentials_come_as_json_however_labelled() -> None:
    body = b'{"username": "a@b.c", "password": "pw"}'
    for content_type in ("", "application/json", "application/x-www-form-urlencoded"):
        assert credentials(body, content_type) == ("a@b.c", "pw")
    form = b"username=a%40b.c&password=pw"
    assert credentials(form, "application/x-www-form-urlencoded") == ("a@b.c", "pw")
