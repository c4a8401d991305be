"""What a FileAgo node reference names: a node by UUID, or one of the pseudo-folders
(`home`, `trash`, …), the user's own or, as `<name>:<owner uuid>`, a group's."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from podstore.core.context import Actor
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.records import ScopedNode
from podstore.core.service import Core

PSEUDO = {
    "home": "Home",
    "incoming": "Incoming",
    "trash": "Trash",
    "public_shares": "External access",
    "private_shares": "Internal access",
    "favorites": "Favorites",
    "shared_with_you": "Shared with you",
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Ref:
    pseudo: str | None  # None: a node by its UUID
    id: str  # the node's UUID, or the pseudo-folder's owner ("": the user)

    def __str__(self) -> str:
        if self.pseudo is None:
            return self.id
        return f"{self.pseudo}:{self.id}" if self.id else self.pseudo


def uuid_of(text: str, what: str = "node") -> str:
    if not isinstance(text, str) or not _UUID.match(text.lower()):
        raise Invalid(f"{text!r} is not a {what} UUID")
    return text.lower()


def parse_ref(text: str) -> Ref:
    name, sep, owner = text.partition(":")
    if name in PSEUDO:
        return Ref(name, uuid_of(owner, "user or group") if sep else "")
    return Ref(None, uuid_of(text))


@dataclass(frozen=True)
class Drive:
    """A pod shown as a FileAgo top-level folder set: a user's Home or a group's."""

    scope: str  # the pod's id
    root_id: str
    group_id: str | None  # None: the user's own
    label: str  # "Home", or the group's name


async def own_pod(core: Core, actor: Actor, name: str) -> Drive:
    """The actor's pod `name`, made on first use; an administrator has no drive of their
    own, as in FileAgo, unless they made that pod themselves."""
    try:
        info = await core.pods.stat(actor, name)
    except NotFound:
        if (await core.accounts.me(actor)).is_admin:
            raise NotFound("the administrator has no drive of their own") from None
        with contextlib.suppress(Conflict):  # made by a concurrent request
            await core.pods.create(actor, name)
        info = await core.pods.stat(actor, name)
    return Drive(info.id, info.root_id, None, "Home")


async def drive(core: Core, actor: Actor, owner: str) -> Drive:
    """The Home of `owner`: the actor ("" or their own id) or a group of theirs."""
    settings = core.settings.frontends.fileago
    if not owner or owner == actor.user_id:
        return await own_pod(core, actor, settings.home_pod)
    group = await core.groups.get(actor, owner)
    pods = group.pods
    chosen = next((p for p in pods if p.name == settings.home_pod), pods[0] if pods else None)
    if chosen is None:
        raise NotFound("this group has no drive")
    info = await core.pods.stat(actor, chosen.id)
    return Drive(info.id, info.root_id, owner, group.group.name)


@dataclass(frozen=True)
class Target:
    """A node as the actor reaches it."""

    scope: str
    path: str
    info: ScopedNode


async def node(core: Core, actor: Actor, node_id: str) -> Target:
    scope, path = await core.sharing.locate(actor, node_id)
    return Target(scope, path, await core.sharing.node_info(actor, scope, path))


async def target(core: Core, actor: Actor, ref: Ref) -> Target:
    """A node, or the root of a Home; other pseudo-folders hold no nodes of their own."""
    if ref.pseudo is None:
        return await node(core, actor, ref.id)
    if ref.pseudo == "home":
        home = await drive(core, actor, ref.id)
        return Target(home.scope, "", await core.sharing.node_info(actor, home.scope, ""))
    raise Invalid(f"{PSEUDO[ref.pseudo]} is not a folder you can change")


async def folder(core: Core, actor: Actor, ref: Ref) -> Target:
    found = await target(core, actor, ref)
    if found.info.node.kind != "dir":
        raise Invalid("the target is a file, not a folder")
    return found


def child(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name
