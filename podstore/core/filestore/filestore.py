"""Files by global id, as Hasura's file service kept them (DESIGN.md §5a, `filestore:`).

A file lands in its uploader's filestore pod (named by the settings, made on first upload)
at `/<file_id>`, so the native API shows it; `filestore_files` makes its id global. The
service opens those pods with its own key (`keys.py`) for whoever its rules (`rules.py`)
or the webhook let in, through the `filestore:<pod id>` scope of `authorize`: it reaches
these pods and nothing else. Replacing a file adds a version to the file where it is,
keeping its uploader; deleting moves it to its pod's trash and frees the id.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.accounts import crypto
from podstore.core.accounts.accounts import Accounts
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, Invalid, NotFound, PermissionDenied, Unauthenticated
from podstore.core.filestore.keys import load_or_create
from podstore.core.filestore.rules import ADMIN, CREATE, DELETE, READ, decide
from podstore.core.pods.pods import insert_pod, pod_name
from podstore.core.records import (
    Download,
    FilestoreIdentity,
    FileWritten,
    GatewayClaims,
    StoredFile,
)
from podstore.core.tree.files import Files
from podstore.core.tree.folders import Tree
from podstore.core.tree.nodes import get_node, is_live, path_of
from podstore.meta.errors import UniqueViolation
from podstore.meta.filestore_schema import filestore_files, filestore_pods, filestore_users
from podstore.meta.schema import pod_members, users
from podstore.settings import HasuraSettings

FILE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
ANONYMOUS = "anonymous"
USER = "user"
# (file_id, operation, who) -> None when the hook allows; raises when it does not
Hook = Callable[[str, str, FilestoreIdentity], Awaitable[None]]


def check_file_id(file_id: str) -> str:
    if not FILE_ID.fullmatch(file_id):
        raise Invalid("a file id is 1 to 128 letters, digits, '-', '_' or '.', not starting '.'")
    return file_id


@dataclass(frozen=True)
class _Entry:
    node_id: str
    pod_id: str
    path: str
    owner_id: str
    number: int
    role: str
    created_at: float


def _anonymous(role: str | None) -> FilestoreIdentity:
    if role not in (None, ANONYMOUS):
        raise Unauthenticated(f"sign in to act as {role!r}")
    return FilestoreIdentity(None, ANONYMOUS, 0, ANONYMOUS, (ANONYMOUS,))


class Filestore:
    def __init__(self, ctx: CoreContext, accounts: Accounts, files: Files, tree: Tree) -> None:
        self.ctx = ctx
        self.accounts = accounts
        self.files = files
        self.tree = tree
        self._key: bytes | None = None
        self._numbers: dict[str, int] = {}

    @property
    def settings(self) -> HasuraSettings:
        return self.ctx.settings.frontends.hasura

    def service_key(self) -> bytes:
        if self._key is None:
            path = self.settings.key_file or self.ctx.settings.data_dir / "filestore.key"
            self._key = load_or_create(path)
        return self._key

    # -- who asks ----------------------------------------------------------------------------

    async def identify(
        self,
        token: str | None,
        role: str | None,
        claims: GatewayClaims | None = None,
        peer: str | None = None,
    ) -> FilestoreIdentity:
        """The identity of a request: a trusted gateway's claims, else a podstore token (its
        role chosen among the user's), else anonymous. Claims from any other address are
        ignored: anyone can send those headers."""
        if claims is not None and self.trusts(peer):
            return await self._from_gateway(claims)
        if not token:
            return _anonymous(role)
        actor = await self.accounts.authenticate(token)
        if actor.name in self.settings.admins:
            allowed: tuple[str, ...] = (ADMIN, USER)
        elif (await self.accounts.me(actor)).is_admin:  # admin when they ask for it
            allowed = (USER, ADMIN)
        else:
            allowed = (USER,)
        chosen = role or allowed[0]
        if chosen == ANONYMOUS:  # a signed-in user may ask to be served as anyone is
            return _anonymous(chosen)
        if chosen not in allowed:
            mine = ", ".join(allowed)
            raise PermissionDenied(f"the role {chosen!r} is not one of yours ({mine})")
        return FilestoreIdentity(
            actor.user_id, actor.name, await self._number(actor.user_id), chosen, allowed
        )

    def trusts(self, peer: str | None) -> bool:
        if peer is None or not self.settings.trusted_gateways:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(net, strict=False)
            for net in self.settings.trusted_gateways
        )

    async def _from_gateway(self, claims: GatewayClaims) -> FilestoreIdentity:
        if not claims.user_id.isdigit():
            raise Invalid("X-Hasura-User-Id is a whole number")
        number = int(claims.user_id)
        role = claims.role or (USER if number else ANONYMOUS)
        allowed = tuple(r.strip() for r in (claims.allowed_roles or role).split(",") if r.strip())
        if role not in allowed:
            raise PermissionDenied(f"the role {role!r} is not among the allowed roles")
        if number == 0:
            return FilestoreIdentity(None, ANONYMOUS, 0, role, allowed)

        def query(conn: Connection) -> Any:
            return conn.execute(
                sa.select(users.c.id, users.c.name)
                .join(filestore_users, filestore_users.c.user_id == users.c.id)
                .where(filestore_users.c.number == number)
            ).first()

        row = await self.ctx.db.read(query)
        if row is None:
            raise Unauthenticated(f"no account has the user id {number}")
        return FilestoreIdentity(row.id, row.name, number, role, allowed)

    async def _number(self, user_id: str) -> int:
        """The user's Hasura number, given on first use."""
        if user_id in self._numbers:
            return self._numbers[user_id]

        def query(conn: Connection) -> int | None:
            found = conn.execute(
                sa.select(filestore_users.c.number).where(filestore_users.c.user_id == user_id)
            ).scalar()
            return None if found is None else int(found)

        number = await self.ctx.db.read(query)
        if number is None:
            with contextlib.suppress(UniqueViolation):  # given concurrently
                await self.ctx.db.write(
                    lambda c: c.execute(filestore_users.insert().values(user_id=user_id))
                )
            number = await self.ctx.db.read(query)
            assert number is not None
        self._numbers[user_id] = number
        return number

    # -- what they may do --------------------------------------------------------------------

    async def _allow(
        self,
        who: FilestoreIdentity,
        file_id: str,
        op: str,
        owner_id: str | None,
        hook: Hook | None,
    ) -> None:
        if decide(self.settings.permissions, who, op, owner_id):
            return
        if hook is None:
            raise RuntimeError("the webhook mode needs the front end's hook")
        await hook(file_id, op, who)

    def _actor(self, who: FilestoreIdentity) -> Actor:
        """The service, acting for `who`: it reaches the file-service pods and nothing else."""
        user_id = who.user_id or "filestore:anonymous"
        return Actor(user_id, who.name, private_key=None, link_secret=self.service_key())

    # -- the files ---------------------------------------------------------------------------

    async def _find(self, file_id: str) -> tuple[_Entry | None, str | None]:
        """(the live file of this id, None) or (None, the node of a stale entry if any)."""

        def query(conn: Connection) -> tuple[_Entry | None, str | None]:
            row = conn.execute(
                sa.select(filestore_files, filestore_users.c.number)
                .outerjoin(filestore_users, filestore_users.c.user_id == filestore_files.c.user_id)
                .where(filestore_files.c.file_id == file_id)
            ).first()
            if row is None:
                return None, None
            node = get_node(conn, row.node_id)
            if node is None or node.kind != "file" or not is_live(conn, node):
                return None, row.node_id  # its node went to the trash by another way
            entry = _Entry(
                node.id,
                node.pod_id,
                path_of(conn, node),
                row.user_id,
                row.number or 0,
                row.user_role,
                row.created_at,
            )
            return entry, None

        return await self.ctx.db.read(query)

    async def _existing(self, file_id: str) -> _Entry:
        entry, _ = await self._find(check_file_id(file_id))
        if entry is None:
            raise NotFound("no file with this id")
        return entry

    async def upload(
        self,
        who: FilestoreIdentity,
        file_id: str,
        source: AsyncIterable[bytes],
        *,
        content_type: str | None,
        size_hint: int | None,
        replace: bool,
        hook: Hook | None = None,
    ) -> StoredFile:
        """A new file of this id; with `replace`, new content for an existing one too."""
        entry, stale = await self._find(check_file_id(file_id))
        if entry is not None and not replace:
            raise Conflict("a file with this id exists already")
        await self._allow(who, file_id, CREATE, entry.owner_id if entry else None, hook)
        if entry is not None:
            await self._allow(who, file_id, DELETE, entry.owner_id, hook)
            written = await self.files.upload(
                self._actor(who),
                f"filestore:{entry.pod_id}",
                entry.path,
                source,
                content_type=content_type,
                size_hint=size_hint,
            )
            return self._stored(file_id, entry, written.node.content_type, written.node.size)
        if who.user_id is None:
            raise PermissionDenied("a file needs an uploader with an account: sign in")
        created = now()

        def register(conn: Connection, written: FileWritten) -> None:
            if stale is not None:
                conn.execute(
                    filestore_files.delete().where(
                        filestore_files.c.file_id == file_id, filestore_files.c.node_id == stale
                    )
                )
            conn.execute(
                filestore_files.insert().values(
                    file_id=file_id,
                    node_id=written.node.id,
                    user_id=who.user_id,
                    user_role=who.role,
                    created_at=created,
                )
            )

        pod_id = await self._pod_of(who.user_id)
        written = await self.files.upload(
            self._actor(who),
            f"filestore:{pod_id}",
            "/" + file_id,
            source,
            content_type=content_type,
            size_hint=size_hint,
            on_commit=register,
        )
        return StoredFile(
            file_id,
            written.node.content_type or "application/octet-stream",
            written.node.size,
            who.number,
            who.role,
            created,
        )

    async def open(
        self, who: FilestoreIdentity, file_id: str, hook: Hook | None = None
    ) -> tuple[StoredFile, Download]:
        entry = await self._existing(file_id)
        await self._allow(who, file_id, READ, entry.owner_id, hook)
        download = await self.files.open(self._actor(who), f"filestore:{entry.pod_id}", entry.path)
        return self._stored(file_id, entry, download.content_type, download.size), download

    async def delete(
        self, who: FilestoreIdentity, file_id: str, hook: Hook | None = None
    ) -> StoredFile:
        """Moves the file to its pod's trash (its uploader can restore it there) and frees
        the id."""
        entry = await self._existing(file_id)
        await self._allow(who, file_id, DELETE, entry.owner_id, hook)
        node = await self.tree.delete(self._actor(who), f"filestore:{entry.pod_id}", entry.path)
        await self.ctx.db.write(
            lambda c: c.execute(
                filestore_files.delete().where(
                    filestore_files.c.file_id == file_id,
                    filestore_files.c.node_id == entry.node_id,
                )
            )
        )
        return self._stored(file_id, entry, node.content_type, node.size)

    @staticmethod
    def _stored(file_id: str, entry: _Entry, content_type: str | None, size: int) -> StoredFile:
        kind = content_type or "application/octet-stream"
        return StoredFile(file_id, kind, size, entry.number, entry.role, entry.created_at)

    async def _pod_of(self, user_id: str) -> str:
        """The user's filestore pod, made (and its secrets sealed for the service) if new."""
        name = pod_name(self.settings.pod)
        key = self.service_key()

        def find(conn: Connection) -> str | None:
            found = conn.execute(
                sa.select(filestore_pods.c.pod_id).where(filestore_pods.c.user_id == user_id)
            ).scalar()
            return None if found is None else str(found)

        def make(conn: Connection) -> str:
            public_key = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == user_id)
            ).scalar_one()
            pod_id, secrets = insert_pod(
                conn,
                name=name,
                created_by=user_id,
                owner_id=user_id,
                versions_kept=self.ctx.settings.versions_kept,
            )
            context = pod_id.encode()
            conn.execute(
                pod_members.insert().values(
                    pod_id=pod_id,
                    user_id=user_id,
                    role="owner",
                    alias=name,
                    wrapped_key=crypto.wrap_for(bytes(public_key), secrets.to_bytes(), context),
                )
            )
            sealing = crypto.hkdf(key, b"podstore link")  # as `open_secrets` opens it
            conn.execute(
                filestore_pods.insert().values(
                    pod_id=pod_id,
                    user_id=user_id,
                    sealed_key=crypto.seal(sealing, secrets.to_bytes(), context),
                    key_hash=crypto.token_hash(key),
                )
            )
            return pod_id

        pod_id = await self.ctx.db.read(find)
        if pod_id is not None:
            return pod_id
        try:
            return await self.ctx.db.write(make)
        except UniqueViolation as exc:
            pod_id = await self.ctx.db.read(find)  # made concurrently, or the name is taken
            if pod_id is None:
                raise Conflict(
                    f"you have a pod named {name!r} that the file service did not make: "
                    "rename it to upload here"
                ) from exc
            return pod_id
