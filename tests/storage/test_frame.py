"""The chunk frame: authenticated encryption, optional compression, keyless checksum."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from podstore.storage import frame
from podstore.storage.errors import CorruptData

TEXT = b"".join(b"line %d of some fairly ordinary log text\n" % i for i in range(20000))
ID = bytes(range(32))


@pytest.fixture
def aead() -> AESGCM:
    return AESGCM(os.urandom(32))


@pytest.mark.parametrize("plain", [b"", b"x", os.urandom(100_000), TEXT])
def test_round_trip(aead: AESGCM, plain: bytes) -> None:
    sealed = frame.seal(plain, aead, ID)
    assert frame.open_frame(sealed, aead, ID) == plain
    assert frame.checksum_ok(sealed)


def test_text_is_compressed_random_is_not(aead: AESGCM) -> None:
    text = frame.seal(TEXT, aead, ID, compression="fast")
    assert frame.parse_header(text).codec == frame.CODEC_ZSTD
    assert len(text) < len(TEXT) // 3
    strong = frame.seal(TEXT, aead, ID, compression="strong")
    assert len(strong) <= len(text)
    noise = os.urandom(1 << 20)
    sealed = frame.seal(noise, aead, ID)
    assert frame.parse_header(sealed).codec == frame.CODEC_NONE
    assert len(sealed) == len(noise) + frame.OVERHEAD


def test_compression_off_stores_uncompressed(aead: AESGCM) -> None:
    sealed = frame.seal(TEXT, aead, ID, compression="off")
    assert frame.parse_header(sealed).codec == frame.CODEC_NONE
    assert frame.open_frame(sealed, aead, ID) == TEXT


def test_no_plaintext_in_frame(aead: AESGCM) -> None:
    for compression in ("off", "fast"):
        sealed = frame.seal(TEXT, aead, ID, compression=compression)  # type: ignore[arg-type]
        assert b"ordinary log text" not in sealed


def test_header_layout(aead: AESGCM) -> None:
    sealed = frame.seal(b"hello", aead, ID, compression="off")
    header = frame.parse_header(sealed)
    assert sealed[:4] == b"PSCF"
    assert (header.version, header.kind, header.plain_len) == (1, frame.KIND_CHUNK, 5)
    assert header.body_len == 5 + frame.TAG_SIZE == len(sealed) - frame.HEADER_SIZE


def test_every_flipped_byte_is_detected(aead: AESGCM) -> None:
    sealed = frame.seal(os.urandom(3000), aead, ID)
    checksum = range(frame.HEADER_SIZE - frame.CHECKSUM_SIZE, frame.HEADER_SIZE)
    for pos in range(0, len(sealed), 7):
        bad = bytearray(sealed)
        bad[pos] ^= 0x40
        assert not frame.checksum_ok(bytes(bad)), pos
        if pos in checksum:
            continue  # the checksum is for keyless checks; the AEAD tag covers the rest
        with pytest.raises(CorruptData):
            frame.open_frame(bytes(bad), aead, ID)


def test_wrong_id_key_kind_or_length_fail(aead: AESGCM) -> None:
    sealed = frame.seal(b"secret data", aead, ID)
    with pytest.raises(CorruptData):
        frame.open_frame(sealed, aead, bytes(32))
    with pytest.raises(CorruptData):
        frame.open_frame(sealed, AESGCM(os.urandom(32)), ID)
    with pytest.raises(CorruptData):
        frame.open_frame(sealed, aead, ID, kind=frame.KIND_INLINE)
    for cut in (0, 10, frame.HEADER_SIZE, len(sealed) - 1):
        with pytest.raises(CorruptData):
            frame.open_frame(sealed[:cut], aead, ID)
        assert not frame.checksum_ok(sealed[:cut])
    with pytest.raises(CorruptData):
        frame.open_frame(sealed + b"\0", aead, ID)


@settings(max_examples=60, deadline=None)
@given(
    plain=st.sampled_from([b"", b"x", os.urandom(70_000), TEXT[:90_000]]),
    bounds=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    piece=st.integers(1, 40_000),
)
def test_pieces_of_a_chunk_are_its_plaintext_sliced(
    plain: bytes, bounds: tuple[float, float], piece: int
) -> None:
    aead = AESGCM(bytes(32))
    lo, hi = sorted(int(b * len(plain)) for b in bounds)
    for compression in ("off", "fast"):
        sealed = frame.seal(plain, aead, ID, compression=compression)  # type: ignore[arg-type]
        pieces = frame.open_chunk_pieces(sealed, aead, ID, lo, hi, piece)
        assert b"".join(pieces) == plain[lo:hi]
        assert all(isinstance(p, bytes) and 0 < len(p) <= piece for p in pieces)
        # the thread's buffer is reused: pieces handed out before stay as they were
        other = frame.seal(os.urandom(len(plain)), aead, ID, compression="off")
        frame.open_chunk_pieces(other, aead, ID, 0, len(plain), piece)
        assert b"".join(pieces) == plain[lo:hi]
        # in place, in a writable frame (as the local store reads it back)
        writable = memoryview(bytearray(sealed))
        pieces = frame.open_chunk_pieces(writable, aead, ID, lo, hi, piece, in_place=True)
        assert b"".join(pieces) == plain[lo:hi]
        # a read-only frame is left as it was
        kept = memoryview(sealed)
        pieces = frame.open_chunk_pieces(kept, aead, ID, lo, hi, piece, in_place=True)
        assert b"".join(pieces) == plain[lo:hi] and bytes(kept) == sealed


def test_in_place_decryption_uses_the_frame_itself(aead: AESGCM) -> None:
    plain = os.urandom(300_000)
    sealed = bytearray(frame.seal(plain, aead, ID, compression="off"))
    frame.open_chunk_pieces(memoryview(sealed), aead, ID, 0, len(plain), 1 << 20, in_place=True)
    start = frame.HEADER_SIZE
    assert sealed[start : start + len(plain)] == plain


def test_pieces_of_a_damaged_chunk_are_refused(aead: AESGCM) -> None:
    sealed = bytearray(frame.seal(os.urandom(5000), aead, ID))
    with pytest.raises(ValueError, match="outside"):
        frame.open_chunk_pieces(bytes(sealed), aead, ID, 0, 5001, 1024)
    sealed[-1] ^= 1
    with pytest.raises(CorruptData):
        frame.open_chunk_pieces(bytes(sealed), aead, ID, 0, 5000, 1024)
    with pytest.raises(CorruptData):
        frame.open_chunk_pieces(memoryview(sealed), aead, ID, 0, 5000, 1024, in_place=True)
    with pytest.raises(CorruptData):
        frame.open_chunk_pieces(bytes(sealed[: frame.HEADER_SIZE + 3]), aead, ID, 0, 0, 1)


def test_unknown_version_rejected(aead: AESGCM) -> None:
    sealed = bytearray(frame.seal(b"data", aead, ID))
    sealed[4] = 2
    with pytest.raises(CorruptData, match="version"):
        frame.parse_header(bytes(sealed))


def split(data: bytes, sizes: list[int]) -> list[memoryview]:
    """`data` as parts of these sizes (the last part takes the rest)."""
    view = memoryview(data)
    parts, at = [], 0
    for size in sizes:
        parts.append(view[at : at + size])
        at += size
    return [p for p in [*parts, view[at:]] if p]


@settings(max_examples=25, deadline=None)
@given(
    size=st.integers(frame._SAMPLE_FROM, 3 << 20),
    sizes=st.lists(st.integers(64 * 1024, 1 << 20), max_size=6),
)
def test_parts_seal_like_the_joined_chunk(size: int, sizes: list[int]) -> None:
    """Parts as a server receives them (tens of KiB and up), split anywhere."""
    key = os.urandom(32)
    aead = AESGCM(key)
    noise = os.urandom(size)
    sealed = frame.seal_parts_reusing(split(noise, sizes), key, ID)
    assert sealed is not None
    assert frame.parse_header(sealed).codec == frame.CODEC_NONE
    assert len(sealed) == size + frame.OVERHEAD
    assert frame.checksum_ok(sealed)
    assert frame.open_frame(bytes(sealed), aead, ID) == noise
    with pytest.raises(CorruptData):
        frame.open_frame(bytes(sealed), aead, bytes(32))


def test_parts_that_may_compress_are_left_to_seal_whole() -> None:
    key = os.urandom(32)
    assert frame.seal_parts_reusing(split(TEXT, [1000, 300_000]), key, ID) is None
    small = os.urandom(frame._SAMPLE_FROM - 1)
    assert frame.seal_parts_reusing([small], key, ID) is None
    off = frame.seal_parts_reusing(split(TEXT, [5]), key, ID, compression="off")
    assert off is not None and frame.open_frame(bytes(off), AESGCM(key), ID) == TEXT
