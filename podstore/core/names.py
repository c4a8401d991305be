"""The one place where names and paths are validated."""

from __future__ import annotations

import re
import unicodedata

from podstore.core.errors import Invalid

MAX_NAME_BYTES = 255
MAX_PATH_DEPTH = 256
_USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


def validate_name(name: str) -> str:
    """A file, folder or pod name, normalised to NFC, or Invalid."""
    if not isinstance(name, str):
        raise Invalid("a name must be a string")
    if "\x00" in name or "/" in name:
        raise Invalid("a name may not contain '/' or NUL")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid("a name must be valid UTF-8") from exc
    name = unicodedata.normalize("NFC", name)
    if name in ("", ".", ".."):
        raise Invalid(f"{name!r} is not a valid name")
    if len(encoded) > MAX_NAME_BYTES or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise Invalid(f"a name may be at most {MAX_NAME_BYTES} bytes of UTF-8")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise Invalid("a name may not contain control characters")
    return name


def decode_name(raw: bytes) -> str:
    """A name that arrived as bytes (a multipart filename): strict UTF-8, then validated."""
    return validate_name(decode_text(raw, "a name"))


def decode_text(raw: bytes, what: str = "a path") -> str:
    """Bytes from the wire as text: valid UTF-8 without control characters, or Invalid.
    Nothing is replaced, so two different byte strings never become the same name."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{what} must be valid UTF-8") from None
    if _CONTROL.search(text):
        raise Invalid(f"{what} may not contain control characters")
    return text


def split_path(path: str) -> list[str]:
    """A slash-separated path inside a pod as validated names; '' and '/' are the root."""
    if not isinstance(path, str):
        raise Invalid("a path must be a string")
    parts = [p for p in path.split("/") if p != ""]
    if len(parts) > MAX_PATH_DEPTH:
        raise Invalid("the path is too deep")
    return [validate_name(p) for p in parts]


def join_path(parts: list[str]) -> str:
    return "/" + "/".join(parts)


def validate_user_name(name: str) -> str:
    if not isinstance(name, str) or not _USER_NAME.match(name):
        raise Invalid(
            "a user name is 2 to 63 characters: lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def validate_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < 12:
        raise Invalid("a password must have at least 12 characters")
    if len(password) > 1024:
        raise Invalid("a password may have at most 1024 characters")
    return password


def validate_email(address: str) -> str:
    """An e-mail address, lowercased (addresses are compared without case)."""
    if not isinstance(address, str) or len(address) > 254 or not _EMAIL.match(address):
        raise Invalid("an e-mail address looks like name@example.org")
    if _CONTROL.search(address):
        raise Invalid("an e-mail address may not contain control characters")
    return address.lower()
