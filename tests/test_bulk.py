"""Bulk stages pause the cyclic garbage collector while they run, and only while they run."""

from __future__ import annotations

import gc

import pytest

from cluster_etl import normalise, publish, validate
from cluster_etl.bulk import without_cyclic_gc


def test_the_collector_is_paused_inside_and_restored_after_even_on_error():
    seen = []

    @without_cyclic_gc
    def stage(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("boom")

    assert gc.isenabled()
    stage(False)
    with pytest.raises(RuntimeError):
        stage(True)
    assert seen == [False, False] and gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        without_cyclic_gc(lambda: None)()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_normalise_validate_and_publish_are_bulk_stages():
    assert normalise.normalise.__wrapped__ and validate.validate.__wrapped__
    assert publish.write_release.__wrapped__
