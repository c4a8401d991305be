"""Content-Type from names and first bytes."""

from __future__ import annotations

from podstore.core.tree.content_type import guess


def test_names_win() -> None:
    assert guess("a.pdf", b"not a pdf") == "application/pdf"
    assert guess("photo.JPG", b"") == "image/jpeg"


def test_sniffing_when_the_name_says_nothing() -> None:
    assert guess("blob", b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert guess("blob", b"%PDF-1.7") == "application/pdf"
    assert guess("blob", b'{"a": 1}') == "application/json"
    assert guess("blob", "plain text, ünïcode".encode()) == "text/plain; charset=utf-8"
    assert guess("blob", b"\x00\x01\x02") == "application/octet-stream"
    assert guess("blob", b"") == "application/octet-stream"
    assert guess("blob", "é".encode()[:1]) == "text/plain; charset=utf-8"  # cut mid-character
