"""exam_platform.common.batching.Batcher: group commits for asyncio code."""

import asyncio

import pytest

from exam_platform.common.batching import Batcher


def _recording():
    batches = []

    async def handle(items):
        batches.append(list(items))
        return [item * 10 for item in items]

    return batches, handle


async def test_items_submitted_together_are_handled_in_one_batch_results_in_order():
    batches, handle = _recording()
    batcher = Batcher(handle, max_batch=100, max_wait=0.02)

    results = await asyncio.gather(*(batcher.submit([i]) for i in range(5)))

    assert results == [[0], [10], [20], [30], [40]]
    assert batches == [[0, 1, 2, 3, 4]]


async def test_a_batch_goes_at_once_when_flush_at_items_are_queued():
    batches, handle = _recording()
    batcher = Batcher(handle, max_batch=100, max_wait=5.0, flush_at=3)

    results = await asyncio.wait_for(asyncio.gather(*(batcher.submit([i]) for i in range(3))), 1.0)

    assert results == [[0], [10], [20]]  # not 5 s later
    assert batches == [[0, 1, 2]]


async def test_batches_are_at_most_max_batch_and_a_failing_batch_fails_only_its_items():
    calls = []

    async def handle(items):
        calls.append(list(items))
        if 0 in items:
            raise RuntimeError("database down")
        return list(items)

    batcher = Batcher(handle, max_batch=2, max_wait=0.01)

    results = await asyncio.gather(*(batcher.submit([i]) for i in range(4)), return_exceptions=True)

    assert [len(c) for c in calls] == [2, 2]
    assert isinstance(results[0], RuntimeError) and isinstance(results[1], RuntimeError)
    assert results[2:] == [[2], [3]]
    await batcher.drain()


@pytest.mark.parametrize("flush_at", [None, 500])
async def test_flush_at_is_capped_by_max_batch(flush_at):
    _batches, handle = _recording()
    assert Batcher(handle, max_batch=50, max_wait=0.01, flush_at=flush_at).flush_at == 50
