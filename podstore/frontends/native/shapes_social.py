"""The native API's JSON for accounts, messages, contacts, the audit log and events."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

from podstore.core.context import iso
from podstore.core.records import (
    AuditEntry,
    Contact,
    Conversation,
    Event,
    Login,
    Message,
    OffsetPage,
    Signup,
    UserInfo,
)

T = TypeVar("T")


def signup(result: Signup) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": result.user_id, "name": result.name}
    if result.mnemonic:
        answer["mnemonic"] = result.mnemonic
    return answer


def login(result: Login) -> dict[str, Any]:
    return {"token": result.token, "expires_at": iso(result.expires_at), "user_id": result.user_id}


def user(info: UserInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "profile": info.profile,
        "public_key": base64.b64encode(info.public_key).decode(),
        "quota_bytes": info.quota_bytes,
        "created_at": info.created_at,  # epoch seconds here, unlike elsewhere
        "last_login_at": info.last_login_at,
        "email": info.email,
        "is_admin": info.is_admin,
    }


def message(m: Message) -> dict[str, Any]:
    return m.event_data()  # a sent message reads as the recipients' events carry it


def offset_page(key: str, page: OffsetPage[T], shape: Callable[[T], Any]) -> dict[str, Any]:
    return {
        key: [shape(item) for item in page.items],
        "offset": page.offset,
        "limit": page.limit,
        "total": page.total,
    }


def conversation(c: Conversation) -> dict[str, Any]:
    return {"with": c.with_user, "last": message(c.last)}


def contact(c: Contact) -> dict[str, Any]:
    return c.event_data()


def audit_entry(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "action": e.action,
        "detail": e.detail,
        "address": e.address,
        "at": iso(e.at),
    }


def event(e: Event) -> dict[str, Any]:
    return {"seq": e.seq, "kind": e.kind, "data": e.data, "at": iso(e.at)}
