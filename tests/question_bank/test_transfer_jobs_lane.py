"""A large item import is a long job: it goes to the long lane, so it never holds back a deadline."""

import pytest

from exam_platform.common.jobs import enqueue_job
from exam_platform.common.jobs.registry import LONG_LANE
from question_bank.jobs import IMPORT_JOB

pytestmark = pytest.mark.django_db


def test_item_import_jobs_are_enqueued_in_the_long_lane():
    job = enqueue_job(IMPORT_JOB, {"upload": "x"})
    assert job.lane == LONG_LANE
