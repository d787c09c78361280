"""The waiting room's batches leave no reference cycles behind: what they allocate is freed when
they are done, not by a garbage collection that would stop every socket of the process in the
middle of the exam's first answers (delivery/starter.py, docs/performance.md)."""

import gc

import pytest
from django.db import models

from exam_platform.delivery import starter
from tests.delivery.exam_setup import make_entry, make_session

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
