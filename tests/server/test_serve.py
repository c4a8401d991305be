"""The serving process's own setup: what it does to the heap before it takes requests."""

from __future__ import annotations

import gc

from podstore.server.serve import settle_heap


def test_settle_heap_takes_live_objects_out_of_the_collectors_sight() -> None:
    before = gc.get_freeze_count()
    startup_state = [[n] for n in range(5000)]  # tracked containers, as modules and routes
    try:
        settle_heap()
        assert gc.get_freeze_count() >= before + len(startup_state)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
