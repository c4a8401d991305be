"""The web UI in Debian's Chromium through Playwright, against a real server (SQLite): what a
new user does, an upload resumed after a reload, a password link opened by a stranger, and
hostile names and files that must never run script. Screenshots of the main pages at desktop
and phone width go to `artifacts/web/` (or $PODSTORE_ARTIFACTS/web)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.server import Server
from tests.frontends.web.chromium import (
    CHROMIUM,
    fetch_bytes,
    names,
    shoot,
    sign_up,
    synthetic_drop,
    wait_uploaded,
)

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("no /usr/bin/chromium: `make test` installs it as root", allow_module_level=True)

Page = playwright_api.Page


def test_a_new_users_files(page: Page, tmp_path: Path) -> None:
    sign_up(page)
    (tmp_path / "a.txt").write_bytes(b"alpha\n")
    (tmp_path / "b.bin").write_bytes(os.urandom(300_000))
    trip = tmp_path / "trip"
    (trip / "day1").mkdir(parents=True)
    (trip / "day1" / "photo.jpg").write_bytes(os.urandom(70_000))
    (trip / "notes.txt").write_bytes(b"sunny")

    page.locator("#pick-files").set_input_files([tmp_path / "a.txt", tmp_path / "b.bin"])
    wait_uploaded(page)
    page.locator("#pick-folder").set_input_files(trip)
    wait_uploaded(page)
    synthetic_drop(page, "dropped.txt", "from a drop")
    wait_uploaded(page)
    assert names(page) == {"a.txt", "b.bin", "trip", "dropped.txt"}
    assert (
        fetch_bytes(page, "/api/v1/pods/home/files/trip/day1/photo.jpg")
        == (trip / "day1" / "photo.jpg").read_bytes()
    )

    # rename, new folder, move, delete, restore from the trash
    row = page.locator("#rows tr", has_text="dropped.txt")
    row.locator("summary", has_text="Rename").click()
    row.get_by_label("New name").fill("kept.txt")
    row.get_by_role("button", name="Rename").click()
    page.get_by_text("New folder").click()
    page.get_by_label("Folder name").fill("archive")
    page.get_by_role("button", name="Create folder").click()
    assert names(page) == {"a.txt", "b.bin", "trip", "kept.txt", "archive"}
    page.get_by_label("Select kept.txt").check()
    page.get_by_label("to folder").fill("archive")
    page.get_by_role("button", name="Move", exact=True).click()
    assert "kept.txt" not in names(page)
    assert fetch_bytes(page, "/api/v1/pods/home/files/archive/kept.txt") == b"from a drop"
    page.get_by_label("Select b.bin").check()
    page.get_by_role("button", name="Delete").click()
    assert page.locator(".flash").inner_text() == "Moved to the trash: 1 item."
    assert "b.bin" not in names(page)
    page.get_by_role("link", name="Trash").click()
    page.get_by_role("button", name="Restore b.bin").click()
    assert page.locator(".flash").inner_text() == "Restored to /b.bin."

    # a second version, then the first one back
    page.goto("/files/home")
    (tmp_path / "a.txt").write_bytes(b"alpha, edited\n")
    page.locator("#pick-files").set_input_files(tmp_path / "a.txt")
    wait_uploaded(page)
    page.get_by_role("link", name="a.txt").click()
    page.locator("pre.preview", has_text="alpha, edited").wait_for()
    shoot(page, "file")
    page.get_by_role("button", name="Restore version 1").click()
    assert page.locator(".flash").inner_text() == "Restored as version 3."
    assert fetch_bytes(page, "/api/v1/pods/home/files/a.txt") == b"alpha\n"

    # a folder and a file as one zip, byte for byte
    page.goto("/files/home")
    page.get_by_label("Select trip").check()
    page.get_by_label("Select a.txt", exact=True).check()
    assert page.locator("#selected-count").inner_text() == "2 selected"
    shoot(page, "folder")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as zip").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")} == {
        "a.txt": b"alpha\n",
        "trip/notes.txt": b"sunny",
        "trip/day1/photo.jpg": (trip / "day1" / "photo.jpg").read_bytes(),
    }
    page.goto("/pods")
    shoot(page, "pods")


def test_select_all_and_shift_click(page: Page, tmp_path: Path) -> None:
    sign_up(page)
    files = []
    for n in range(5):
        files.append(tmp_path / f"f{n}.txt")
        files[-1].write_bytes(b"x")
    page.locator("#pick-files").set_input_files(files)
    wait_uploaded(page)
    page.get_by_label("Select f1.txt").click()
    page.get_by_label("Select f3.txt").click(modifiers=["Shift"])
    assert page.locator("#selected-count").inner_text() == "3 selected"
    page.get_by_label("Filter this folder").fill("f4")
    assert page.locator("#rows tr[data-kind]:visible").count() == 1
    page.get_by_label("Filter this folder").fill("")
    page.get_by_label("Select all").check()
    assert page.locator("#selected-count").inner_text() == "5 selected"


def test_an_upload_resumes_after_a_reload(page: Page, tmp_path: Path, site: Server) -> None:
    sign_up(page)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(50 * 1024 * 1024))
    network = page.context.new_cdp_session(page)
    slow = {"offline": False, "latency": 0, "downloadThroughput": -1}
    network.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": 16 * 2**20})
    page.locator("#pick-files").set_input_files(big)
    bar = page.locator("#uploads li[data-path='big.bin'] progress")
    page.wait_for_function(
        "bar => bar.value >= 25", arg=bar.element_handle(), timeout=60_000, polling=100
    )
    page.reload()
    network.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": -1})
    page.locator("#pick-files").set_input_files(big)
    wait_uploaded(page)
    resumed = page.locator("#uploads li[data-path='big.bin']").get_attribute("data-resumed-at")
    assert resumed is not None and int(resumed) >= 20
    stored = fetch_bytes(page, "/api/v1/pods/home/files/big.bin")
    assert hashlib.sha256(stored).digest() == hashlib.sha256(big.read_bytes()).digest()


def test_a_password_link_opens_for_a_stranger(page: Page, browser: object, site: Server) -> None:
    sign_up(page)
    page.request.put(
        "/api/v1/pods/home/files/plan.txt",
        data=b"the plan",
        headers={"X-CSRF-Token": page.locator("meta[name=csrf-token]").get_attribute("content")},
    )
    page.goto("/files/home/plan.txt")
    page.locator("form[action$='/link']").get_by_label("Password (optional)").fill("s3cret!")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("#link-url").input_value()
    shoot(page, "link-created")
    stranger = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    try:
        visitor = stranger.new_page()
        visitor.goto(url)
        assert visitor.get_by_role("heading").inner_text() == "This link needs a password"
        visitor.get_by_label("Password").fill("s3cret!")
        visitor.get_by_role("button", name="Open").click()
        assert visitor.get_by_role("heading", name="plan.txt").is_visible()
        with visitor.expect_download() as download:
            visitor.get_by_role("link", name="Download").click()
        assert Path(download.value.path()).read_bytes() == b"the plan"
        assert visitor.request.get(site.url + "/api/v1/pods/home/list").status == 401
    finally:
        stranger.close()


def test_hostile_names_and_files_never_run_script(page: Page) -> None:
    sign_up(page)
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
    name = "<img src=x onerror=window.pwned=1>.html"
    for path, body, kind in [
        (name, b"<script>window.pwned=2;alert(2)</script>", "text/html"),
        (
            "pic.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(3)"/>',
            "image/svg+xml",
        ),
    ]:
        answer = page.request.put(
            f"/api/v1/pods/home/files/{path}",
            data=body,
            headers={"X-CSRF-Token": csrf or "", "Content-Type": kind},
        )
        assert answer.status == 201
    page.goto("/files/home")
    assert name in names(page)
    assert page.evaluate("window.pwned") is None
    page.get_by_role("link", name=name).click()
    assert page.evaluate("window.pwned") is None
    page.goto("/api/v1/pods/home/files/pic.svg")
    page.goto("/api/v1/pods/home/files/" + name.replace("<", "%3C").replace(">", "%3E"))
    assert page.evaluate("window.pwned") is None  # the page's dialog hook fails on any alert


def test_app_passwords(page: Page, site: Server) -> None:
    sign_up(page)
    page.goto("/account")
    shoot(page, "account")
    probe = page.request.get("/api/v1/me/app-passwords")
    if probe.status == 404:
        pytest.skip("no /api/v1/me/app-passwords in this branch (built with WebDAV)")
    page.goto("/account")
    page.get_by_label("Label").fill("phone")
    page.get_by_role("button", name="Create app password").click()
    secret = page.locator("#app-password-value")
    page.wait_for_function("el => el.value.length > 0", arg=secret.element_handle())
    revoke = page.get_by_role("button", name="Revoke phone")
    revoke.wait_for()  # the list is drawn again after the secret shows, not with it
    revoke.click()
    page.get_by_text("No app passwords yet.").wait_for()


def test_the_listing_follows_changes_made_elsewhere(page: Page) -> None:
    sign_up(page)
    page.wait_for_selector("#upload[data-live=on]")
    csrf = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    elsewhere = page.context.request  # the same account, as another tab or device would
    elsewhere.put(
        "/api/v1/pods/home/files/from-phone.jpg", data=b"jpeg", headers={"X-CSRF-Token": csrf}
    )
    page.locator("#rows a", has_text="from-phone.jpg").wait_for()
    elsewhere.delete("/api/v1/pods/home/files/from-phone.jpg", headers={"X-CSRF-Token": csrf})
    page.locator("#rows a", has_text="from-phone.jpg").wait_for(state="detached")


def test_uploads_that_cannot_fit_say_why(page: Page, tmp_path: Path) -> None:
    sign_up(page)
    page.goto("/pods")
    page.get_by_label("Name", exact=True).fill("tiny")
    page.get_by_label("Quota in MiB (optional)").fill("1")
    page.get_by_role("button", name="Create pod").click()
    page.wait_for_url("**/files/tiny")
    (tmp_path / "big.bin").write_bytes(os.urandom(1_500_000))
    (tmp_path / "small.txt").write_bytes(b"fits")
    page.locator("#pick-files").set_input_files([tmp_path / "big.bin", tmp_path / "small.txt"])
    page.wait_for_selector("#upload[data-state]")
    assert page.locator("#upload").get_attribute("data-state") == "failed"
    failed = page.locator("#uploads li[data-state=failed]")
    assert failed.get_attribute("data-path") == "big.bin"
    assert "quota" in failed.inner_text().lower()
    assert names(page) == {"small.txt"}
