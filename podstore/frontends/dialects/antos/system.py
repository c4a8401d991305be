"""`/system/…`: saved settings, packages, versions. AntOS's `application` and `apigateway`
run server-side code of the user's choosing; podstore never does, and says so."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from podstore import __version__
from podstore.core.errors import NotFound
from podstore.frontends.dialects.antos import packages
from podstore.frontends.dialects.antos.errors import AntosError, ok
from podstore.frontends.dialects.antos.paths import home
from podstore.frontends.dialects.antos.routing import Call, action, controller
from podstore.frontends.dialects.antos.user import SETTINGS_FILE
from podstore.frontends.http.bodies import read_body

API_VERSION = "2.1.0"  # the AntOS REST API podstore speaks
NO_SERVER_CODE = "This server does not run server-side code"

controller(
    "system",
    "System operations of the AntOS desktop",
    {
        "/packages": "Packages: list, cache, install, uninstall",
        "/settings": "Save the user's settings",
        "/application": "Not served: podstore runs no server-side code",
        "/apigateway": "Not served: podstore runs no server-side code",
        "/version": "Versions of the server's components",
    },
)


@action("system", "settings")
async def settings(call: Call) -> Response:
    """The whole settings object, kept in `home://.antos/settings/settings.json`."""
    await call.actor()
    raw = await read_body(call.request, call.core.settings.max_json_body)
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        raise AntosError("No setting founds")  # [sic]
    await call.volumes.write(call, home(call.settings.home_pod, *SETTINGS_FILE), raw)
    return ok(True)


@action("system", "packages")
async def package_command(call: Call) -> Response:
    await call.actor()
    body = await call.json()
    args = body.get("args")
    args = args if isinstance(args, dict) else {}
    paths = args.get("paths")
    paths = paths if isinstance(paths, list) else []
    command = body.get("command")
    await packages.prepare(call, paths)
    if command == "list":
        return ok(await packages.listing(call, paths))
    if command in ("cache", "init"):  # listings are read live: nothing to cache
        return ok(True)
    if command == "install":
        await packages.install(call, args.get("zip"), args.get("dest"))
        return ok(True)
    if command == "uninstall":
        try:
            await packages.uninstall(call, args.get("path"))
        except NotFound:
            raise AntosError("Cannot find package") from None
        return ok(True)
    raise AntosError("Uknown packages command")  # [sic]


@action("system", "version")
async def version(call: Call) -> Response:
    await call.actor()
    versions: dict[str, Any] = {"REST": {"version": API_VERSION, "ref": f"podstore {__version__}"}}
    return ok(versions)


@action("system", "application")
async def application(call: Call) -> Response:
    raise AntosError(NO_SERVER_CODE)


@action("system", "apigateway")
async def apigateway(call: Call) -> Response:
    raise AntosError(NO_SERVER_CODE)
