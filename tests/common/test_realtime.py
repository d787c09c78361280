"""WebSocket foundation over the real ASGI application: Origin, session, staff two-factor, the
authorisation hook, and sockets closed by logout and deactivation.

Runs with whichever channel layer the settings pick: in-memory by default, Redis when REDIS_URL
is set. Sessions are real: made by django.test.Client and sent as the session cookie.
"""

import asyncio
import os
import socket

import django_otp
import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.http import HttpRequest
from django.test import Client
from django.urls import path, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import User
from exam_platform.asgi import application
from exam_platform.common.realtime import AuthenticatedConsumer, SiteOriginValidator

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://localhost:8000"
BACKEND = "exam_platform.accounts.backends.NationalIdOrUsernameBackend"
DEAD_REDIS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_timeout": None}]},
    }
}


@pytest.fixture(autouse=True)
async def fresh_channel_layer():
    # Layers cache connections and queues per event loop; every test has its own loop.
    channel_layers.backends = {}
    await get_channel_layer().flush()
    yield
    channel_layers.backends = {}
    # Hand the worker thread's database connection back: one left checked out of the PostgreSQL
    # pool makes DROP DATABASE at the end of the run wait 5 s.
    await sync_to_async(connections.close_all)()


# --- arrange helpers ------------------------------------------------------------------------


@database_sync_to_async
def make_user(username: str, *, kind: str = User.Kind.CANDIDATE) -> User:
    return User.objects.create_user(username=username, kind=kind)


@database_sync_to_async
def make_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)


@database_sync_to_async
def log_in(user: User, *, device: TOTPDevice | None = None) -> Client:
    """A browser session for `user`; with a device, verified the way django_otp.login() records it."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    if device is not None:
        request = HttpRequest()
        request.session = client.session
        request.user = user
        django_otp.login(request, device)
        request.session.save()
    return client


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(
    client: Client | None = None, *, origin: str | None = ORIGIN, app=application, url="/ws/ping/"
):
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if client is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key(client)}".encode()))
    return WebsocketCommunicator(app, url, headers=headers)


async def refusal_code(comm: WebsocketCommunicator) -> int:
    """The close code of a socket that the consumer accepted only to close at once."""
    assert await comm.connect() == (True, None)
    message = await comm.receive_output()
    await comm.disconnect()
    assert message["type"] == "websocket.close"
    return message["code"]


async def assert_pong(comm: WebsocketCommunicator) -> None:
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {
        "type": "pong",
        "server": f"{socket.gethostname()}:{os.getpid()}",
    }


# --- authentication -------------------------------------------------------------------------


async def test_ping_refuses_anonymous_with_4401():
    comm = communicator()

    assert await refusal_code(comm) == 4401


async def test_ping_refuses_unknown_session_cookie_with_4401():
    comm = WebsocketCommunicator(
        application,
        "/ws/ping/",
        headers=[(b"origin", ORIGIN.encode()), (b"cookie", b"sessionid=nosuchsession")],
    )

    assert await refusal_code(comm) == 4401


async def test_ping_answers_candidate_with_pong_naming_the_process():
    client = await log_in(await make_user("1101700203450"))
    comm = communicator(client)

    assert await comm.connect() == (True, None)
    await assert_pong(comm)
    await comm.disconnect()


async def test_ping_refuses_user_deactivated_behind_the_signals_back_with_4401():
    user = await make_user("1101700203450")
    client = await log_in(user)
    await database_sync_to_async(User.objects.filter(pk=user.pk).update)(is_active=False)

    assert await refusal_code(communicator(client)) == 4401


async def test_frames_racing_a_refusal_are_dropped():
    staff = await make_user("proctor1", kind=User.Kind.STAFF)
    comm = communicator(await log_in(staff))
    assert await comm.connect() == (True, None)

    await comm.send_json_to({"type": "ping"})

    assert await comm.receive_output() == {"type": "websocket.close", "code": 4403}
    assert await comm.receive_nothing()
    await comm.disconnect()


# --- staff two-factor -----------------------------------------------------------------------


async def test_ping_refuses_staff_without_two_factor_with_4403():
    staff = await make_user("proctor1", kind=User.Kind.STAFF)
    await make_device(staff)
    client = await log_in(staff)

    assert await refusal_code(communicator(client)) == 4403


async def test_ping_accepts_staff_verified_with_confirmed_device():
    staff = await make_user("proctor1", kind=User.Kind.STAFF)
    client = await log_in(staff, device=await make_device(staff))
    comm = communicator(client)

    assert await comm.connect() == (True, None)
    await assert_pong(comm)
    await comm.disconnect()


def _unconfirm(device, other):
    device.confirmed = False
    device.save()


def _delete(device, other):
    device.delete()


def _give_away(device, other):
    device.user = other
    device.save()


@pytest.mark.parametrize(
    "spoil", [_unconfirm, _delete, _give_away], ids=["unconfirmed", "deleted", "other-user"]
)
async def test_ping_refuses_staff_whose_verified_device_is_no_longer_valid(spoil):
    staff = await make_user("proctor1", kind=User.Kind.STAFF)
    other = await make_user("proctor2", kind=User.Kind.STAFF)
    device = await make_device(staff)
    client = await log_in(staff, device=device)
    await database_sync_to_async(spoil)(device, other)

    assert await refusal_code(communicator(client)) == 4403


# --- Origin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost.evil.example"])
async def test_handshake_refused_for_foreign_origin_even_with_a_valid_session(origin):
    client = await log_in(await make_user("1101700203450"))

    # Handshake refused by the Origin check (a consumer would accept, then close with 4401/4403).
    assert await communicator(client, origin=origin).connect() == (False, 1000)


async def test_handshake_refused_without_origin_even_when_any_host_is_allowed(settings):
    settings.ALLOWED_HOSTS = ["*"]
    client = await log_in(await make_user("1101700203450"))

    assert await communicator(client, origin=None).connect() == (False, 1000)


async def test_handshake_accepts_csrf_trusted_origins_with_subdomain_wildcard(settings):
    settings.ALLOWED_HOSTS = ["exam.internal"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.bangkok.go.th"]
    client = await log_in(await make_user("1101700203450"))

    trusted = communicator(client, origin="https://exam.bangkok.go.th")
    assert await trusted.connect() == (True, None)
    await trusted.disconnect()
    assert await communicator(client, origin="http://exam.bangkok.go.th").connect() == (False, 1000)
    assert await communicator(client, origin="https://bangkok.go.th.evil.example").connect() == (False, 1000)


# --- the authorisation hook -----------------------------------------------------------------


class RoomConsumer(AuthenticatedConsumer):
    """A subclass as the apps write them: authorise from the URL, join a room group, greet."""

    async def authorize(self) -> bool:
        self.room = self.scope["url_route"]["kwargs"]["room"]
        return self.room != "secret"

    def extra_groups(self) -> list[str]:
        return [f"room.{self.room}"]

    async def connected(self) -> None:
        await self.send_json({"type": "snapshot", "room": self.room})

    async def room_event(self, event):
        await self.send_json({"type": "event", "text": event["text"]})


room_app = SiteOriginValidator(
    AuthMiddlewareStack(URLRouter([path("ws/room/<room>/", RoomConsumer.as_asgi())]))
)


async def test_authorize_hook_refusal_closes_with_4403():
    client = await log_in(await make_user("1101700203450"))

    assert await refusal_code(communicator(client, app=room_app, url="/ws/room/secret/")) == 4403


async def test_authorize_hook_success_joins_extra_groups_and_runs_connected():
    client = await log_in(await make_user("1101700203450"))
    comm = communicator(client, app=room_app, url="/ws/room/a1/")

    assert await comm.connect() == (True, None)
    assert await comm.receive_json_from() == {"type": "snapshot", "room": "a1"}
    await get_channel_layer().group_send("room.a1", {"type": "room.event", "text": "hello"})
    assert await comm.receive_json_from() == {"type": "event", "text": "hello"}
    await comm.disconnect()


# --- closing sockets ------------------------------------------------------------------------


async def test_logout_closes_that_sessions_socket_but_not_another_session_of_the_same_user():
    user = await make_user("1101700203450")
    hall_pc, phone = await log_in(user), await log_in(user)
    leaving, staying = communicator(hall_pc), communicator(phone)
    assert await leaving.connect() == (True, None)
    assert await staying.connect() == (True, None)

    response = await sync_to_async(hall_pc.post)(reverse("accounts:logout"))

    assert response.status_code == 302
    assert await leaving.receive_output() == {"type": "websocket.close", "code": 4001}
    assert await staying.receive_nothing()
    await assert_pong(staying)
    await leaving.disconnect()
    await staying.disconnect()


async def test_deactivation_closes_every_socket_of_the_user_and_no_one_elses():
    user = await make_user("1101700203450")
    bystander = await make_user("3100600112344")
    first, second = communicator(await log_in(user)), communicator(await log_in(user))
    other = communicator(await log_in(bystander))
    for comm in (first, second, other):
        assert await comm.connect() == (True, None)

    def deactivate():
        loaded = User.objects.get(pk=user.pk)
        loaded.is_active = False
        loaded.save()

    await database_sync_to_async(deactivate)()

    assert await first.receive_output() == {"type": "websocket.close", "code": 4001}
    assert await second.receive_output() == {"type": "websocket.close", "code": 4001}
    assert await other.receive_nothing()
    await assert_pong(other)
    for comm in (first, second, other):
        await comm.disconnect()


# --- the channel layer down -----------------------------------------------------------------


async def test_socket_works_while_channel_layer_is_down(settings, caplog):
    client = await log_in(await make_user("1101700203450"))
    settings.CHANNEL_LAYERS = DEAD_REDIS
    comm = communicator(client)

    assert await comm.connect(timeout=10) == (True, None)
    await assert_pong(comm)
    for _ in range(100):  # until the consumer's read from the layer has failed at least once
        if any("receive failed" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.05)
    await assert_pong(comm)
    await comm.disconnect()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("channel layer: group_add user.") for m in messages)
    assert any(m.startswith("channel layer: receive failed, retrying") for m in messages)


async def test_logout_succeeds_while_channel_layer_is_down(settings, caplog):
    user = await make_user("1101700203450")
    client = await log_in(user)
    settings.CHANNEL_LAYERS = DEAD_REDIS

    response = await sync_to_async(client.post)(reverse("accounts:logout"))

    assert response.status_code == 302
    assert session_key(client) == ""
    assert any("could not send force.disconnect to session." in r.getMessage() for r in caplog.records)
