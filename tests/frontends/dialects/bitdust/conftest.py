"""One BitDust-enabled server per test module (SQLite), identity made."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.frontends.dialects.bitdust.engine import BitDust, running_bitdust


@pytest.fixture(scope="module")
def bitdust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BitDust]:
    yield from running_bitdust(tmp_path_factory.mktemp("bitdust"))
