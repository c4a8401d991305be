"""Signup, login, logout, the current user, profile, password, recovery, export, deletion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from podstore.frontends.http import csrf
from podstore.frontends.http.deps import COOKIE, ActorDep, CoreDep, bearer_token, client_address
from podstore.frontends.http.openapi import problems
from podstore.frontends.native import shapes_social, shapes_tree

router = APIRouter(tags=["accounts"], responses=problems(401, 403, 404, 409, 429))


class SignupBody(BaseModel):
    name: str = Field(max_length=256)
    password: str = Field(max_length=1024)
    mnemonic: str | None = Field(default=None, max_length=1024)
    email: str | None = Field(default=None, max_length=254)


class LoginBody(BaseModel):
    name: str = Field(max_length=256)
    password: str = Field(max_length=1024)


class ProfileBody(BaseModel):
    display_name: str | None = None
    contact: str | None = None
    avatar: str | None = None
    email: str | None = Field(default=None, max_length=254)  # null removes it


class PasswordBody(BaseModel):
    old_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class RecoverBody(BaseModel):
    name: str = Field(max_length=256)
    mnemonic: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class DeleteBody(BaseModel):
    password: str = Field(max_length=1024)


@router.post("/signup", status_code=201)
async def signup(body: SignupBody, core: CoreDep) -> dict[str, Any]:
    created = await core.accounts.signup(body.name, body.password, body.mnemonic, body.email)
    return shapes_social.signup(created)


@router.post("/login")
async def login(
    body: LoginBody, request: Request, response: Response, core: CoreDep
) -> dict[str, Any]:
    result = await core.accounts.login(body.name, body.password, client_address(request))
    response.set_cookie(
        COOKIE,
        result.token,
        max_age=core.settings.token_ttl_seconds,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return {**shapes_social.login(result), "csrf_token": csrf.token_for(result.token)}


@router.post("/logout", status_code=204)
async def logout(actor: ActorDep, core: CoreDep, response: Response) -> None:
    await core.accounts.logout(actor)
    response.delete_cookie(COOKIE)


@router.get("/me/csrf")
async def csrf_token(request: Request, actor: ActorDep) -> dict[str, str]:
    """The X-CSRF-Token of this session, for a page that kept the cookie but not the token."""
    token = bearer_token(request)
    assert token is not None  # `actor` authenticated it
    return {"csrf_token": csrf.token_for(token)}


@router.get("/me")
async def me(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shapes_social.user(await core.accounts.me(actor))


@router.patch("/me")
async def update_me(body: ProfileBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if "email" in changes:
        await core.accounts.set_email(actor, changes.pop("email"))
    return shapes_social.user(await core.accounts.update_profile(actor, changes))


@router.post("/me/password", status_code=204)
async def change_password(body: PasswordBody, actor: ActorDep, core: CoreDep) -> None:
    await core.accounts.change_password(actor, body.old_password, body.new_password)


@router.post("/recover", status_code=204)
async def recover(body: RecoverBody, core: CoreDep) -> None:
    await core.accounts.recover(body.name, body.mnemonic, body.new_password)


@router.get("/me/export")
async def export(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    """Everything the account holds, as metadata: profile, pods and every path in them."""
    return shapes_tree.export(await core.export(actor))


@router.delete("/me", status_code=204)
async def delete_me(body: DeleteBody, actor: ActorDep, core: CoreDep, response: Response) -> None:
    await core.delete_account(actor, body.password)
    response.delete_cookie(COOKIE)
