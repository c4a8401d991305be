"""BitDust's inputs: every value may arrive as a string (the CLI sends nothing else), booleans
as `1`, `true`, `yes`…; remote paths as `alias$user@host:path`, key ids as `alias$user@host`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podstore.frontends.dialects.bitdust.envelope import Failure

YES = ("1", "true", "True", "TRUE", "yes", "Yes", "YES", "ok", "on")
MASTER = "master"
NAME = re.compile(r"(?!\.{1,2}\Z)[A-Za-z0-9_.-]{1,100}")  # an alias, a user or an id host


class Args:
    """An API call's keyword arguments, read with BitDust's lenient typing."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool | dict | list):
            raise Failure(f"invalid value of {name!r}: a string is expected", "invalid")
        return str(value)

    def required(self, *names: str) -> str:
        """The first of `names` given (BitDust's aliases of one input)."""
        for name in names:
            value = self.text(name)
            if value is not None:
                return value
        if len(names) == 1:
            raise Failure(f"mandatory argument missed: {names[0]}", "missing_argument")
        raise Failure(f"one of mandatory parameters missed: {list(names)}", "missing_argument")

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool | int):
            return bool(value)
        return str(value) in YES

    def integer(self, name: str, default: int, low: int = 0, high: int = 2**62) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise Failure(f"invalid value of {name!r}: an integer is expected", "invalid") from None
        if not low <= number <= high:
            raise Failure(f"{name!r} must be between {low} and {high}", "invalid")
        return number


@dataclass(frozen=True)
class KeyId:
    alias: str
    user: str
    host: str

    def __str__(self) -> str:
        return f"{self.alias}${self.user}@{self.host}"


@dataclass(frozen=True)
class RemotePath:
    key: KeyId
    path: str  # "" for the key's root, else "a/b/c"

    def __str__(self) -> str:
        return f"{self.key}:{self.path}"


def parse_key_id(text: str, me: str, host: str) -> KeyId:
    """`alias$user@host`; `alias` alone is one of my keys, `user@host` alone my master."""
    alias, dollar, owner = text.partition("$")
    if not dollar:
        alias, owner = (MASTER, text) if "@" in text else (text, f"{me}@{host}")
    user, at, where = owner.partition("@")
    if not at or not all(NAME.fullmatch(part) for part in (alias, user, where)):
        raise Failure(f'invalid "key_id" format: {text}', "invalid")
    return KeyId(alias, user, where)


def parse_remote_path(text: str, me: str, host: str) -> RemotePath:
    """`[alias$]user@host:path`, or a bare path in my master key's catalog."""
    owner, colon, path = text.partition(":")
    if not colon and ("$" in text or "@" in text):
        raise Failure(f'invalid "remote_path" format: {text}', "invalid")
    if not colon:
        owner, path = f"{MASTER}${me}@{host}", text
    key = parse_key_id(owner, me, host) if owner else None
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if key is None or ".." in parts or "\x00" in path:
        raise Failure(f'invalid "remote_path" format: {text}', "invalid")
    return RemotePath(key, "/".join(parts))
