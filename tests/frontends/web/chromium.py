"""Driving the web UI in Debian's Chromium: how it is launched, and what a user does often
(sign up, wait for an upload, read the listing, take screenshots at two widths)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from tests.fixtures.server import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("PODSTORE_ARTIFACTS", "artifacts")) / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_up(page: Page, pod: str = "home") -> str:
    name = f"b-{uuid.uuid4().hex[:10]}"
    page.goto("/signup")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert len(page.locator("#recovery-phrase").inner_text().split()) in (12, 24)
    page.get_by_role("link", name="I have saved it: continue").click()
    page.get_by_label("Name", exact=True).fill(pod)
    page.get_by_role("button", name="Create pod").click()
    page.wait_for_url(f"**/files/{pod}")
    return name


def wait_uploaded(page: Page) -> None:
    page.wait_for_selector("#upload[data-state]", timeout=60_000)
    assert page.locator("#upload").get_attribute("data-state") == "done"
    assert page.locator("#overall-text").inner_text() == "100%"
    page.evaluate("document.getElementById('upload').removeAttribute('data-state')")


def names(page: Page) -> set[str]:
    return set(page.locator("#rows tr[data-kind] td.name a").all_inner_texts())


def fetch_bytes(page: Page, url: str) -> bytes:
    answer = page.request.get(url)
    assert answer.ok, answer.status
    return answer.body()


def shoot(page: Page, name: str) -> None:
    """Screenshots at desktop and phone width; at phone width nothing scrolls sideways."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
    page.set_viewport_size(DESKTOP)


def synthetic_drop(page: Page, name: str, text: str) -> None:
    page.evaluate(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "text/plain" }));
            const zone = document.getElementById("dropzone");
            for (const kind of ["dragenter", "dragover", "drop"]) {
                const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
                zone.dispatchEvent(new DragEvent(kind, init));
            }
        }""",
        [name, text],
    )
