"""Users: signup, login, import, present, isloggedin, logout, stat, export, delete (v0, v1, v2)."""

from __future__ import annotations

from email.utils import formatdate

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, Unauthenticated
from podstore.core.records import Login
from podstore.frontends.dialects.fairos.calls import COOKIE, Call, access_token, endpoint
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak  # on first use: its import costs ~10 MB (see ethereum.py)

    return keccak.new(digest_bits=256, data=data).digest()


def name_hash(name: str) -> str:
    """ENS namehash of `<name>.fds`, as FairOS names a user's entry."""
    node = bytes(32)
    for label in reversed(f"{name}.fds".split(".")):
        node = keccak256(node + keccak256(label.encode()))
    return "0x" + node.hex()


def set_cookie(response: Response, request: Request, token: str, expires_at: float) -> None:
    parts = [f"{COOKIE}={token}", "Path=/", f"Expires={formatdate(expires_at, usegmt=True)}"]
    parts.append("HttpOnly")
    if request.url.scheme == "https":
        parts += ["Secure", "SameSite=None"]
    response.raw_headers.append((b"set-cookie", "; ".join(parts).encode("latin-1")))


def clear_cookie(response: Response) -> None:
    gone = f"{COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly"
    response.raw_headers.append((b"set-cookie", gone.encode()))


async def _logged_in(
    call: Call, name: str, login: Login, message: str, status: int, mnemonic: str | None = None
) -> Response:
    user = await call.core.accounts.address(login.user_id)
    token = access_token(login.token, login.expires_at)
    body: dict[str, str | int] = {
        "address": user or "",
        "nameHash": name_hash(name),
        "message": message,
        "accessToken": token,
    }
    if mnemonic:  # only a mnemonic the server made is shown, once
        body["mnemonic"] = mnemonic
    if not call.generation.camel:
        body["code"] = status
    response = respond(body, status)
    set_cookie(response, call.request, login.token, login.expires_at)
    return response


def _client(call: Call) -> str | None:
    client = call.request.client
    return client.host if client else None


async def signup(call: Call) -> Response:
    name, password = call.get("userName", "user"), call.get("password")
    mnemonic = call.get("mnemonic", default="") or None
    try:
        made = await call.core.accounts.signup(name, password, mnemonic)
    except Conflict:
        raise FairError(400, "user name already present") from None
    login = await call.core.accounts.login(name, password, _client(call))
    return await _logged_in(call, name, login, "user signed-up successfully", 201, made.mnemonic)


async def import_user(call: Call) -> Response:
    if not call.get("mnemonic", default=""):
        raise FairError(400, 'importing by address needs the mnemonic here: give "mnemonic"')
    return await signup(call)


async def login(call: Call) -> Response:
    name, password = call.get("userName", "user"), call.get("password")
    if not await call.core.accounts.present(name):
        raise FairError(404, "no user available")
    try:
        session = await call.core.accounts.login(name, password, _client(call))
    except Unauthenticated:
        raise FairError(400, "invalid password") from None
    return await _logged_in(call, name, session, "user logged-in successfully", 200)


async def present(call: Call) -> Response:
    return respond({"present": await call.core.accounts.present(call.get("userName", "user"))})


async def is_logged_in(call: Call) -> Response:
    name = call.get("userName", "user")
    return respond({"loggedin": await call.core.accounts.logged_in(name)})


async def logout(call: Call) -> Response:
    await call.core.accounts.logout(await call.actor())
    response = respond(call.generation.message("user logged out successfully", 200))
    clear_cookie(response)
    return response


async def stat(call: Call) -> Response:
    actor = await call.actor()
    address = await call.core.accounts.address(actor.user_id)
    body = call.generation.shape(("userName", "user_name", actor.name), ("address", "address", ""))
    body["address"] = address or ""
    return respond(body)


async def export(call: Call) -> Response:
    return await stat(call)


async def delete(call: Call) -> Response:
    actor = await call.actor()
    try:
        await call.core.delete_account(actor, call.get("password"))
    except Unauthenticated:
        raise FairError(400, "invalid password") from None
    response = respond(call.generation.message("user deleted successfully", 200))
    clear_cookie(response)
    return response


def routes() -> list[Route]:
    out: list[Route] = []
    for version, body in (("v0", "form"), ("v1", "json"), ("v2", "json")):
        base = f"/{version}/user"
        query = "form" if version == "v0" else "none"
        out += [
            Route(f"{base}/signup", endpoint("user signup", signup, body), methods=["POST"]),
            Route(f"{base}/login", endpoint("user login", login, body), methods=["POST"]),
            Route(f"{base}/present", endpoint("user present", present, query), methods=["GET"]),
            Route(f"{base}/delete", endpoint("user delete", delete, body), methods=["DELETE"]),
        ]
    for version, body in (("v0", "form"), ("v1", "json")):
        base = f"/{version}/user"
        query = "form" if version == "v0" else "none"
        out += [
            Route(f"{base}/import", endpoint("user import", import_user, body), methods=["POST"]),
            Route(
                f"{base}/isloggedin",
                endpoint("user isloggedin", is_logged_in, query),
                methods=["GET"],
            ),
            Route(f"{base}/logout", endpoint("user logout", logout, "none"), methods=["POST"]),
            Route(f"{base}/stat", endpoint("user stat", stat, "none"), methods=["GET"]),
            Route(f"{base}/export", endpoint("user export", export, "none"), methods=["POST"]),
        ]
    return out
