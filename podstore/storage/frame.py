"""The versioned frame every stored chunk (and every inline blob) is wrapped in.

Layout (big-endian), 60-byte header then the body:

    magic "PSCF" | version u8 | kind u8 | codec u8 | cipher u8 | body_len u32 | plain_len u32
    | nonce 12 B | checksum 32 B | body (AES-256-GCM ciphertext + 16-byte tag)

- `checksum` = BLAKE3 (keyless) over the first 28 header bytes and the body, so fsck can verify
  a blob without any key.
- The AEAD associated data is the chunk id (or, for inline content, the content hash) followed
  by the first 28 header bytes, so a frame cannot be moved to another id and no header field
  can be altered without the tag failing.
- The plaintext is zstd-compressed first (codec 1) only when that saves space.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import blake3
import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from podstore.storage import buffers
from podstore.storage.errors import CorruptData

Buffer = bytes | bytearray | memoryview
Compression = Literal["off", "fast", "strong"]

MAGIC = b"PSCF"
VERSION = 1
KIND_CHUNK = 0
KIND_INLINE = 1
CODEC_NONE = 0
CODEC_ZSTD = 1
CIPHER_AES256GCM = 1
NONCE_SIZE = 12
TAG_SIZE = 16
CHECKSUM_SIZE = 32

_PREFIX = struct.Struct(">4sBBBBII12s")
HEADER_SIZE = _PREFIX.size + CHECKSUM_SIZE
OVERHEAD = HEADER_SIZE + TAG_SIZE

LEVELS: dict[str, int | None] = {"off": None, "fast": 1, "strong": 9}
_SAMPLE = 64 * 1024
_SAMPLE_FROM = 256 * 1024

_local = threading.local()


@dataclass(frozen=True)
class FrameHeader:
    version: int
    kind: int
    codec: int
    cipher: int
    body_len: int
    plain_len: int
    nonce: bytes
    checksum: bytes


def parse_header(frame: Buffer) -> FrameHeader:
    if len(frame) < HEADER_SIZE:
        raise CorruptData("frame shorter than its header")
    magic, version, kind, codec, cipher, body_len, plain_len, nonce = _PREFIX.unpack_from(frame)
    if magic != MAGIC:
        raise CorruptData("not a chunk frame (bad magic)")
    if version != VERSION:
        raise CorruptData(f"unknown frame version {version}")
    if codec not in (CODEC_NONE, CODEC_ZSTD) or cipher != CIPHER_AES256GCM:
        raise CorruptData(f"unknown codec {codec} or cipher {cipher}")
    checksum = bytes(frame[_PREFIX.size : HEADER_SIZE])
    return FrameHeader(version, kind, codec, cipher, body_len, plain_len, nonce, checksum)


def checksum_ok(frame: Buffer) -> bool:
    """Keyless integrity check: header parses, length matches, BLAKE3 checksum matches."""
    try:
        header = parse_header(frame)
    except CorruptData:
        return False
    if len(frame) != HEADER_SIZE + header.body_len:
        return False
    view = memoryview(frame)
    hasher = blake3.blake3(view[: _PREFIX.size])
    hasher.update(view[HEADER_SIZE:])
    return hasher.digest() == header.checksum


def _compressor(level: int) -> zstandard.ZstdCompressor:
    cache: dict[int, zstandard.ZstdCompressor] | None = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    comp = cache.get(level)
    if comp is None:
        comp = cache[level] = zstandard.ZstdCompressor(level=level)
    return comp


def _decompressor() -> zstandard.ZstdDecompressor:
    dec: zstandard.ZstdDecompressor | None = getattr(_local, "decompressor", None)
    if dec is None:
        dec = _local.decompressor = zstandard.ZstdDecompressor()
    return dec


def _incompressible(sample: Buffer) -> bool:
    return len(_compressor(1).compress(sample)) > len(sample) * 15 // 16


def compress(plain: Buffer, compression: Compression) -> tuple[int, Buffer]:
    """(codec, payload): zstd output only when it is clearly smaller than the input."""
    level = LEVELS[compression]
    size = len(plain)
    if level is None or size < 64:
        return CODEC_NONE, plain
    if size >= _SAMPLE_FROM:
        # incompressible data (media, archives, ciphertext) is detected on a sample
        mid = size // 2
        if _incompressible(memoryview(plain)[mid : mid + _SAMPLE]):
            return CODEC_NONE, plain
    packed = _compressor(level).compress(plain)
    if len(packed) <= size - size // 32:
        return CODEC_ZSTD, packed
    return CODEC_NONE, plain


def _prefix(kind: int, codec: int, payload_len: int, plain_len: int, nonce: bytes) -> bytes:
    body_len = payload_len + TAG_SIZE
    return _PREFIX.pack(MAGIC, VERSION, kind, codec, CIPHER_AES256GCM, body_len, plain_len, nonce)


def seal(
    plain: Buffer,
    aead: AESGCM,
    aad_id: bytes,
    *,
    kind: int = KIND_CHUNK,
    compression: Compression = "fast",
) -> bytes:
    codec, payload = compress(plain, compression)
    nonce = os.urandom(NONCE_SIZE)
    prefix = _prefix(kind, codec, len(payload), len(plain), nonce)
    body = aead.encrypt(nonce, payload, aad_id + prefix)
    hasher = blake3.blake3(prefix)
    hasher.update(body)
    return b"".join((prefix, hasher.digest(), body))


def _out(size: int) -> memoryview:
    """This thread's frame buffer, at least `size` bytes: valid until its next seal."""
    return buffers.thread_buffer(buffers.FRAME, size)


def _checksummed(view: memoryview) -> memoryview:
    hasher = blake3.blake3(view[: _PREFIX.size])
    hasher.update(view[HEADER_SIZE:])
    view[_PREFIX.size : HEADER_SIZE] = hasher.digest()
    return view


def seal_reusing(
    plain: Buffer,
    aead: AESGCM,
    aad_id: bytes,
    *,
    compression: Compression = "fast",
) -> memoryview:
    """Like `seal` for a chunk, into this thread's frame buffer (storage/buffers.py): valid
    until the thread's next call."""
    codec, payload = compress(plain, compression)
    nonce = os.urandom(NONCE_SIZE)
    prefix = _prefix(KIND_CHUNK, codec, len(payload), len(plain), nonce)
    total = HEADER_SIZE + len(payload) + TAG_SIZE
    view = _out(total)[:total]
    view[: _PREFIX.size] = prefix
    aead.encrypt_into(nonce, payload, aad_id + prefix, view[HEADER_SIZE:])
    return _checksummed(view)


def _middle_sample(parts: Sequence[Buffer], size: int) -> Buffer:
    """Up to `_SAMPLE` bytes of the part that holds the middle of their concatenation."""
    at = size // 2
    for part in parts:
        if at < len(part):
            start = max(0, min(at, len(part) - _SAMPLE))
            return memoryview(part)[start : start + _SAMPLE]
        at -= len(part)
    return b""


def seal_parts_reusing(
    parts: Sequence[Buffer],
    data_key: bytes,
    aad_id: bytes,
    *,
    compression: Compression = "fast",
) -> memoryview | None:
    """`seal_reusing` of the parts' concatenation, encrypted part by part, without joining
    them first; None when the content may compress (then seal the joined parts instead).

    A frame from here is the same as one from `seal_reusing` (AES-GCM is a stream cipher
    with the tag at the end), for content that `compress` leaves uncompressed.
    """
    size = sum(len(p) for p in parts)
    if LEVELS[compression] is not None:
        sample = _middle_sample(parts, size)
        if size < _SAMPLE_FROM or len(sample) < _SAMPLE // 4 or not _incompressible(sample):
            return None
    nonce = os.urandom(NONCE_SIZE)
    prefix = _prefix(KIND_CHUNK, CODEC_NONE, size, size, nonce)
    total = HEADER_SIZE + size + TAG_SIZE
    view = _out(total + 16)  # update_into wants a block of room past its output
    view[: _PREFIX.size] = prefix
    encryptor = Cipher(algorithms.AES(data_key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad_id + prefix)
    at = HEADER_SIZE
    for part in parts:
        at += encryptor.update_into(part, view[at:])
    encryptor.finalize()
    view[at:total] = encryptor.tag
    return _checksummed(view[:total])


def open_frame(frame: Buffer, aead: AESGCM, aad_id: bytes, *, kind: int = KIND_CHUNK) -> bytes:
    """The plaintext of a frame; CorruptData if anything does not authenticate."""
    return bytes(_open(frame, aead, aad_id, kind, into_thread_buffer=False))


def open_chunk_pieces(
    frame: Buffer,
    aead: AESGCM,
    aad_id: bytes,
    lo: int,
    hi: int,
    piece: int,
    *,
    in_place: bool = False,
) -> list[bytes]:
    """Bytes `lo:hi` of a chunk frame's plaintext, in pieces of at most `piece` bytes;
    CorruptData as `open_frame`. It is decrypted into this thread's reused buffer, or with
    `in_place` into the frame's own memory where that is writable (its contents are then
    spent), so the only fresh memory is the pieces (a chunk's own fresh plaintext cost a
    memset and a page fault per page, every time)."""
    plain = _open(frame, aead, aad_id, KIND_CHUNK, into_thread_buffer=True, in_place=in_place)
    if not 0 <= lo <= hi <= len(plain):
        raise ValueError(f"{lo}:{hi} is outside a chunk of {len(plain)} bytes")
    if isinstance(plain, bytes) and lo == 0 and hi == len(plain) <= piece:
        return [plain]
    return [bytes(plain[at : min(at + piece, hi)]) for at in range(lo, hi, piece)]


def _open(
    frame: Buffer,
    aead: AESGCM,
    aad_id: bytes,
    kind: int,
    *,
    into_thread_buffer: bool,
    in_place: bool = False,
) -> bytes | memoryview:
    header = parse_header(frame)
    if header.kind != kind:
        raise CorruptData("frame kind does not match")
    if len(frame) != HEADER_SIZE + header.body_len:
        raise CorruptData("frame length does not match its header (torn or truncated)")
    if header.body_len < TAG_SIZE:
        raise CorruptData("frame body shorter than its tag")
    view = memoryview(frame)
    aad = aad_id + bytes(view[: _PREFIX.size])
    payload: bytes | memoryview
    try:
        if into_thread_buffer:
            size = header.body_len - TAG_SIZE
            if in_place and not view.readonly:  # OpenSSL's GCM decrypts with out == in
                payload = view[HEADER_SIZE : HEADER_SIZE + size]
            else:
                payload = buffers.thread_buffer(buffers.PLAIN, size)[:size]
            aead.decrypt_into(header.nonce, view[HEADER_SIZE:], aad, payload)
        else:
            payload = aead.decrypt(header.nonce, view[HEADER_SIZE:], aad)
    except InvalidTag:
        raise CorruptData("chunk does not authenticate") from None
    if header.codec == CODEC_ZSTD:
        try:
            payload = _decompressor().decompress(payload, max_output_size=header.plain_len)
        except zstandard.ZstdError as exc:
            raise CorruptData(f"chunk does not decompress: {exc}") from None
    if len(payload) != header.plain_len:
        raise CorruptData("chunk has the wrong plaintext length")
    return payload
