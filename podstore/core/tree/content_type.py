"""Content-Type from the name, and from the first bytes when the name says nothing."""

from __future__ import annotations

import mimetypes

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\x28\xb5\x2f\xfd", "application/zstd"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"\x7fELF", "application/x-executable"),
)
SNIFF_BYTES = 512


def guess(name: str, head: bytes) -> str:
    by_name, _ = mimetypes.guess_type(name, strict=False)
    if by_name:
        return by_name
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    stripped = head.lstrip()
    if stripped.startswith((b"{", b"[")) and b"\x00" not in head:
        return "application/json" if _is_text(head) else "application/octet-stream"
    if stripped[:5].lower() in (b"<!doc", b"<html"):
        return "text/html"
    return "text/plain; charset=utf-8" if head and _is_text(head) else "application/octet-stream"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the sniff boundary
    return True
