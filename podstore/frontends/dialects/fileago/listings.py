"""`dirlist` of folders and of the pseudo-folders, each as the core sees it."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from podstore.core.context import Actor
from podstore.core.errors import Conflict, NotFound
from podstore.core.records import NodeInfo
from podstore.core.service import Core
from podstore.frontends.dialects.fileago import shapes
from podstore.frontends.dialects.fileago.places import Ref, drive, own_pod

PAGE = 10_000


async def folder_entries(core: Core, actor: Actor, scope: str, path: str) -> list[dict[str, Any]]:
    facts = await core.tree.facts(actor, scope, path)
    entries: list[NodeInfo] = []
    cursor: str | None = None
    while True:
        page = await core.tree.list(actor, scope, path, limit=PAGE, cursor=cursor)
        entries += page.entries
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return [shapes.entry(node, facts.get(node.id)) for node in entries]


async def _in_pod(core: Core, actor: Actor, node_ids: list[str], pod_id: str) -> set[str]:
    """Those of `node_ids` that lie in the pod `pod_id`, as the actor reaches them."""
    found = set()
    for node_id in node_ids:
        with contextlib.suppress(NotFound):
            scope, path = await core.sharing.locate(actor, node_id)
            if (await core.sharing.node_info(actor, scope, path)).pod_id == pod_id:
                found.add(node_id)
    return found


async def receive_copies(core: Core, actor: Actor) -> str:
    """Place the copies others shared with the actor into their Incoming pod; its id.
    A copy whose name is taken there stays in the inbox until that name is free."""
    incoming = await own_pod(core, actor, core.settings.frontends.fileago.incoming_pod)
    for offer in await core.offers.inbox(actor):
        if offer.kind == "copy":
            with contextlib.suppress(Conflict, NotFound):
                await core.offers.receive(actor, incoming.scope, "", offer_id=offer.id)
    return incoming.scope


async def pseudo_entries(core: Core, actor: Actor, ref: Ref) -> list[dict[str, Any]]:
    group = ref.id if ref.id and ref.id != actor.user_id else None
    if ref.pseudo == "home":
        home = await drive(core, actor, ref.id)
        return await folder_entries(core, actor, home.scope, "")
    if ref.pseudo == "trash":  # the user's own holds what they deleted in Incoming too
        scopes = [(await drive(core, actor, ref.id)).scope]
        if group is None:
            incoming = core.settings.frontends.fileago.incoming_pod
            scopes.append((await own_pod(core, actor, incoming)).scope)
        return [shapes.entry(n) for scope in scopes for n in await core.tree.trash(actor, scope)]
    if ref.pseudo == "incoming":
        if group is not None:  # copies shared with a group land in its members' Incoming
            await drive(core, actor, ref.id)
            return []
        return await folder_entries(core, actor, await receive_copies(core, actor), "")
    if ref.pseudo == "favorites":
        starred = await core.tree.starred(actor)
        if group is not None:
            home = await drive(core, actor, group)
            kept = await _in_pod(core, actor, [n.id for n in starred], home.scope)
            starred = [n for n in starred if n.id in kept]
        return [shapes.entry(n) for n in starred]
    if ref.pseudo == "shared_with_you":
        grants = await core.sharing.incoming(actor)
        if group is not None:
            name = (await core.groups.get(actor, group)).group.name
            grants = [g for g in grants if g.group == name]
        return [shapes.grant_entry(g) for g in _unique(grants)]
    if ref.pseudo == "private_shares":
        grants = await core.sharing.outgoing(actor)
        if group is not None:
            home = await drive(core, actor, group)
            kept = await _in_pod(core, actor, [g.node_id for g in grants], home.scope)
            grants = [g for g in grants if g.node_id in kept]
        return [shapes.grant_entry(g) for g in _unique(grants)]
    return await _public_shares(core, actor, group)


def _unique(grants: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for grant in grants:
        seen.setdefault(grant.node_id, grant)
    return list(seen.values())


async def _public_shares(core: Core, actor: Actor, group: str | None) -> list[dict[str, Any]]:
    pod_id = (await drive(core, actor, group)).scope if group else None
    entries: dict[str, dict[str, Any]] = {}
    for link in await core.links.list(actor):
        with contextlib.suppress(NotFound):
            scope, path = await core.sharing.locate(actor, link.node_id)
            info = await core.sharing.node_info(actor, scope, path)
            if pod_id is None or info.pod_id == pod_id:
                node = replace(info.node, starred=info.starred)
                entries.setdefault(node.id, shapes.entry(node))
    return list(entries.values())
