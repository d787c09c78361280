"""Receivers in exam_platform.accounts.sockets: what they send to the channel layer, to whom, when.

The sockets' side (a consumer closing with 4001) is tested over the ASGI app in
tests/common/test_realtime.py; here a bare channel listens on the groups. Works with the in-memory
layer and with Redis (REDIS_URL).
"""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.test import Client

from exam_platform.accounts.account_audit import audited_elsewhere
from exam_platform.accounts.models import User
from exam_platform.common.realtime import session_group_name, user_group_name

BACKEND = "exam_platform.accounts.backends.NationalIdOrUsernameBackend"
DEACTIVATED = {"type": "force.disconnect", "reason": "deactivated"}


@pytest.fixture(autouse=True)
def channel_layer():
    channel_layers.backends = {}
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    yield layer
    channel_layers.backends = {}


def listen(layer, group: str) -> str:
    async def join():
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        return channel

    return async_to_sync(join)()


def received(layer, channel: str) -> dict | None:
    async def first():
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        except TimeoutError:
            return None

    return async_to_sync(first)()


def test_deactivating_a_loaded_user_closes_all_sockets_without_an_extra_query(
    candidate, channel_layer, django_assert_num_queries, django_capture_on_commit_callbacks
):
    user = User.objects.get(pk=candidate.pk)
    channel = listen(channel_layer, user_group_name(user.pk))
    user.is_active = False

    # The audit entry of the deactivation (account_audit) is left out: this counts the sockets' cost.
    with (
        audited_elsewhere(),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        django_assert_num_queries(1),
    ):
        user.save()

    assert len(callbacks) == 1
    assert received(channel_layer, channel) == DEACTIVATED


def test_deactivation_waits_for_the_commit(candidate, channel_layer, django_capture_on_commit_callbacks):
    channel = listen(channel_layer, user_group_name(candidate.pk))
    candidate.is_active = False

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        candidate.save(update_fields=["is_active"])

    assert len(callbacks) == 1
    assert received(channel_layer, channel) is None


def test_deactivating_a_user_loaded_without_is_active_asks_the_database_once(
    candidate, channel_layer, django_assert_num_queries, django_capture_on_commit_callbacks
):
    user = User.objects.only("username").get(pk=candidate.pk)
    channel = listen(channel_layer, user_group_name(user.pk))
    user.is_active = False

    # Without the deactivation's audit entry (account_audit): this counts the sockets' cost.
    with audited_elsewhere(), django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(2):
        user.save()

    assert received(channel_layer, channel) == DEACTIVATED


def test_saving_an_active_user_closes_nothing(candidate, django_capture_on_commit_callbacks):
    candidate.first_name = "กมลชนก"

    with django_capture_on_commit_callbacks() as callbacks:
        candidate.save()

    assert callbacks == []


def test_saving_an_inactive_user_again_closes_nothing(make_user, django_capture_on_commit_callbacks):
    user = User.objects.get(pk=make_user("retired", is_active=False).pk)
    user.first_name = "สมศรี"

    with django_capture_on_commit_callbacks() as callbacks:
        user.save()

    assert callbacks == []


def test_second_save_after_deactivation_closes_nothing(candidate, django_capture_on_commit_callbacks):
    candidate.is_active = False
    candidate.save()

    with django_capture_on_commit_callbacks() as callbacks:
        candidate.save()

    assert callbacks == []


def test_save_whose_update_fields_leave_out_is_active_closes_nothing(
    candidate, django_capture_on_commit_callbacks
):
    candidate.is_active = False

    with django_capture_on_commit_callbacks() as callbacks:
        candidate.save(update_fields=["first_name"])

    assert callbacks == []


def test_deleting_a_user_closes_all_sockets(candidate, channel_layer, django_capture_on_commit_callbacks):
    channel = listen(channel_layer, user_group_name(candidate.pk))

    with django_capture_on_commit_callbacks(execute=True):
        candidate.delete()

    assert received(channel_layer, channel) == {"type": "force.disconnect", "reason": "deleted"}


def test_logout_closes_that_sessions_sockets_only(
    candidate, channel_layer, django_capture_on_commit_callbacks
):
    leaving, staying = Client(), Client()
    leaving.force_login(candidate, backend=BACKEND)
    staying.force_login(candidate, backend=BACKEND)
    leaving_channel = listen(channel_layer, session_group_name(leaving.session.session_key))
    staying_channel = listen(channel_layer, session_group_name(staying.session.session_key))
    user_channel = listen(channel_layer, user_group_name(candidate.pk))

    with django_capture_on_commit_callbacks(execute=True):
        leaving.logout()

    assert received(channel_layer, leaving_channel) == {"type": "force.disconnect", "reason": "logout"}
    assert received(channel_layer, staying_channel) is None
    assert received(channel_layer, user_channel) is None


def test_logout_of_an_anonymous_session_sends_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        Client().logout()

    assert callbacks == []


def test_deactivation_while_channel_layer_is_down_is_logged_not_raised(
    candidate, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_timeout": None}]},
        }
    }
    candidate.is_active = False

    with django_capture_on_commit_callbacks(execute=True):
        candidate.save()

    assert User.objects.get(pk=candidate.pk).is_active is False
    assert [r.getMessage() for r in caplog.records if r.name == "exam_platform.common.realtime"] == [
        f"channel layer: could not send force.disconnect to user.{candidate.pk}"
    ]
