"""The live panel feed's history (delivery.live_feed.SessionFeed): one sample per step at most,
the latest read always last, nothing older than HISTORY."""

import datetime as dt

from django.utils import timezone

from exam_platform.delivery.live_feed import HISTORY, HISTORY_STEP, SessionFeed


def counts(n: int) -> dict:
    return {"session": {"checked_in": n}, "rooms": {}}


def test_live_feed_history_keeps_one_sample_per_step_and_the_latest_read():
    feed = SessionFeed(session_id=1)
    t0 = timezone.now()

    feed._record(t0, counts(1))
    feed._record(t0 + HISTORY_STEP / 2, counts(2))  # too soon for the history
    feed._record(t0 + HISTORY_STEP / 2 + dt.timedelta(seconds=1), counts(2))

    assert [(t - t0, c) for t, c in feed.history] == [(dt.timedelta(0), counts(1))]
    assert feed.samples()[-1] == (t0 + HISTORY_STEP / 2 + dt.timedelta(seconds=1), counts(2))

    feed._record(t0 + HISTORY_STEP, counts(2))  # a step later: the change enters the history
    feed._record(t0 + 2 * HISTORY_STEP, counts(2))  # no change: nothing new

    assert [c for _t, c in feed.history] == [counts(1), counts(2)]


def test_live_feed_history_forgets_what_is_older_than_the_window():
    feed = SessionFeed(session_id=1)
    t0 = timezone.now()
    feed._record(t0, counts(1))
    feed._record(t0 + HISTORY_STEP, counts(2))

    feed._record(t0 + HISTORY + HISTORY_STEP * 1.5, counts(3))

    assert [c for _t, c in feed.history] == [counts(3)]
