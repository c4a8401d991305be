"""The Core: one object that the API, the CLI and the dialects call into."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import Any

from podstore.core.access.authorize import PodKeyCache
from podstore.core.access.revocations import Hooks, Revocations
from podstore.core.accounts.accounts import Accounts
from podstore.core.accounts.app_passwords import AppPasswords
from podstore.core.context import Actor, CoreContext, now
from podstore.core.dav.service import Dav
from podstore.core.docs.collections import DocCollections
from podstore.core.filestore.filestore import Filestore
from podstore.core.keyring.keyring import Keyring
from podstore.core.kv.tables import KvTables
from podstore.core.maintenance import referenced_names
from podstore.core.pods.pods import Pods, total_used_bytes
from podstore.core.previews.previews import Previews
from podstore.core.records import AccountExport, PodExport, SupplierChange, SupplierInfo
from podstore.core.sessions.state import SessionState
from podstore.core.sharing.grants import Sharing
from podstore.core.sharing.groups import Groups
from podstore.core.sharing.links import Links
from podstore.core.sharing.offers import Offers
from podstore.core.sharing.published import Published
from podstore.core.social.audit import AuditLog
from podstore.core.social.contacts import Contacts
from podstore.core.social.events import EventHub
from podstore.core.social.events import prune as prune_events
from podstore.core.social.messages import Messages
from podstore.core.suppliers import change_supplier, list_suppliers
from podstore.core.tree.files import Files
from podstore.core.tree.folders import Tree
from podstore.core.tree.nodes import export_tree
from podstore.core.tree.refs import forget_unreferenced
from podstore.core.uploads.handshake import Uploads
from podstore.core.uploads.sessions import expire_sessions
from podstore.core.uploads.tus import Tus
from podstore.meta.db import Database
from podstore.meta.locks import advisory_lock
from podstore.settings import Settings
from podstore.storage.engine import ChunkEngine
from podstore.storage.gc import collect_garbage, fsck
from podstore.storage.open import open_blob_store


@dataclass(frozen=True)
class MaintenanceReport:
    ok: bool
    detail: dict[str, Any]


class Core:
    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        if migrate:
            db.migrate()
        blobs = open_blob_store(settings.storage, settings.data_dir / "blobs")
        engine = ChunkEngine(
            blobs,
            inline_threshold=settings.inline_threshold,
            workers=settings.chunk_threads or None,
            in_flight=settings.upload_window or None,
            readahead=settings.readahead or None,
        )
        self.ctx = CoreContext(settings=settings, db=db, blobs=blobs, engine=engine)
        self.keys = PodKeyCache()
        self.accounts = Accounts(self.ctx)
        self.session_state = SessionState(self.ctx)
        self.app_passwords = AppPasswords(self.ctx, self.accounts)
        self.pods = Pods(self.ctx)
        self.events = EventHub(db)
        self.messages = Messages(self.ctx)
        self.contacts = Contacts(self.ctx)
        self.audit = AuditLog(self.ctx)
        self.tree = Tree(self.ctx)
        self.dav = Dav(self.ctx)
        self.files = Files(self.ctx, self.keys)
        self.previews = Previews(self.ctx, self.files)
        self.uploads = Uploads(self.ctx, self.keys, self.files)
        self.tus = Tus(self.ctx, self.keys, self.files, self.uploads)
        self.kv = KvTables(self.ctx)
        self.docs = DocCollections(self.ctx, self.files)
        self.groups = Groups(self.ctx)
        self.sharing = Sharing(self.ctx, self.keys)
        self.links = Links(self.ctx, self.keys, self.files, self.accounts)
        self.published = Published(self.ctx, self.keys, self.links)
        self.offers = Offers(self.ctx, self.keys)
        self.filestore = Filestore(self.ctx, self.accounts, self.files, self.tree)
        self.keyring = Keyring(self.ctx, self.pods, self.sharing)
        self.revocations = Revocations(
            db, Hooks(self.accounts.sessions.forget, self.keys.forget, self._forget_cached)
        )
        self.accounts.sessions.catch_up = self.revocations.catch_up

    async def start(self) -> None:
        """For a serving node: follow the revocations other nodes publish."""
        await self.revocations.start()

    def _forget_cached(self) -> None:
        self.accounts.sessions.clear()
        self.keys.forget()

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    def writer_hold_seconds(self) -> tuple[float, float, int] | None:
        """(longest, total, transactions) the metadata writer held its lock; None without one."""
        hold = self.ctx.db.writer_hold
        return None if hold is None else (hold.seconds_max, hold.seconds_total, hold.batches)

    async def suppliers(self) -> list[SupplierInfo]:
        """The stores holding the data, each probed (BitDust's suppliers)."""
        return await asyncio.to_thread(list_suppliers, self.ctx.blobs, self.settings.storage)

    async def change_supplier(self, position: int, spare: int = 0) -> SupplierChange:
        """Move store `position` of the erasure set onto spare `spare`, rebuilding it there.
        An operator's action: front ends offer it only where settings allow."""
        settings = self.settings
        return await asyncio.to_thread(
            change_supplier, self.ctx.blobs, settings.storage, position, spare, settings.data_dir
        )

    def storage_used(self) -> int:
        """Bytes of every file version kept, over all pods (for /metrics)."""
        return self.ctx.db.read_sync(total_used_bytes)

    async def export(self, actor: Actor) -> AccountExport:
        """The account's profile, pods, and every path with its versions, as metadata."""
        pods = [
            PodExport(pod, await self.ctx.db.read(partial(export_tree, pod_id=pod.id)))
            for pod in await self.pods.list(actor)
        ]
        return AccountExport(await self.accounts.me(actor), pods)

    async def delete_account(self, actor: Actor, password: str) -> None:
        await self.accounts.delete(actor, password, self.pods.delete_all_owned)

    async def close(self) -> None:
        await self.revocations.close()
        await self.events.close()
        await self.ctx.engine.close()
        self.ctx.blobs.close()
        self.ctx.db.close()

    # -- maintenance, for `podstore gc` and `podstore fsck` ----------------------------------

    def gc(self) -> MaintenanceReport:
        """Expiry sweeps, event retention and chunk collection; one node at a time (on
        PostgreSQL, while another node runs it this one skips and says so)."""
        with advisory_lock(self.ctx.db.writer_engine, "gc", wait=False) as mine:
            if not mine:
                return MaintenanceReport(True, {"skipped": "another node is running gc"})
            return self._gc()

    def _gc(self) -> MaintenanceReport:
        grace = self.settings.gc_grace_seconds
        expired = self.ctx.db.write_sync(expire_sessions)
        offers = self.ctx.db.write_sync(self.offers.expire)
        keep_events = now() - self.settings.event_retention_days * 86400
        pruned = self.ctx.db.write_sync(lambda c: prune_events(c, keep_events))
        forgotten = self.ctx.db.write_sync(lambda c: forget_unreferenced(c, now() - grace))
        live = self.ctx.db.read_sync(referenced_names)
        report = collect_garbage(self.ctx.blobs, live, grace)
        detail = {
            "forgotten_rows": forgotten,
            "expired_uploads": expired,
            "expired_offers": offers,
            "pruned_events": pruned,
            **vars(report),
        }
        return MaintenanceReport(True, detail)

    def fsck(self, repair: bool = True) -> MaintenanceReport:
        live = self.ctx.db.read_sync(referenced_names)
        report = fsck(self.ctx.blobs, sorted(live), repair=repair)
        return MaintenanceReport(report.ok, dict(vars(report)))
