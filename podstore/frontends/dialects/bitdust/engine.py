"""The BitDust engine's local state: its API secret, its one identity, its temp folder and
the local roots, shared by the REST and WebSocket listeners of one server.

The engine acts for one podstore user: the one `identity_create` made or `identity_recover`
restored. Their name, password and recovery phrase are kept in `<data>/bitdust/identity.json`
(mode 0600), as BitDust keeps its private key in its data folder. A podstore session token
sent as the API secret acts for its own user instead, so several users of one server can each
use BitDust clients.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from podstore.core.context import Actor
from podstore.core.errors import Unauthenticated
from podstore.core.service import Core
from podstore.frontends.dialects.bitdust.envelope import Failure
from podstore.frontends.dialects.bitdust.tasks import Tasks
from podstore.settings import BitDustSettings

NO_IDENTITY = "local identity is not valid or not exist"


@dataclass(frozen=True)
class Caller:
    """Who an API call acts for: the engine's identity (maybe none yet) or a token's user."""

    actor: Actor | None
    engine: bool  # came with the engine's own secret

    @property
    def me(self) -> Actor:
        return self.require()

    def require(self) -> Actor:
        """The actor, or BitDust's error when the engine has no identity yet."""
        if self.actor is None:
            raise Failure(NO_IDENTITY, "no_identity")
        return self.actor


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(temp, path)


class Engine:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.settings: BitDustSettings = core.settings.frontends.bitdust
        self.folder = core.settings.data_dir / "bitdust"
        self.identity_file = self.folder / "identity.json"
        self.secret = self._load_secret()
        self.tasks = Tasks(self.settings.max_upload_tasks)
        self._token: str | None = None
        # where each `message_receive` consumer is in its user's event stream: (user, id) -> seq
        self.consumers: dict[tuple[str, str], int] = {}

    def _load_secret(self) -> str:
        path = self.folder / "apisecret"
        try:
            secret = path.read_text().strip()
        except FileNotFoundError:
            secret = ""
        if not secret:
            secret = secrets.token_urlsafe(24)
            _write_private(path, secret)
        if self.settings.apisecret_file is not None:
            _write_private(self.settings.apisecret_file, secret)
        return secret

    @property
    def host(self) -> str:
        return self.settings.id_host

    def global_id(self, name: str) -> str:
        return f"{name}@{self.host}"

    # -- the identity --------------------------------------------------------------------------

    def identity(self) -> dict[str, str] | None:
        try:
            found = json.loads(self.identity_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def save_identity(self, name: str, password: str, mnemonic: str) -> None:
        record = {"name": name, "password": password, "mnemonic": mnemonic}
        _write_private(self.identity_file, json.dumps(record))
        self._token = None

    def forget_identity(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.identity_file.unlink()
        self._token = None

    async def engine_actor(self) -> Actor | None:
        found = self.identity()
        if found is None:
            return None
        if self._token is not None:
            with contextlib.suppress(Unauthenticated):
                return await self.core.accounts.authenticate(self._token)
        login = await self.core.accounts.login(found["name"], found["password"], "bitdust")
        self._token = login.token
        return await self.core.accounts.authenticate(login.token)

    async def caller(self, secret: str | None) -> Caller:
        """Who `secret` acts for; `Unauthenticated` for anything else."""
        if secret and secrets.compare_digest(secret.encode(), self.secret.encode()):
            return Caller(await self.engine_actor(), engine=True)
        if secret and "." in secret:
            return Caller(await self.core.accounts.authenticate(secret), engine=False)
        raise Unauthenticated("access denied")

    async def consumer_position(self, core: Core, user_id: str, consumer: str) -> int:
        """A new consumer starts at the events of this moment."""
        key = (user_id, consumer)
        if key not in self.consumers:
            if len([k for k in self.consumers if k[0] == user_id]) >= 100:
                raise Failure("too many message consumers", "too_many_requests")
            self.consumers[key] = await core.events.last_seq(user_id)
        return self.consumers[key]

    # -- local files ---------------------------------------------------------------------------

    def temp_folder(self, actor: Actor) -> Path:
        folder = self.folder / "temp" / actor.user_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def new_temp_file(self, actor: Actor, prefix: str) -> Path:
        """A new file in the caller's temp folder; files there idle longer than an upload
        session may live are removed on the way."""
        folder = self.temp_folder(actor)
        stale = time.time() - self.core.settings.upload_session_ttl_seconds
        for old in folder.iterdir():
            with contextlib.suppress(OSError):
                if old.is_file() and old.stat().st_mtime < stale:
                    old.unlink()
        path = folder / f"{prefix}-{secrets.token_hex(8)}"
        path.touch(mode=0o600)
        return path

    def local_path(self, actor: Actor | None, text: str) -> Path:
        """`text` as a path under a local root or the caller's temp folder, else BitDust's
        error; `..` is refused before anything resolves."""
        raw = Path(os.path.expanduser(text))
        if not raw.is_absolute() or ".." in raw.parts or "\x00" in text:
            raise Failure(f"local file or folder {text} not exist", "outside_roots")
        resolved = raw.resolve()
        temp = [self.temp_folder(actor)] if actor is not None else []
        roots = [*temp, *self.settings.local_roots]
        if not any(resolved.is_relative_to(Path(root).resolve()) for root in roots):
            raise Failure(f"local file or folder {text} not exist", "outside_roots")
        return resolved

    def temp_path(self, actor: Actor, text: str) -> Path:
        """A path inside the caller's temp folder (chunk_read/chunk_write), else BitDust's error."""
        folder = self.temp_folder(actor).resolve()
        raw = Path(text)
        if ".." in raw.parts or "\x00" in text or not raw.resolve().is_relative_to(folder):
            raise Failure("wrong path location provided", "outside_temp")
        return raw.resolve()


_ENGINES: weakref.WeakKeyDictionary[Core, Engine] = weakref.WeakKeyDictionary()


def engine_of(core: Core) -> Engine:
    """The one engine of a core, shared by the REST and the WebSocket listener."""
    if core not in _ENGINES:
        _ENGINES[core] = Engine(core)
    return _ENGINES[core]
