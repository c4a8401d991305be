"""The AntOS dialect against a real server: the real front-end's own call sequences
(research/dialect-clients.md) replayed with their exact paths, encodings and slashes; every
VFS, user and system request of the seed (research/seed-apis.md §3) with its sample bodies;
and the bad input AntOS answers with its own messages. One module, so one server per
database."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile

from tests.fixtures.server import Server
from tests.frontends.dialects.antos.conftest import PACKAGES, WALLPAPER, Desktop

PKG_PATHS = {"paths": ["home://.antos/packages", "os://packages"]}
UNAUTHORIZED = "User unauthorized. Please login"


def load_package(desktop: Desktop, name: str, stamp: int) -> None:
    """What the desktop does to start an app or a service: fileinfo, then its script
    (encoded path, jQuery's `?_=`), package.json (encoded) and stylesheet (raw, `?stamp=`)."""
    for file in ("main.js", "package.json", "main.css"):
        info = desktop.result("//VFS/fileinfo", {"path": f"os://packages/{name}/{file}"})
        assert (info["type"], info["name"]) == ("file", file)
    script = desktop.get(f"//VFS/get/os%3A%2F%2Fpackages%2F{name}%2Fmain.js?_={stamp}")
    assert script.status_code == 200 and script.text == f"console.log('{name}');"
    meta = desktop.get(f"//VFS/get/os%3A%2F%2Fpackages%2F{name}%2Fpackage.json")
    assert meta.json() == PACKAGES[name]
    css = desktop.get(f"//VFS/get/os://packages/{name}/main.css?stamp={stamp // 1000}")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_boot_login_desktop_files_exit_logout(antos_server: Server) -> None:
    user = antos_server.new_user("replay")
    desktop = Desktop(antos_server)

    # boot: not signed in, so the login screen
    assert desktop.call("//user/auth", {}) == {"error": UNAUTHORIZED}

    # login: the settings saved so far (none) and the user; the plain session cookie
    login = desktop.post("//user/login", {"username": user.name, "password": user.password})
    assert login.status_code == 200
    info = login.json()["result"]
    assert login.json()["error"] is False
    assert info["user"]["username"] == user.name and info["user"]["name"] == user.name
    assert info["user"]["id"] == user.user_id and info["user"]["groups"] == {}
    cookie = login.headers["set-cookie"]
    assert cookie.startswith(f"sessionid={desktop.http.cookies['sessionid']};")
    assert "Path=/" in cookie and "Secure" not in cookie and "Domain" not in cookie

    wallpaper = desktop.get("//VFS/get/os://resources/themes/system/wp/wp3.jpg")
    assert wallpaper.content == WALLPAPER and wallpaper.headers["content-type"] == "image/jpeg"
    icon = desktop.get("//VFS/get/os://resources/themes/system/icons/antos-32x32.png")
    assert icon.headers["content-type"] == "image/png"
    assert desktop.call("//system/packages", {"command": "cache", "args": PKG_PATHS}) == {
        "result": True,
        "error": False,
    }
    assert desktop.result("//VFS/fileinfo", {"path": "home://.antos/desktop"})["type"] == "dir"
    packages = desktop.result("//system/packages", {"command": "list", "args": PKG_PATHS})
    assert packages == {
        name: {**meta, "path": f"os://packages/{name}"} for name, meta in PACKAGES.items()
    }
    assert desktop.result("//VFS/scandir", {"path": "home://.antos/desktop"}) == []
    load_package(desktop, "SystemServices", 1796421750169)

    # opening Files
    load_package(desktop, "Files", 1796421776490)
    scheme = desktop.get("//VFS/get/os%3A%2F%2Fpackages%2FFiles%2Fscheme.html")
    assert scheme.text == "<afx-app-window></afx-app-window>"
    missing = {"path": "home://.antos/settings/Files.json"}
    assert desktop.error("//VFS/fileinfo", missing) == "File not found"
    home = desktop.result("//VFS/fileinfo", {"path": "home://"})
    assert home["type"] == "dir" and home["mime"] == "dir" and home["path"] == "home://"
    listing = desktop.result("//VFS/scandir", {"path": "home://"})
    assert [(e["filename"], e["path"], e["type"]) for e in listing] == [
        (".antos", "home://.antos", "dir")
    ]

    # exit: settings, the apps' own settings, logout, then the boot check again
    settings = {"desktop": {"path": "home://.antos/desktop"}, "appearance": {"theme": "dark"}}
    assert desktop.result("//system/settings", settings) is True
    saved = base64.b64encode(json.dumps({"nav": True}).encode()).decode()
    body = {"path": "home://.antos/settings/Files.json", "data": f"data:text/plain;base64,{saved}"}
    assert desktop.result("//VFS/write", body) is True
    logout = desktop.post("//user/logout", {})
    assert logout.json() == {"error": False, "result": True}
    assert logout.headers["set-cookie"].startswith("sessionid=0;")
    assert "Path=/" in logout.headers["set-cookie"]
    assert desktop.call("//user/auth", {}) == {"error": UNAUTHORIZED}

    # next time: the saved settings come back with the user, and Files finds its own
    again = desktop.login(user.name, user.password)
    assert again["appearance"] == {"theme": "dark"} and again["user"]["username"] == user.name
    read = desktop.get("//VFS/get/home%3A%2F%2F.antos%2Fsettings%2FFiles.json")
    assert read.json() == {"nav": True}
    desktop.close()
    user.close()


HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$")


def data_url(content: bytes, mime: str = "text/plain") -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def write(desktop: Desktop, path: str, content: bytes) -> None:
    assert desktop.result("/VFS/write", {"path": path, "data": data_url(content)}) is True


def names(desktop: Desktop, path: str) -> dict[str, str]:
    return {e["filename"]: e["type"] for e in desktop.result("/VFS/scandir", {"path": path})}


def test_indexes_answer_unknown_actions(desktop: Desktop) -> None:
    for path, action in (
        ("/VFS", "/scandir"),
        ("//user/nothing", "/login"),
        ("/system", "/packages"),
    ):
        index = desktop.result(path, {})
        assert isinstance(index["description"], str) and action in index["actions"]


def test_stat_objects_have_the_seed_shape(desktop: Desktop) -> None:
    assert desktop.result("/VFS/mkdir", {"path": "home:///docs"}) is True
    write(desktop, "home://docs/notes.md", b"# notes")
    entries = desktop.result("/VFS/scandir", {"path": "home://docs/"})
    assert len(entries) == 1
    entry = entries[0]
    assert set(entry) == {
        "type", "ctime", "mtime", "size", "mime", "uid", "gid", "permissions", "perm",
        "filename", "path",
    }  # fmt: skip
    assert (entry["filename"], entry["path"], entry["type"]) == (
        "notes.md",
        "home://docs/notes.md",
        "file",
    )
    assert entry["size"] == 7 and entry["mime"] == "text/markdown"
    assert HTTP_DATE.match(entry["ctime"]) and HTTP_DATE.match(entry["mtime"])
    assert entry["permissions"] == " (600)" and entry["uid"] == desktop.native.user_id
    assert entry["perm"]["owner"] == {"read": True, "write": True, "exec": False}
    assert entry["perm"]["group"] == entry["perm"]["other"] == {
        "read": False, "write": False, "exec": False,
    }  # fmt: skip
    folder = desktop.result("/VFS/fileinfo", {"path": "home://docs"})
    assert (folder["type"], folder["mime"], folder["permissions"]) == ("dir", "dir", " (700)")
    assert (folder["name"], folder["path"]) == ("docs", "home://docs")
    assert desktop.result("/VFS/exists", {"path": "home://docs/notes.md"}) is True
    assert desktop.result("/VFS/exists", {"path": "home://docs/gone.md"}) is False


def test_get_by_encoded_and_raw_path_with_ranges(desktop: Desktop) -> None:
    write(desktop, "home://read me.txt", b"0123456789")
    for path in ("/VFS/get/home%3A%2F%2Fread%20me.txt?_=17", "//VFS/get/home://read me.txt"):
        got = desktop.get(path)
        assert got.content == b"0123456789" and got.headers["content-type"] == "text/plain"
    part = desktop.get("/VFS/get/home://read me.txt?stamp=9", headers={"Range": "bytes=2-4"})
    assert part.status_code == 206 and part.content == b"234"
    assert desktop.get("/VFS/get/home://absent.txt").json() == {"error": "Resource does not exist"}


def test_write_creates_overwrites_and_empties(desktop: Desktop) -> None:
    write(desktop, "home://a.txt", b"first")
    write(desktop, "home://a.txt", b"second")
    assert desktop.get("/VFS/get/home://a.txt").content == b"second"
    assert desktop.result("/VFS/write", {"path": "home://empty.txt", "data": ""}) is True
    assert desktop.result("/VFS/fileinfo", {"path": "home://empty.txt"})["size"] == 0
    assert desktop.get("/VFS/get/home://empty.txt").content == b""


def test_mkdir_move_and_recursive_delete_to_the_trash(desktop: Desktop) -> None:
    assert desktop.result("/VFS/mkdir", {"path": "home:///project"}) is True
    assert desktop.result("/VFS/mkdir", {"path": "home://project"}) is True  # there already
    write(desktop, "home://project/src/main.py", b"print()")
    assert desktop.result("/VFS/move", {"src": "home://project", "dest": "home://renamed"}) is True
    assert names(desktop, "home://renamed/src") == {"main.py": "file"}
    assert desktop.result("/VFS/move", {"src": "home://renamed", "dest": "desktop://renamed"})
    assert names(desktop, "desktop://") == {"renamed": "dir"}
    assert desktop.result("/VFS/delete", {"path": "desktop://renamed"}) is True
    assert desktop.result("/VFS/exists", {"path": "desktop://renamed/src/main.py"}) is False
    trash = desktop.native.get("/pods/home/trash").json()["entries"]
    assert [e["name"] for e in trash] == ["renamed"]
    assert desktop.error("/VFS/delete", {"path": "home://"}) == "Cant not delete the file"


def test_upload_streams_every_part_into_the_folder(desktop: Desktop) -> None:
    assert desktop.result("/VFS/mkdir", {"path": "home:///inbox"}) is True
    big = bytes(range(256)) * 12_000  # chunked, not inline
    files = [
        ("path", (None, "home://inbox")),
        ("upload-0", ("photo.raw", big, "application/octet-stream")),
        ("upload-1", ("note.txt", b"hello", "text/plain")),
    ]
    assert desktop.result("/VFS/upload", files=files) == 2
    assert names(desktop, "home://inbox") == {"photo.raw": "file", "note.txt": "file"}
    assert desktop.get("/VFS/get/home://inbox/photo.raw").content == big
    without_path = [("upload-0", ("x.txt", b"x", "text/plain"))]
    assert desktop.error("/VFS/upload", files=without_path) == "Invalid query"
    no_files = [("path", (None, "home://inbox")), ("note", (None, "hi"))]
    assert desktop.error("/VFS/upload", files=no_files) == "No file is uploaded"
    nowhere = [("path", (None, "home://nowhere")), ("upload-0", ("x.txt", b"x", "text/plain"))]
    assert desktop.error("/VFS/upload", files=nowhere) == "Resource does not exist"
    assert desktop.error("/VFS/upload", {"path": "home://inbox"}) == "Invalid query"


def test_publish_lists_only_what_owners_published(antos_server: Server, desktop: Desktop) -> None:
    write(desktop, "home://public.txt", b"for everyone")
    write(desktop, "home://linked.txt", b"a plain link")
    desktop.native.post("/pods/home/links", json={"path": "linked.txt"}).raise_for_status()
    sid = desktop.result("/VFS/publish", {"path": "home://public.txt", "publish": True})
    assert desktop.result("/VFS/publish", {"path": "home://public.txt", "publish": True}) == sid

    anonymous = Desktop(antos_server)
    listed = anonymous.result("/VFS/shared/all")
    mine = [e for e in listed if e["path"] == f"shared://{sid}"]
    assert [(e["filename"], e["mime"], e["size"]) for e in mine] == [
        ("public.txt", "text/plain", 12)
    ]
    assert all(e["filename"] != "linked.txt" for e in listed)
    assert anonymous.get(f"/VFS/shared/{sid}").content == b"for everyone"
    assert desktop.result("/VFS/fileinfo", {"path": f"shared://{sid}"})["name"] == "public.txt"
    assert desktop.get(f"/VFS/get/shared://{sid}").content == b"for everyone"
    assert desktop.error("/VFS/write", {"path": f"shared://{sid}", "data": ""}) == (
        "Shared file is readonly"
    )

    assert desktop.result("/VFS/publish", {"path": sid, "publish": False}) == sid
    assert anonymous.error(f"/VFS/shared/{sid}") == f"Cannot get shared file with: {sid}"
    assert all(e["path"] != f"shared://{sid}" for e in anonymous.result("/VFS/shared/all"))
    anonymous.close()


def test_a_grantee_sees_its_level_and_cannot_publish(
    antos_server: Server, desktop: Desktop
) -> None:
    write(desktop, "home://team/plan.txt", b"plan")
    guest_user = antos_server.new_user("guest")
    share = {"path": "team", "user": guest_user.name, "level": "read"}
    scope = desktop.native.post("/pods/home/shares", json=share).json()["pod"]
    guest = Desktop(antos_server)
    guest.login(guest_user.name, guest_user.password)
    entry = guest.result("/VFS/scandir", {"path": f"pod://{scope}"})[0]
    assert (entry["filename"], entry["path"]) == ("plan.txt", f"pod://{scope}/plan.txt")
    assert entry["permissions"] == " (640)" and entry["uid"] == desktop.native.user_id
    assert entry["perm"]["group"] == {"read": True, "write": False, "exec": False}
    assert guest.get(f"/VFS/get/pod://{scope}/plan.txt").content == b"plan"
    denied = {"path": f"pod://{scope}/plan.txt", "data": ""}
    assert guest.error("/VFS/write", denied).startswith("You dont have write permission")
    published = {"path": f"pod://{scope}/plan.txt", "publish": True}
    assert guest.error("/VFS/publish", published) == "Only the owner can share or unshare this file"
    guest.close()
    guest_user.close()


def test_bad_input_gets_antos_messages(desktop: Desktop) -> None:
    assert desktop.error("/VFS/fileinfo", {"path": "ftp://x/y"}) == "Resource not found"
    assert desktop.error("/VFS/scandir", {"path": "gdv://"}) == "Resource not found: gdv://"
    assert desktop.error("/VFS/fileinfo", {"path": "home://a/../../etc"}) == "Resource not found"
    assert desktop.get("/VFS/get/home%3A%2F%2F..%2Fx").json() == {"error": "Resource not found"}
    assert desktop.error("/VFS/fileinfo", {"path": 42}) == "Resource not found"
    assert desktop.result("/VFS/exists", {"path": "nope://"}) is False
    bad = {"path": "home://bad.txt", "data": "data:text/plain;base64,@@not base64@@"}
    assert desktop.error("/VFS/write", bad) == "Wrong data format"
    assert desktop.error("/VFS/write", {"path": "home://bad.txt", "data": "plain text"}) == (
        "Wrong data format"
    )
    assert desktop.error("/VFS/write", {"path": "os://index.html", "data": ""}).startswith(
        "You dont have write permission"
    )
    garbage = desktop.post(
        "/VFS/scandir", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.json() == {"error": "Uknown request"}
    assert desktop.error("/VFS/move", {"src": "home://a", "dest": "shared://x"}) == (
        "Shared file is readonly"
    )
    huge = desktop.post("/VFS/scandir", content=b" " * (2 * 1024 * 1024))
    assert huge.status_code == 413 and "error" in huge.json()


def test_the_build_is_read_only_and_closed_at_its_edge(desktop: Desktop) -> None:
    assert names(desktop, "os://packages") == {
        "Files": "dir", "SystemServices": "dir", "README": "file",
    }  # fmt: skip
    assert desktop.error("/VFS/fileinfo", {"path": "os://packages/escape/passwd"}) == (
        "File not found"
    )
    assert desktop.get("/VFS/get/os://packages/escape/passwd").json() == {
        "error": "Resource does not exist"
    }
    info = desktop.result("/VFS/fileinfo", {"path": "os://packages/Files/main.js"})
    assert info["permissions"] == " (444)" and info["mime"] == "text/javascript"
    assert desktop.error("/VFS/delete", {"path": "os://packages"}).startswith("You dont have")


def test_the_desktop_is_served_under_its_prefix(desktop: Desktop) -> None:
    page = desktop.http.get(desktop.server.url + "/antos", follow_redirects=False)
    assert page.status_code in (302, 307) and page.headers["location"] == "/antos/"
    index = desktop.http.get(desktop.server.url + "/antos/")
    assert index.status_code == 200 and "AntOS webOS" in index.text
    escaped = desktop.http.get(desktop.server.url + "/antos/packages/escape/passwd")
    assert escaped.status_code == 404
    below = Desktop(desktop.server, "/antos/")
    below.http.cookies = desktop.http.cookies
    assert below.result("/VFS/fileinfo", {"path": "home://"})["type"] == "dir"
    below.close()


def test_sessions_from_the_query_and_the_user_routes(
    antos_server: Server, desktop: Desktop
) -> None:
    token = desktop.http.cookies["sessionid"]
    anonymous = Desktop(antos_server)
    assert (
        anonymous.error("/VFS/fileinfo", {"path": "home://"}) == "User unauthorized. Please login"
    )
    for query in ("sessionid", "access_token"):
        info = anonymous.result(f"/VFS/fileinfo?{query}={token}", {"path": "home://"})
        assert info["type"] == "dir"
    assert anonymous.error("/user/login", {"username": "nobody", "password": "x" * 12}) == (
        "Invalid login"
    )
    wrong = {"username": desktop.native.name, "password": "not the password"}
    assert anonymous.error("/user/login", wrong) == "Invalid login"
    assert anonymous.post("/user/logout", {}).json() == {"error": False, "result": True}
    version = desktop.result("/system/version")
    assert version["REST"]["version"] == "2.1.0"
    for route in ("/system/application", "/system/apigateway?ws=0"):
        assert "server-side code" in desktop.error(route, {"code": "os.exit()"})
    anonymous.close()


def test_packages_install_list_and_uninstall(desktop: Desktop) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"app": "Demo", "name": "Demo app"}))
        zf.writestr("main.js", "console.log('demo')")
        zf.writestr("assets/", "")
    content = archive.getvalue()
    assert desktop.result(
        "/VFS/write", {"path": "home://Demo.zip", "data": data_url(content, "application/zip")}
    )
    install = {"zip": "home://Demo.zip", "dest": "home://.antos/packages/Demo"}
    assert desktop.result("/system/packages", {"command": "install", "args": install}) is True
    paths = {"paths": ["home://.antos/packages", "os://packages"]}
    listed = desktop.result("/system/packages", {"command": "list", "args": paths})
    assert listed["Demo"] == {
        "app": "Demo", "name": "Demo app", "path": "home://.antos/packages/Demo", "scope": "user",
    }  # fmt: skip
    assert set(listed) == {"Demo", "Files", "SystemServices"}
    assert desktop.get("/VFS/get/home://.antos/packages/Demo/main.js").text == "console.log('demo')"
    gone = {"command": "uninstall", "args": {"path": "home://.antos/packages/Demo"}}
    assert desktop.result("/system/packages", gone) is True
    assert "Demo" not in desktop.result("/system/packages", {"command": "list", "args": paths})
    assert desktop.error("/system/packages", gone) == "Cannot find package"
    write(desktop, "home://broken.zip", b"PK not a zip")
    broken = {"command": "install", "args": {"zip": "home://broken.zip", "dest": "home://x"}}
    assert desktop.error("/system/packages", broken) == "Problem extracting zip file"
    assert desktop.error("/system/packages", {"command": "format"}) == "Uknown packages command"


def test_a_client_error_is_never_a_server_error(desktop: Desktop) -> None:
    for path, body in (
        ("/VFS/move", {"src": 1, "dest": None}),
        ("/VFS/publish", {"publish": True}),
        ("/VFS/publish", {"path": ["x"], "publish": False}),
        ("/system/packages", {"command": "list", "args": {"paths": [1, None, "home://x"]}}),
        ("/system/packages", {"command": "install", "args": []}),
        ("/system/settings", [1, 2]),
        ("/VFS/mkdir", {"path": "home://a\u0000b"}),
    ):
        response = desktop.post(path, body)
        assert response.status_code == 200 and "error" in response.json(), (path, response.text)
    response = desktop.http.post(
        desktop.url("/VFS/upload"),
        content=b"--x\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 200 and isinstance(response.json()["error"], str)
