"""`POST /auth` and the Bearer JWT every other FileAgo call sends.

The JWT (HS256) carries FileAgo's claims (`exp`, `username`, `uuid`) and the podstore
session token it stands for (`sid`); its key is that session token, so only its holder can
make one, and the core checks the session itself on every call (expiry, logout, password
change). The `fileaccesskey` is a podstore download key of the same lifetime: it reads the
user's files and nothing else."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request

from podstore.core.context import Actor
from podstore.core.errors import Invalid, Unauthenticated
from podstore.core.service import Core
from podstore.frontends.http.bodies import read_body
from podstore.frontends.http.deps import CoreDep, client_address, get_core

router = APIRouter()
DEFAULT_AVATAR = "/images/default_avatar.png"
_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(signing_input: str, session_token: str) -> str:
    return _b64(hmac.new(session_token.encode(), signing_input.encode(), hashlib.sha256).digest())


def make_jwt(claims: dict[str, Any]) -> str:
    signing_input = _b64(json.dumps(_HEADER).encode()) + "." + _b64(json.dumps(claims).encode())
    return signing_input + "." + _sign(signing_input, claims["sid"])


def session_of(jwt: str) -> str:
    """The podstore session token a JWT of ours stands for, once its signature checks."""
    header, _, rest = jwt.partition(".")
    payload, _, signature = rest.partition(".")
    try:
        claims = json.loads(_unb64(payload))
        session = claims["sid"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise Unauthenticated("the token is not a FileAgo token") from None
    if not isinstance(session, str) or not hmac.compare_digest(
        _sign(f"{header}.{payload}", session), signature
    ):
        raise Unauthenticated("the token is not a FileAgo token")
    return session


async def fileago_actor(request: Request, core: Annotated[Core, Depends(get_core)]) -> Actor:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("send the token from /auth as Authorization: Bearer <token>")
    return await core.accounts.authenticate(session_of(value.strip()))


FileAgoActor = Annotated[Actor, Depends(fileago_actor)]


def credentials(body: bytes, content_type: str) -> tuple[str, str]:
    """username and password from a JSON body, also as curl's `-d` labels it (form-encoded),
    or from a real form."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in ("", "application/json", "application/x-www-form-urlencoded", "text/plain"):
        raise Invalid('send the credentials as JSON: {"username", "password"}')
    try:
        fields = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        fields = dict(parse_qsl(body.decode("utf-8", "replace"))) if "form" in kind else None
    if not isinstance(fields, dict):
        raise Invalid('send the credentials as JSON: {"username", "password"}')
    username, password = fields.get("username"), fields.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Invalid("username and password are required strings")
    return username, password


@router.post("/auth")
async def login(request: Request, core: CoreDep) -> dict[str, Any]:
    body = await read_body(request, core.settings.max_json_body)
    username, password = credentials(body, request.headers.get("content-type", ""))
    ttl = core.settings.frontends.fileago.token_ttl_seconds
    session = await core.accounts.login(username, password, client_address(request), ttl=ttl)
    actor = await core.accounts.authenticate(session.token)
    fileaccesskey = await core.accounts.issue_key(actor, "download", ttl)
    me = await core.accounts.me(actor)
    claims = {
        "exp": int(session.expires_at),
        "username": me.email or me.name,
        "uuid": me.id,
        "sid": session.token,
    }
    return {
        "uuid": me.id,
        "token": make_jwt(claims),
        "status": "success",
        "msg": "Login successful.",
        "is_admin": me.is_admin,
        "fullname": me.profile.get("display_name") or me.name,
        "fileaccesskey": fileaccesskey,
        "avatar": me.profile.get("avatar") or DEFAULT_AVATAR,
    }
