"""One settings object: embedded defaults, then a TOML file, then PODSTORE_* variables.

Core settings are flat (`PODSTORE_PORT`); front ends, extra listeners and the blob store are
nested sections (`PODSTORE_STORAGE__KIND`, `PODSTORE_LISTENERS__HASURA__ENABLED`; TOML
`[storage]`, `[listeners.hasura]`). The flat blob-store names of earlier releases
(`PODSTORE_BLOB_STORE`, `PODSTORE_BLOB_DIR`, `PODSTORE_S3_*`) still work: they fill the
`storage` fields that the nested names leave unset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "podstore"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(Section):
    """One blob store; an erasure store holds `children` of its own."""

    kind: Literal["local", "s3", "erasure"] = "local"
    path: Path | None = None  # local: the folder; default data_dir / "blobs"
    endpoint: str | None = None  # s3
    bucket: str = "podstore"
    access_key: str | None = None
    secret_key: str | None = None
    region: str = "us-east-1"
    prefix: str = ""  # s3: key prefix inside the bucket
    retries: int | None = None  # retries of transient failures; default 3 on s3, else 0
    connect_timeout_seconds: float = Field(default=3.0, gt=0)  # s3
    read_timeout_seconds: float | None = Field(default=None, gt=0)  # s3; default fits 8 MiB parts
    k: int = 2  # erasure: data fragments
    m: int = 1  # erasure: parity fragments
    write_quorum: int | None = None  # erasure: fragments a write needs; default k + m
    children: list[StoreSettings] = Field(default_factory=list)  # erasure: k + m stores
    spares: list[StoreSettings] = Field(default_factory=list)  # erasure: stores to move a child to

    @model_validator(mode="after")
    def _erasure_has_its_children(self) -> StoreSettings:
        if self.kind == "erasure" and len(self.children) != self.k + self.m:
            raise ValueError(
                f"an erasure store with k={self.k}, m={self.m} needs {self.k + self.m} "
                f"children, settings give {len(self.children)}"
            )
        return self


class ListenerSettings(Section):
    """An extra address served by this process, with the front end `app` on it."""

    app: str
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int


def planned_listeners() -> dict[str, dict[str, Any]]:
    """The listeners DESIGN.md §10 plans, off until enabled."""
    return {
        "hasura": {"app": "hasura", "enabled": False, "port": 9091},
        "bitdust": {"app": "bitdust", "enabled": False, "port": 8180},
        "bitdust_ws": {"app": "bitdust-ws", "enabled": False, "port": 8280},
        "fairos": {"app": "fairos", "enabled": False, "port": 9092},
    }


class FrontendSettings(Section):
    enabled: bool = True


class FileAgoSettings(FrontendSettings):
    token_ttl_seconds: int = 24 * 3600  # the JWT /auth hands out, and its fileaccesskey
    upload_token_seconds: float = 5.0  # an upload token's life, as FileAgo documents it
    home_pod: str = "home"  # a user's Home: their pod of this name, created on first use
    incoming_pod: str = "incoming"  # where copies shared with a user land


HasuraPermissions = Literal[
    "admin-only", "private", "public-read-user-write", "public-read", "webhook"
]


class HasuraSettings(Section):
    """The Hasura file service; its listener (`listeners.hasura`) switches it on."""

    permissions: HasuraPermissions = "admin-only"
    hook_url: str | None = None  # permissions = "webhook": asked about every non-admin request
    hook_timeout_seconds: float = 5.0
    pod: str = "filestore"  # the pod each uploader's files land in, made on first upload
    admins: list[str] = Field(default_factory=list)  # users who may take the `admin` role
    trusted_gateways: list[str] = Field(default_factory=list)  # addresses or networks
    cors_origins: list[str] = Field(default_factory=list)  # web apps that call it from a browser
    key_file: Path | None = None  # the service key; default data_dir / "filestore.key"

    @model_validator(mode="after")
    def _webhook_has_its_url(self) -> HasuraSettings:
        if self.permissions == "webhook" and not self.hook_url:
            raise ValueError("frontends.hasura.permissions = webhook needs a hook_url")
        return self


class AntosSettings(FrontendSettings):
    """The AntOS VFS dialect: /VFS, /user and /system on the main listener."""

    home_pod: str = "home"  # the pod `home://` names, made on first sign-in
    os_dir: str = ""  # an AntOS front-end build: `os://` and the desktop's files; "" for none
    desktop_prefix: str = ""  # serve the desktop on the main listener under it, e.g. "/antos"

    @model_validator(mode="after")
    def _prefix_is_a_path(self) -> AntosSettings:
        self.desktop_prefix = self.desktop_prefix.rstrip("/")
        prefix = self.desktop_prefix
        if prefix and not prefix.startswith("/"):
            raise ValueError("frontends.antos.desktop_prefix is a path such as /antos")
        if prefix and prefix.split("/")[1] in ("api", "dav"):
            raise ValueError(
                f"frontends.antos.desktop_prefix {prefix} would hide the native API or WebDAV"
            )
        return self


class BitDustSettings(FrontendSettings):
    """The BitDust dialect on the `bitdust` (REST) and `bitdust_ws` (WebSocket) listeners."""

    id_host: str = "localhost"  # the `host` of the engine's global ids `user@host`
    apisecret_file: Path | None = None  # also write the API secret here (~/.bitdust/apisecret)
    local_roots: list[Path] = Field(default_factory=list)  # local paths uploads/downloads may use
    versions_kept: int = 2  # versions of a file its catalog keeps (BitDust's max-copies)
    allow_operator_actions: bool = False  # may a local client stop the server, change stores?
    max_upload_tasks: int = 16  # running and pending upload or download tasks per user


class FairosSettings(FrontendSettings):
    cors_origins: list[str] = Field(default_factory=list)  # FairOS's --cors-origins


class Frontends(Section):
    """Front ends mounted on the main listener, next to the native API, and the settings of
    those served on listeners of their own."""

    tus: FrontendSettings = Field(default_factory=FrontendSettings)
    fileago: FileAgoSettings = Field(default_factory=FileAgoSettings)
    hasura: HasuraSettings = Field(default_factory=HasuraSettings)
    antos: AntosSettings = Field(default_factory=AntosSettings)
    web: FrontendSettings = Field(default_factory=FrontendSettings)
    bitdust: BitDustSettings = Field(default_factory=BitDustSettings)
    fairos: FairosSettings = Field(default_factory=FairosSettings)
    webdav: FrontendSettings = Field(default_factory=FrontendSettings)


# flat names of earlier releases -> field of the `storage` section
_LEGACY_STORE = {
    "blob_store": "kind",
    "blob_dir": "path",
    "s3_endpoint": "endpoint",
    "s3_bucket": "bucket",
    "s3_access_key": "access_key",
    "s3_secret_key": "secret_key",
    "s3_region": "region",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PODSTORE_", env_nested_delimiter="__", extra="ignore"
    )

    host: str = "127.0.0.1"  # the main listener
    port: int = 9090
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # default: SQLite in data_dir
    public_url: str | None = None  # how clients reach us, for links; default http://host:port

    storage: StoreSettings = Field(default_factory=StoreSettings)
    listeners: dict[str, ListenerSettings] = Field(default_factory=dict)
    frontends: Frontends = Field(default_factory=Frontends)

    # aliases of `storage` fields, read only to fill them (see _LEGACY_STORE)
    blob_store: Literal["local", "s3"] | None = None
    blob_dir: Path | None = None
    s3_endpoint: str | None = None
    s3_bucket: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str | None = None

    token_ttl_seconds: int = 7 * 24 * 3600
    session_cache_seconds: float = 2.0  # other nodes see a logout within this time
    user_quota_bytes: int = 0  # 0 = unlimited
    versions_kept: int = 10
    gc_grace_seconds: int = 24 * 3600
    event_retention_days: int = 30  # `podstore gc` drops older events
    inline_threshold: int = 64 * 1024
    preview_max_bytes: int = 32 * 1024 * 1024  # larger images get no thumbnail
    preview_max_pixels: int = 50_000_000  # nor do images of more pixels (decompression bombs)
    max_json_body: int = 1024 * 1024  # any request body a route does not stream or size itself
    body_idle_timeout_seconds: float = 30.0  # a request body that stalls this long: 408
    header_read_timeout_seconds: float = 30.0  # the request line and headers must arrive in it
    max_copy_nodes: int = 10_000  # files and folders one copy may hold (one write transaction)
    # resumable uploads (chunk-list handshake and tus)
    upload_session_ttl_seconds: int = 24 * 3600  # idle time before a session expires
    max_request_bytes: int = 64 * 1024 * 1024  # largest chunk or tus PATCH body
    max_upload_sessions: int = 100  # unfinished uploads per user
    max_unfinished_bytes: int = 1024**4  # declared bytes of a user's unfinished uploads
    first_user_is_admin: bool = True  # the first account signed up is an administrator
    login_failures_before_delay: int = 5
    login_failures_per_address: int = 50
    argon2_memory_kib: int = 19 * 1024
    argon2_time_cost: int = 2
    workers: int = 1
    # chunk pipeline memory: each thread keeps a frame buffer as large as the largest chunk
    # (4 MiB); an upload keeps `upload_window` chunks in flight, a download reads ahead
    # `readahead` chunks. 0 = sized from the CPUs (ChunkEngine's defaults).
    chunk_threads: int = Field(default=0, ge=0, le=64)
    upload_window: int = Field(default=0, ge=0, le=64)
    readahead: int = Field(default=0, ge=0, le=64)
    log_level: str = "info"

    @model_validator(mode="before")
    @classmethod
    def _nest(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        storage = data.get("storage")
        storage = dict(storage) if isinstance(storage, dict) else {}
        for flat, nested in _LEGACY_STORE.items():
            if data.get(flat) is not None:
                storage.setdefault(nested, data[flat])
        listeners = data.get("listeners") or {}
        if isinstance(listeners, dict):
            merged = planned_listeners()
            for name, given in listeners.items():
                planned = merged.get(name, {})
                merged[name] = {**planned, **given} if isinstance(given, dict) else given
            listeners = merged
        kept = {key: value for key, value in data.items() if key not in _LEGACY_STORE}
        return {**kept, "storage": storage, "listeners": listeners}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("PODSTORE_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'podstore.db'}"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
