"""App passwords: per-device passwords for WebDAV clients (HTTP Basic only).

    GET    /me/app-passwords        200 [{id, label, created_at, last_used_at}]
    POST   /me/app-passwords        201 {id, label, created_at, last_used_at: null, password}
    DELETE /me/app-passwords/{id}   204; refused at once on every node

The password is in the creation answer only; the server keeps its hash.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from podstore.core.context import iso
from podstore.core.records import AppPassword, NewAppPassword
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.openapi import problems

router = APIRouter(tags=["accounts"], responses=problems(400, 401, 404))


class AppPasswordBody(BaseModel):
    label: str = Field(max_length=255)


def _shape(item: AppPassword | NewAppPassword) -> dict[str, Any]:
    return {
        "id": item.id,
        "label": item.label,
        "created_at": iso(item.created_at),
        "last_used_at": iso(item.last_used_at),
    }


@router.get("/me/app-passwords")
async def list_app_passwords(actor: ActorDep, core: CoreDep) -> list[dict[str, Any]]:
    return [_shape(item) for item in await core.app_passwords.list(actor)]


@router.post("/me/app-passwords", status_code=201)
async def create_app_password(
    body: AppPasswordBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    made = await core.app_passwords.create(actor, body.label)
    return {**_shape(made), "password": made.password}


@router.delete("/me/app-passwords/{ident}", status_code=204)
async def revoke_app_password(ident: str, actor: ActorDep, core: CoreDep) -> None:
    await core.app_passwords.revoke(actor, ident)
