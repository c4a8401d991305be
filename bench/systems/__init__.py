"""The systems under test, by name. Add a peer: write an adapter (see base.py) and list it here."""

from __future__ import annotations

from bench.systems.base import FILES, LIST, REUPLOAD, SMALL, Listing, System
from bench.systems.peers import Copyparty, Nginx, Rclone, Wsgidav
from bench.systems.podstore import Podstore, PodstoreDav
from bench.systems.tahoe import Tahoe

REGISTRY: dict[str, type[System]] = {
    cls.name: cls for cls in (Podstore, PodstoreDav, Copyparty, Wsgidav, Rclone, Nginx, Tahoe)
}

__all__ = ["FILES", "LIST", "REGISTRY", "REUPLOAD", "SMALL", "Listing", "System"]
