"""The collector's thresholds are raised for the length of bulk work and put back after."""

from __future__ import annotations

import gc
import threading

import pytest

from xinyong.core.gc_thresholds import BULK_THRESHOLD, fewer_collections


@pytest.fixture
def defaults():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_raised_inside_and_restored_after(defaults):
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_after_an_error(defaults):
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_blocks_restore_only_when_the_last_ends(defaults):
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with fewer_collections():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(5)
    with fewer_collections():
        assert gc.get_threshold()[0] == BULK_THRESHOLD
    assert gc.get_threshold()[0] == BULK_THRESHOLD  # the other import is still running
    release.set()
    t.join(5)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_collector_switched_off_stays_off(defaults):
    gc.set_threshold(0, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == (0, 10, 10)
