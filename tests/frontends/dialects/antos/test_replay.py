"""The real AntOS front-end's own call sequences (research/dialect-clients.md), replayed
with their exact paths, encodings and slashes against a real server: boot, login, the
package cache and list, the desktop scan, the startup services, opening Files, saving
settings on exit, logout."""

from __future__ import annotations

import base64
import json

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
