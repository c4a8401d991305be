"""The real AntOS desktop (antos-rde/antos-frontend) in Debian's Chromium, driven by
Playwright against a real server: log in, open Files, list home, upload through the file
chooser, open a text file and save an edit, publish it and fetch the shared URL
anonymously, log out.

The build cannot come from a registry, so this runs only where one is present: set
PODSTORE_TEST_ANTOS_BUILD to the folder `BUILDDIR=<folder> make main` filled (see README,
"The AntOS desktop"). The desktop gets a listener of its own, at `/`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.ports import free_port
from tests.fixtures.server import Server, server_env

BUILD = os.environ.get("PODSTORE_TEST_ANTOS_BUILD", "")
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(
    not (BUILD and (Path(BUILD) / "index.html").exists() and Path(CHROMIUM).exists()),
    reason="set PODSTORE_TEST_ANTOS_BUILD to an antos-frontend build (and install chromium)",
)


def shown(page: Any, text: str) -> Any:
    """The visible element saying `text` (closed menus keep theirs in the page)."""
    return page.get_by_text(text, exact=True).locator("visible=true").first


@pytest.fixture(scope="module")
def desktop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    root = tmp_path_factory.mktemp("antos-real")
    port = free_port()
    env = server_env(
        root / "data",
        None,
        PODSTORE_FRONTENDS__ANTOS__OS_DIR=BUILD,
        PODSTORE_LISTENERS__ANTOS__APP="antos",
        PODSTORE_LISTENERS__ANTOS__PORT=str(port),
    )
    srv = Server(root / "data", env)
    srv.start()
    try:
        yield srv, f"http://127.0.0.1:{port}/"
    finally:
        srv.stop()


def test_the_real_desktop_works_on_podstore(
    desktop_server: tuple[Server, str], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    server, url = desktop_server
    user = server.new_user("desk", pod="home")
    user.put("/pods/home/files/docs/readme.txt", content=b"hello").raise_for_status()
    chosen = tmp_path / "chosen.txt"
    chosen.write_bytes(b"uploaded through the file chooser\n")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.fill("#txtuser input", user.name)
        page.fill("#txtpass input", user.password)
        with page.expect_response(lambda r: r.url.endswith("/VFS/scandir")):  # the desktop
            page.click("#btlogin")
        page.locator("afx-button.afx-panel-os-menu").click()
        page.get_by_text("Files manager").click()
        files = page.locator('afx-app-window[data-id="files-app-window"]')
        files.get_by_text("docs", exact=True).dblclick()
        files.get_by_text("readme.txt", exact=True).wait_for()

        files.locator('afx-button[iconclass="bi bi-list"]').click()
        shown(page, "File").click()
        with page.expect_file_chooser() as chooser:
            shown(page, "Upload").click()
        chooser.value.set_files(str(chosen))
        files.get_by_text("chosen.txt", exact=True).wait_for()
        stored = user.get("/pods/home/files/docs/chosen.txt")
        assert stored.content == b"uploaded through the file chooser\n"

        files.get_by_text("chosen.txt", exact=True).dblclick()
        editor = page.locator('afx-app-window[data-id="NotePad"] textarea[data-id="editor"]')
        page.wait_for_function(
            "() => document.querySelector('textarea[data-id=\"editor\"]')?.value.length > 0"
        )
        assert editor.input_value() == "uploaded through the file chooser\n"
        editor.click()
        page.keyboard.press("Control+End")
        editor.press_sequentially("edited in NotePad")
        with page.expect_response(lambda r: r.url.endswith("/VFS/write")):
            page.keyboard.press("Control+s")
        edited = b"uploaded through the file chooser\nedited in NotePad"
        assert user.get("/pods/home/files/docs/chosen.txt").content == edited

        page.locator('afx-app-window[data-id="NotePad"] afx-button[iconclass="bi bi-x"]').click()
        files.get_by_text("chosen.txt", exact=True).click()
        files.locator('afx-button[iconclass="bi bi-list"]').click()
        shown(page, "File").click()
        with page.expect_response(lambda r: r.url.endswith("/VFS/publish")) as published:
            shown(page, "Share file").click()
        sid = published.value.json()["result"]
        assert httpx.get(f"{url}VFS/shared/{sid}").content == edited
        listed = httpx.get(f"{url}VFS/shared/all").json()["result"]
        assert [e["filename"] for e in listed] == ["chosen.txt"]

        page.locator("afx-button.afx-panel-os-menu").click()
        with page.expect_response(lambda r: r.url.endswith("/user/logout")):
            page.locator('afx-button[iconclass="fa fa-power-off"]').click()
        page.locator("#txtuser").wait_for()
        browser.close()
    user.close()
