"""The server processes' garbage-collector policy (exam_platform.common.gc_policy)."""

import gc
import logging

import pytest

from exam_platform.common import gc_policy


@pytest.fixture
def restore_gc():
    threshold = gc.get_threshold()
    yield
    gc.callbacks[:] = [cb for cb in gc.callbacks if not isinstance(cb, gc_policy.GcPolicy)]
    gc.unfreeze()
    gc.set_threshold(*threshold)


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_survivors_of_a_full_collection_are_frozen_and_slow_ones_logged(restore_gc, caplog):
    gc_policy.install(slow_ms=0.000001, freeze=True, thaw_seconds=3600)
    after_install = gc.get_freeze_count()
    survivors = [Node() for _ in range(1000)]

    with caplog.at_level(logging.WARNING, logger="exam_platform.gc"):
        gc.collect()

    assert gc.get_freeze_count() >= after_install + 1000  # the survivors left the generations
    assert any("gc: generation 2 collection took" in r.getMessage() for r in caplog.records)
    assert survivors


def test_install_sets_the_young_generation_threshold_keeping_the_older_ones(restore_gc):
    _young, older, oldest = gc.get_threshold()

    gc_policy.install(slow_ms=0, freeze=False, thaw_seconds=3600, young_threshold=12_345)

    assert gc.get_threshold() == (12_345, older, oldest)


def test_after_the_thaw_interval_a_full_collection_releases_the_frozen_and_frees_cycles(restore_gc):
    policy = gc_policy.install(slow_ms=0, freeze=True, thaw_seconds=3600)
    garbage = [Node() for _ in range(1000)]
    gc.collect()  # frozen while still referenced
    del garbage
    gc.collect()
    frozen = gc.get_freeze_count()
    policy.thaw_seconds = 0

    gc.collect()  # the thaw: released into the generations
    thawed = gc.get_freeze_count()
    gc.collect()  # walks everything once: the 1,000 cycles are freed, the rest frozen again

    assert thawed == 0 < frozen
    assert not any(isinstance(o, Node) for o in gc.get_objects())


def test_without_freeze_nothing_is_frozen_after_collections(restore_gc):
    gc_policy.install(slow_ms=0, freeze=False, thaw_seconds=3600)
    start = gc.get_freeze_count()
    keep = [Node() for _ in range(1000)]

    gc.collect()

    assert gc.get_freeze_count() == start
    assert keep


def test_settle_collects_everything_and_freezes_the_survivors(restore_gc):
    gc_policy.install(slow_ms=0, freeze=True, thaw_seconds=3600)
    garbage = [Node() for _ in range(500)]
    kept = [Node() for _ in range(500)]
    frozen = gc.get_freeze_count()
    del garbage

    collected = gc_policy.settle()

    assert collected >= 500
    assert gc.get_freeze_count() >= frozen + 500  # the survivors are frozen
    assert kept


def test_settle_does_nothing_without_a_freezing_policy(restore_gc):
    gc_policy.install(slow_ms=0, freeze=False, thaw_seconds=3600)
    assert gc_policy.settle() is None
    gc.callbacks[:] = [cb for cb in gc.callbacks if not isinstance(cb, gc_policy.GcPolicy)]
    assert gc_policy.settle() is None


def test_a_settle_due_for_the_thaw_frees_frozen_cycles_and_freezes_everything_after(restore_gc):
    policy = gc_policy.install(slow_ms=0, freeze=True, thaw_seconds=3600)
    garbage = [Node() for _ in range(1000)]
    gc.collect()  # frozen while still referenced
    del garbage
    policy.last_thaw -= 3601  # the thaw is due

    gc_policy.settle()

    assert not any(isinstance(o, Node) for o in gc.get_objects())  # the frozen cycles were freed
    assert gc.get_freeze_count() > 0  # and the survivors are frozen again, not left thawed


def test_a_young_threshold_of_zero_is_refused(restore_gc):
    with pytest.raises(ValueError):
        gc_policy.install(slow_ms=0, freeze=False, thaw_seconds=3600, young_threshold=0)
