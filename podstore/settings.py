"""One settings object: embedded defaults, then a TOML file, then PODSTORE_* variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "podstore"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PODSTORE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9090
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # default: SQLite in data_dir
    public_url: str | None = None  # how clients reach us, for links; default http://host:port

    blob_store: Literal["local", "s3"] = "local"
    blob_dir: Path | None = None  # default: data_dir / "blobs"
    s3_endpoint: str | None = None
    s3_bucket: str = "podstore"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"

    token_ttl_seconds: int = 7 * 24 * 3600
    session_cache_seconds: float = 2.0  # other nodes see a logout within this time
    user_quota_bytes: int = 0  # 0 = unlimited
    versions_kept: int = 10
    gc_grace_seconds: int = 24 * 3600
    event_retention_days: int = 30  # `podstore gc` drops older events
    inline_threshold: int = 64 * 1024
    max_json_body: int = 1024 * 1024  # any request body a route does not stream or size itself
    body_idle_timeout_seconds: float = 30.0  # a request body that stalls this long: 408
    header_read_timeout_seconds: float = 30.0  # the request line and headers must arrive in it
    # resumable uploads (chunk-list handshake and tus)
    upload_session_ttl_seconds: int = 24 * 3600  # idle time before a session expires
    max_request_bytes: int = 64 * 1024 * 1024  # largest chunk or tus PATCH body
    max_upload_sessions: int = 100  # unfinished uploads per user
    max_unfinished_bytes: int = 1024**4  # declared bytes of a user's unfinished uploads
    login_failures_before_delay: int = 5
    login_failures_per_address: int = 50
    argon2_memory_kib: int = 19 * 1024
    argon2_time_cost: int = 2
    workers: int = 1
    log_level: str = "info"

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
    def effective_blob_dir(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
