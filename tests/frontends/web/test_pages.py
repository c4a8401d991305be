"""The web UI's pages over plain HTTP: sessions, CSRF, CSP, hostile names and content,
paging, public links. The browser tests (test_browser.py) drive the same pages in Chromium."""

from __future__ import annotations

import re

import httpx

from tests.fixtures.server import PASSWORD, Server
from tests.frontends.web import media
from tests.frontends.web.conftest import WebUser, web_user

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.I)


def test_signup_shows_the_recovery_phrase_once_and_sets_a_safe_cookie(server: Server) -> None:
    with httpx.Client(base_url=server.url) as browser:
        answer = browser.post(
            "/signup", data={"name": "phrase-owner", "password": PASSWORD, "password2": PASSWORD}
        )
        assert answer.status_code == 200
        phrase = re.search(r'<p class="phrase" id="recovery-phrase">([a-z ]+)</p>', answer.text)
        assert phrase and len(phrase.group(1).split()) in (12, 24)
        cookie = answer.headers["set-cookie"].lower()
        assert "podstore_token=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie  # plain HTTP here; Secure over HTTPS
        pods = browser.get("/pods")
        assert pods.status_code == 200 and phrase.group(1) not in pods.text
        again = browser.post(
            "/signup", data={"name": "phrase-owner", "password": PASSWORD, "password2": PASSWORD}
        )
        assert again.status_code == 400 and "recovery-phrase" not in again.text


def test_login_logout_and_where_login_sends_you(server: Server, web: WebUser) -> None:
    with httpx.Client(base_url=server.url) as browser:
        assert browser.get("/files/home").headers["location"] == "/login?next=%2Ffiles%2Fhome"
        wrong = browser.post("/login", data={"name": web.name, "password": "not it at all"})
        assert wrong.status_code == 401 and 'role="alert"' in wrong.text
        for target, expected in [("/files/home", "/files/home"), ("//evil.example/x", "/pods")]:
            answer = browser.post(
                "/login", data={"name": web.name, "password": PASSWORD, "next": target}
            )
            assert answer.status_code == 303 and answer.headers["location"] == expected
    assert web.form("/logout").status_code == 303
    assert web.get("/pods").headers["location"].startswith("/login")


def test_every_page_has_a_csp_and_no_inline_script_or_style(web: WebUser) -> None:
    web.put(
        "/api/v1/pods/home/files/notes/a.txt", content=b"hello", headers={"X-CSRF-Token": web.csrf}
    )
    for url in [
        "/signup",
        "/pods",
        "/files/home",
        "/files/home/notes",
        "/files/home/notes/a.txt",
        "/search/home?q=a",
        "/trash/home",
        "/starred",
        "/links",
        "/account",
    ]:
        page = web.get(url)
        assert page.status_code == 200, url
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert INLINE_SCRIPT.search(page.text) is None, (url, INLINE_SCRIPT.search(page.text))


def test_a_cross_site_form_post_is_refused(server: Server, web: WebUser) -> None:
    evil = {"Origin": "http://evil.example"}
    forged = web.post("/pods/new", data={"csrf": web.csrf, "name": "forged1"}, headers=evil)
    assert forged.status_code == 403
    cross = web.post(
        "/pods/new",
        data={"csrf": web.csrf, "name": "forged2"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    no_token = web.post("/pods/new", data={"name": "forged3"})
    assert no_token.status_code == 403
    other = web_user(server, pod=None)
    stolen = web.post("/pods/new", data={"csrf": other.csrf, "name": "forged4"})
    assert stolen.status_code == 403
    listed = web.get("/pods").text
    assert not any(f"forged{n}" in listed for n in range(1, 5))
    assert (
        web.post("/login", data={"name": web.name, "password": PASSWORD}, headers=evil).status_code
        == 403
    )


def test_the_native_api_wants_the_token_for_cookie_writes(web: WebUser) -> None:
    url = "/api/v1/pods/home/files/csrf.txt"
    assert web.put(url, content=b"x").status_code == 403
    assert web.get("/api/v1/pods/home/list").status_code == 200  # reads need no token
    assert web.put(url, content=b"x", headers={"X-CSRF-Token": web.csrf}).status_code == 201
    with httpx.Client(base_url=str(web.base_url)) as bearer:
        answer = bearer.put(url, content=b"y", headers={"Authorization": f"Bearer {web.token}"})
        assert answer.status_code == 200


def test_hostile_names_and_uploaded_html_never_run_in_our_origin(web: WebUser) -> None:
    token = {"X-CSRF-Token": web.csrf}
    name = "<img src=x onerror=alert(1)>.html"
    body = b"<script>alert(document.cookie)</script>"
    assert (
        web.put(
            f"/api/v1/pods/home/files/{name}",
            content=body,
            headers={**token, "Content-Type": "text/html"},
        ).status_code
        == 201
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    assert (
        web.put(
            "/api/v1/pods/home/files/x.svg",
            content=svg,
            headers={**token, "Content-Type": "image/svg+xml"},
        ).status_code
        == 201
    )
    folder = web.get("/files/home").text
    assert "<img src=x" not in folder and "&lt;img src=x onerror=alert(1)&gt;.html" in folder
    for path in [name, "x.svg"]:
        page = web.get(f"/files/home/{path}").text
        assert "No preview for this kind of file" in page
        served = web.get(f"/api/v1/pods/home/files/{path}")
        assert served.headers["content-security-policy"] == "sandbox"
        assert served.headers["x-content-type-options"] == "nosniff"


def test_a_big_folder_comes_in_pages(web: WebUser) -> None:
    token = {"X-CSRF-Token": web.csrf}
    for n in range(230):
        assert (
            web.post(f"/api/v1/pods/home/mkdir/big/d{n:03}?parents=true", headers=token).status_code
            == 201
        )
    first = web.get("/files/home/big").text
    assert first.count('data-kind="dir"') == 200
    more = re.search(r'<tr class="more" hx-get="([^"]+)"', first)
    assert more
    rest = web.get(
        "/files/home/big" + more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}
    )
    assert rest.text.count('data-kind="dir"') == 30
    assert "<html" not in rest.text and 'class="more"' not in rest.text
    assert 'value="big/d229"' in rest.text
    by_name_desc = web.get("/files/home/big?sort=name&order=desc").text
    assert by_name_desc.index('value="big/d229"') < by_name_desc.index('value="big/d228"')


def test_a_password_link_and_a_drop_box(server: Server, web: WebUser) -> None:
    token = {"X-CSRF-Token": web.csrf}
    web.put("/api/v1/pods/home/files/report.txt", content=b"the report", headers=token)
    made = web.form(
        "/act/home/link", path="report.txt", password="open sesame", next="/files/home/report.txt"
    )
    assert made.status_code == 200
    page_url = re.search(r'id="link-url" value="([^"]+)"', made.text)
    assert page_url
    link = page_url.group(1).removeprefix(server.url)
    with httpx.Client(base_url=server.url) as anon:
        assert anon.get(link).status_code == 401
        anon.post(link + "/password", data={"password": "wrong"})
        wrong = anon.get(link)
        assert wrong.status_code == 401 and "wrong link password" in wrong.text
        anon.cookies.clear()
        assert anon.post(link + "/password", data={"password": "open sesame"}).status_code == 303
        page = anon.get(link)
        assert page.status_code == 200 and "report.txt" in page.text
        assert anon.get(link, params={"raw": 1}).content == b"the report"
    web.post("/api/v1/pods/home/mkdir/inbox", headers=token)
    drop = web.form("/act/home/link", path="inbox", upload_only="on", next="/files/home/inbox")
    drop_url = re.search(r'id="link-url" value="([^"]+)"', drop.text)
    assert drop_url
    box = drop_url.group(1).removeprefix(server.url)
    with httpx.Client(base_url=server.url) as anon:
        assert "Upload to a shared folder" in anon.get(box).text
        sent = anon.post(box + "/upload", files={"file": ("hello.txt", b"hi there")})
        assert sent.status_code == 201
    assert web.get("/api/v1/pods/home/files/inbox/hello.txt").content == b"hi there"


def test_the_web_ui_never_shadows_another_front_end(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        missing = client.get("/api/v1/no-such-route")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.get("/static/htmx.min.js").status_code == 200
        assert client.get("/static/../settings.py").status_code == 404


def test_tables_and_collections(web: WebUser) -> None:
    assert web.form("/act/home/kv-create", name="settings", next="/data/home").status_code == 303
    web.form("/act/home/kv-put", table="settings", key="theme", value="dark <b>", next="/")
    web.form("/act/home/kv-put", table="settings", key="lang", value="en", next="/")
    page = web.get("/data/home/kv/settings").text
    assert "dark &lt;b&gt;</textarea>" in page and ">en</textarea>" in page
    web.form("/act/home/kv-delete", table="settings", key="lang", next="/")
    assert ">en</textarea>" not in web.get("/data/home/kv/settings").text
    assert web.form("/act/home/docs-create", name="people", next="/").status_code == 303
    for doc in ['{"id": "ann", "age": 41}', '{"id": "bo", "age": 25}']:
        assert web.form("/act/home/doc-put", coll="people", doc=doc, next="/").status_code == 303
    bad = web.form("/act/home/doc-put", coll="people", doc="{not json", next="/")
    assert bad.status_code == 400 and "not valid JSON" in bad.text
    found = web.get("/data/home/docs/people", params={"filter": '{"age": {"$gt": 30}}'}).text
    assert "&#34;ann&#34;" in found and "&#34;bo&#34;" not in found
    overview = web.get("/data/home").text
    assert "settings" in overview and "1 entry," in overview and "2 documents" in overview


def test_a_copy_through_the_inbox_and_a_message(server: Server, web: WebUser) -> None:
    friend = web_user(server, pod="mine")
    web.put(
        "/api/v1/pods/home/files/gift.txt", content=b"for you", headers={"X-CSRF-Token": web.csrf}
    )
    sent = web.form("/act/home/send-copy", path="gift.txt", user=friend.name, next="/")
    assert sent.status_code == 303
    inbox = friend.get("/inbox").text
    offer = re.search(r'action="/inbox/accept".*?name="id" value="([^"]+)"', inbox, re.S)
    assert "gift.txt" in inbox and offer
    kept = friend.form("/inbox/accept", id=offer.group(1), pod="mine", folder="", next="/inbox")
    assert kept.status_code == 303
    assert friend.get("/api/v1/pods/mine/files/gift.txt").content == b"for you"
    assert "Nothing in your inbox" in friend.get("/inbox").text
    web.form("/messages/send", to=friend.name, text="did it <arrive>?", next="/messages")
    talk = friend.get(f"/messages/{web.name}").text
    assert "did it &lt;arrive&gt;?" in talk
    friend.close()


def test_recent_files_and_open_sessions(server: Server, web: WebUser) -> None:
    for name in ["first.txt", "second.txt"]:
        web.put(f"/api/v1/pods/home/files/{name}", content=b"x", headers={"X-CSRF-Token": web.csrf})
    recent = web.get("/recent").text
    assert recent.index("home/second.txt") < recent.index("home/first.txt")
    with httpx.Client(base_url=server.url) as phone:
        phone.post("/login", data={"name": web.name, "password": PASSWORD})
        assert phone.get("/pods").status_code == 200
        account = web.get("/account").text
        assert "(this browser)" in account
        ending = r'action="/account/sessions/end".*?name="id" value="([^"]+)"'
        other = re.search(ending, account, re.S)
        assert other
        ended = web.form("/account/sessions/end", id=other.group(1), next="/account")
        assert ended.status_code == 303
        assert phone.get("/pods").headers["location"].startswith("/login")
    assert web.get("/pods").status_code == 200


def test_names_in_any_script_and_redirects_that_stay_here(web: WebUser) -> None:
    made = web.form("/act/home/mkdir", folder="", name="grüße 日本", next="/files/home")
    assert made.status_code == 303
    page = web.get("/files/home")
    assert "Folder grüße 日本 created." in page.text and "grüße 日本</a>" in page.text
    targets = ["//evil.example", "/\\evil.example", "https://evil.example/", "files"]
    for n, target in enumerate(targets):
        moved = web.form("/act/home/mkdir", folder="", name=f"x{n}", next=target)
        assert moved.headers["location"] == "/pods", target


def test_thumbnails_over_http(server: Server, web: WebUser) -> None:
    csrf = {"X-CSRF-Token": web.csrf}
    web.put("/api/v1/pods/home/files/p.jpg", content=media.photo(300, 200), headers=csrf)
    web.put("/api/v1/pods/home/files/t.txt", content=b"text", headers=csrf)
    version = web.get("/api/v1/pods/home/stat/p.jpg").json()["version_id"]
    url = "/api/v1/pods/home/thumbnail/p.jpg"
    latest = web.get(url, params={"size": 128})
    assert latest.status_code == 200 and latest.headers["content-type"] == "image/webp"
    assert latest.headers["cache-control"] == "private, no-cache"
    assert latest.headers["content-security-policy"] == "sandbox"
    pinned = web.get(url, params={"size": 128, "version": version})
    assert "immutable" in pinned.headers["cache-control"] and pinned.content == latest.content
    again = web.get(url, params={"size": 128}, headers={"If-None-Match": latest.headers["etag"]})
    assert again.status_code == 304
    assert web.get(url, params={"size": 77}).status_code == 400
    assert web.get("/api/v1/pods/home/thumbnail/t.txt").status_code == 404
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get(url).status_code == 401


def test_a_link_page_is_throttled_with_the_link_api(server: Server, web: WebUser) -> None:
    """Wrong passwords count the same whether tried on the page or on the API: after the
    free attempts both answer 429 with Retry-After, even to the right password."""
    web.put("/api/v1/pods/home/files/locked.txt", content=b"x", headers={"X-CSRF-Token": web.csrf})
    made = web.form("/act/home/link", path="locked.txt", password="right one", next="/links")
    found = re.search(r'id="link-url" value="[^"]*/s/([^"]+)"', made.text)
    assert found
    token = found.group(1)
    with httpx.Client(base_url=server.url) as anon:
        for attempt in range(5):
            if attempt % 2:
                wrong = anon.get(
                    f"/api/v1/public/{token}", headers={"X-Podstore-Link-Password": "no"}
                )
            else:
                anon.cookies.set("podstore_link_password", "no", path=f"/s/{token}")
                wrong = anon.get(f"/s/{token}")
            assert wrong.status_code == 401
        anon.cookies.set("podstore_link_password", "right one", path=f"/s/{token}")
        page = anon.get(f"/s/{token}")
        assert page.status_code == 429 and int(page.headers["retry-after"]) >= 1
        assert "text/html" in page.headers["content-type"]
        api = anon.get(f"/api/v1/public/{token}", headers={"X-Podstore-Link-Password": "right one"})
        assert api.status_code == 429


def test_a_link_to_a_photo_shows_its_thumbnail_without_using_a_download(
    server: Server, web: WebUser
) -> None:
    photo = media.photo(400, 300)
    web.put("/api/v1/pods/home/files/view.jpg", content=photo, headers={"X-CSRF-Token": web.csrf})
    made = web.form("/act/home/link", path="view.jpg", max_downloads="1", next="/links")
    found = re.search(r'id="link-url" value="[^"]*(/s/[^"]+)"', made.text)
    assert found
    link = found.group(1)
    with httpx.Client(base_url=server.url) as anon:
        assert f'src="{link}/?thumbnail=1024"' in anon.get(link).text  # the link is the file
        for _ in range(2):
            thumb = anon.get(f"{link}/", params={"thumbnail": "1024"})
            assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
        assert anon.get(f"{link}/", params={"thumbnail": "99999999"}).status_code == 400
        assert anon.get(link, params={"raw": 1}).content == photo  # the one download
        assert anon.get(link, params={"raw": 1}).status_code == 404
