"""The hot paths leave no reference cycles behind — the waiting room's batches, the answer writer's
batches: what they allocate is freed when they are done, not by a garbage collection that would
stop every socket of the process in the middle of the exam (docs/performance.md)."""

import asyncio
import gc

import pytest
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper

from exam_platform.delivery import starter
from exam_platform.delivery.answers import FormIndex, close_writers, parse_save, save_answers
from exam_platform.delivery.services.attempts import start_attempt
from tests.delivery.exam_setup import answer_for, items_by_type, make_entry, make_session, save_message

pytestmark = pytest.mark.django_db


def _cyclic_garbage(run) -> list:
    """Everything `run` left for the garbage collector (gc.DEBUG_SAVEALL keeps it for a look)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return garbage


def _models_and_items(garbage: list) -> list:
    return [o for o in garbage if isinstance(o, models.Model) or (isinstance(o, dict) and "stem" in o)]


@pytest.fixture
def waiting():
    session = make_session()
    ids = [make_entry(session).pk for _ in range(3)]
    starter.prepare_for_sockets(ids[:1])  # the paper cache is warm, as in a running server
    return ids


def test_preparing_forms_leaves_no_model_or_form_in_a_cycle(waiting):
    garbage = _cyclic_garbage(lambda: starter.prepare_for_sockets(waiting))

    assert _models_and_items(garbage) == []


def test_starting_sockets_leaves_no_model_in_a_cycle(waiting):
    starter.prepare_for_sockets(waiting)

    garbage = _cyclic_garbage(lambda: starter.start_for_sockets(waiting))

    assert _models_and_items(garbage) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sockets' answer writer is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_answer_batches_leave_nothing_in_a_cycle():
    attempt = start_attempt(make_entry(make_session()))
    item = items_by_type(attempt)["single"]
    index = FormIndex(attempt.form)
    saves = [
        parse_save(
            index,
            save_message(seq, item, answer_for(item)),
            attempt_id=attempt.pk,
            channel="ws",
            ip_address=None,
        )
        for seq in range(1, 6)
    ]

    async def one_by_one():
        await save_answers(saves[:1])  # the pool is open: what follows is the steady state
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        for save in saves[1:]:
            await save_answers([save])
        gc.collect()
        gc.set_debug(0)
        await close_writers()

    try:
        asyncio.run(one_by_one())
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        connection.close()

    assert [o for o in garbage if isinstance(o, BaseDatabaseWrapper)] == []  # was one per batch
    assert [type(o).__name__ for o in garbage] == []  # nothing at all
