"""Previews in Chromium: thumbnails in the listing and on a photo's page (made by the server),
a fallback for an image it cannot read, code shown as text, a sound played with ranges, a
PDF in a sandboxed frame while the page's own CSP stays strict."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.frontends.web import media
from tests.frontends.web.chromium import CHROMIUM, names, shoot, sign_up

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("no /usr/bin/chromium: `make test` installs it as root", allow_module_level=True)

Page = playwright_api.Page


def put(page: Page, path: str, body: bytes, kind: str | None = None) -> None:
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    headers = {"X-CSRF-Token": csrf, **({"Content-Type": kind} if kind else {})}
    answer = page.request.put(f"/api/v1/pods/home/files/{path}", data=body, headers=headers)
    assert answer.status == 201, answer.text()


def natural_width(page: Page, selector: str) -> Any:
    image = page.locator(selector)
    image.wait_for()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
    return page.evaluate("el => [el.naturalWidth, el.getAttribute('src')]", image.element_handle())


def test_thumbnails_in_the_listing_and_on_the_page(page: Page) -> None:
    sign_up(page)
    put(page, "photo.jpg", media.photo(1600, 1200))
    put(page, "not-really.jpg", b"\xff\xd8\xff\xe0 broken", "image/jpeg")
    page.goto("/files/home")
    width, src = natural_width(page, "tr:has-text('photo.jpg') img.thumb")
    assert width == 128 and "/thumbnail/photo.jpg?size=128" in src
    page.wait_for_function(
        "() => document.querySelector(\"tr[data-name='not-really.jpg'] img\").src"
        ".endsWith('/static/file.svg')"
    )
    assert names(page) == {"photo.jpg", "not-really.jpg"}
    shoot(page, "thumbnails")
    page.get_by_role("link", name="photo.jpg").click()
    width, src = natural_width(page, "figure.preview img")
    assert width == 1024 and "size=1024" in src
    assert page.get_by_role("link", name="Open the original").is_visible()


def test_code_is_shown_as_text_never_run(page: Page) -> None:
    sign_up(page)
    code = b"def main():\n    print('<script>window.pwned = 1</script>')\n"
    put(page, "tool.py", code)
    page.goto("/files/home/tool.py")
    page.locator("pre.preview", has_text="def main").wait_for()
    assert page.locator("pre.preview").inner_text() == code.decode()
    assert page.evaluate("window.pwned") is None


def test_a_sound_plays_with_ranges(page: Page) -> None:
    sign_up(page)
    put(page, "tone.wav", media.sound(2.0), "audio/wav")
    ranges: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            ranges.append((r.request.headers.get("range", ""), r.status))
            if "/files/tone.wav" in r.url
            else None
        ),
    )
    page.goto("/files/home/tone.wav")
    page.wait_for_function("() => document.querySelector('audio.preview').readyState >= 1")
    duration = page.evaluate("document.querySelector('audio.preview').duration")
    assert abs(duration - 2.0) < 0.05
    assert any(header.startswith("bytes=") and status == 206 for header, status in ranges)


def test_a_pdf_shows_in_a_sandboxed_frame(page: Page) -> None:
    sign_up(page)
    put(page, "report.pdf", media.pdf("Quarterly report"))
    answer = page.goto("/files/home/report.pdf")
    assert answer is not None
    csp = answer.headers["content-security-policy"]
    assert "frame-src 'self'" in csp and "script-src 'self'" in csp
    assert "object-src" not in csp and "unsafe" not in csp
    frame = page.locator("iframe.preview.pdf")
    src = frame.get_attribute("src") or ""
    assert re.search(r"/api/v1/pods/home/files/report\.pdf$", src)
    direct = page.request.get(src)  # what the frame holds is sandboxed by its own header
    assert direct.headers["content-type"] == "application/pdf"
    assert direct.headers["content-security-policy"] == "sandbox"
    assert direct.body().startswith(b"%PDF-")
    # Chromium's PDF viewer (an extension of its own) takes the frame: the PDF's bytes are
    # read there, never by a document of our origin
    if not any(viewer(f) for f in page.frames):
        page.wait_for_event("framenavigated", viewer)
    embedder = page.evaluate(
        "document.querySelector('iframe.preview.pdf').contentDocument?.body?.innerHTML ?? ''"
    )
    assert "Quarterly" not in embedder and "%PDF" not in embedder
    shoot(page, "pdf")


def viewer(frame: Any) -> bool:
    return str(frame.url).startswith("chrome-extension://")
