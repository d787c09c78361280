"""The WebSocket foundation every consumer stands on (DESIGN §5).

A socket reaches a consumer only through ``exam_platform.asgi``: ``SiteOriginValidator`` (the
Origin header must name this site) → Channels' ``AuthMiddlewareStack`` (the Django session cookie
gives ``scope["user"]`` and ``scope["session"]``) → the URL router → a subclass of
``AuthenticatedConsumer``, which

* refuses anonymous users and users who are no longer active,
* for staff (``user.requires_two_factor``) refuses sessions that have not passed two-factor
  verification: the Channels user has no ``is_verified()``, so the django-otp device id stored in
  the session is resolved and must be a confirmed device of that user,
* asks the subclass ``authorize()`` (object-level access through the app's ``access.py``),
* joins the per-user group and the per-session group, so that logging out closes the sockets of
  that session and deactivating a user closes all of theirs (``exam_platform.accounts.sockets``).

A refusal by the consumer accepts the handshake and closes at once with one of the codes below:
a handshake answered with HTTP 403 reaches a browser as a bare 1006, which it cannot tell from a
network failure, so it would reconnect forever instead of sending the person to log in.

Close codes (the browser maps them to a message; 1xxx codes come from the protocol):

====  =====================================================================================
code  meaning
====  =====================================================================================
4001  closed by the server: the session logged out, or the user was deactivated or deleted;
      do not reconnect with the same session, send the person to the login page
4401  not authenticated: no session, an expired session, or an inactive user
4403  forbidden: staff session without two-factor verification, or ``authorize()`` refused
1006  (in the browser) handshake refused with HTTP 403 before any consumer ran: missing or
      foreign Origin; Channels' test communicator reports it as 1000
====  =====================================================================================

The channel layer (Redis in production) is for fan-out only and may drop messages or be down:
joining groups, leaving them, receiving from the layer and sending to it are all best effort,
logged and never fatal to a socket, a logout or a deactivation (DESIGN §3.5).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from functools import partial
from typing import Any
from urllib.parse import ParseResult

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY

logger = logging.getLogger(__name__)

CLOSE_FORCED = 4001
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

# A send to the channel layer that takes longer than this is abandoned (and logged): a logout must
# not hang because Redis is unreachable.
LAYER_TIMEOUT_SECONDS = 2.0
# Backoff while the layer cannot be read: first retry after about RETRY_FIRST, at most RETRY_MAX.
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 30.0

FORCE_DISCONNECT = "force.disconnect"


# --- Origin ---------------------------------------------------------------------------------


def allowed_origins() -> list[str]:
    """Origin patterns for sockets: ALLOWED_HOSTS (any scheme and port) and CSRF_TRUSTED_ORIGINS.

    CSRF_TRUSTED_ORIGINS are full origins ("https://exam.bangkok.go.th", "https://*.bangkok.go.th");
    Channels writes a subdomain wildcard as a leading dot, so "*." becomes ".".
    """
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    trusted = [origin.replace("://*.", "://.") for origin in settings.CSRF_TRUSTED_ORIGINS]
    return hosts + trusted


class SiteOriginValidator(OriginValidator):
    """Refuses a WebSocket handshake whose Origin is missing or not this site's.

    Unlike Channels' AllowedHostsOriginValidator, settings are read on every handshake (tests and
    reloads see changes), CSRF_TRUSTED_ORIGINS count too, and a missing Origin is refused even when
    ALLOWED_HOSTS holds "*": every browser sends Origin, so a socket without one is a script, which
    can set the header like a browser (the deploy smoke test does).
    """

    def __init__(self, application):
        super().__init__(application, allowed_origins=())

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        if parsed_origin is None:
            return False
        self.allowed_origins = allowed_origins()
        return self.validate_origin(parsed_origin)


# --- Groups and best-effort sends -----------------------------------------------------------


def user_group_name(user_id: int) -> str:
    """Every socket of one user."""
    return f"user.{user_id}"


def session_group_name(session_key: str) -> str:
    """Every socket of one login session. The key is hashed: a session key is a credential and
    must not appear in Redis key names."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"session.{digest}"


async def group_send_safely(group: str, message: dict[str, Any]) -> bool:
    """Send to a group; on failure (layer down, slow, full) log and return False, never raise."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        await asyncio.wait_for(layer.group_send(group, message), timeout=LAYER_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("channel layer: could not send %s to %s", message.get("type"), group, exc_info=True)
        return False
    return True


def group_send_now(group: str, message: dict[str, Any]) -> bool:
    """Sync wrapper of group_send_safely for signal receivers, services and management commands.

    Must not be called from a thread that runs an event loop (use group_send_safely there); if it
    is, the error is logged like any other failure.
    """
    try:
        return async_to_sync(group_send_safely)(group, message)
    except Exception:
        logger.warning("channel layer: could not send %s to %s", message.get("type"), group, exc_info=True)
        return False


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send once the current transaction commits (immediately outside one); dropped on rollback."""
    transaction.on_commit(partial(group_send_now, group, message))


def force_disconnect_message(reason: str) -> dict[str, str]:
    """The layer message that makes every AuthenticatedConsumer receiving it close with 4001."""
    return {"type": FORCE_DISCONNECT, "reason": reason}


# --- Two-factor state of a session ----------------------------------------------------------


def session_has_verified_device(user, session) -> bool:
    """True when the session passed two-factor verification with a confirmed device of `user`.

    Mirrors django_otp.middleware.OTPMiddleware for a Channels scope: django_otp.login() stores
    the device's persistent id ("otp_totp.totpdevice/3") in the session under
    DEVICE_ID_SESSION_KEY. Runs queries: call through database_sync_to_async.
    """
    from django_otp.models import Device

    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id or not isinstance(persistent_id, str):
        return False
    try:
        device = Device.from_persistent_id(persistent_id)
    except AttributeError:  # a label naming a model that is not a Device
        return False
    return device is not None and device.user_id == user.pk and device.confirmed


# --- The base consumer ----------------------------------------------------------------------


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Base of every consumer: authentication, staff two-factor, object authorisation, and the
    user and session groups that let the server close the socket later.

    Subclasses override, all optional:

    * ``authorize()``: load the object through the app's access helpers, keep it on ``self``,
      return False to refuse with 4403;
    * ``extra_groups()``: groups to join besides the user and session groups (a room, an attempt);
    * ``connected()``: runs after the accept, e.g. to send the first snapshot.
    """

    user = None
    # True from the accept of an admitted socket until a forced close; frames that race a refusal
    # or a forced close are dropped rather than handed to a subclass with no authorised user.
    admitted = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        if getattr(user, "requires_two_factor", False) and not await database_sync_to_async(
            session_has_verified_device
        )(user, self.scope["session"]):
            await self.refuse(CLOSE_FORBIDDEN)
            return
        if not await self.authorize():
            await self.refuse(CLOSE_FORBIDDEN)
            return
        await self._join(self._own_groups())
        await self.accept()
        self.admitted = True
        await self.connected()

    async def refuse(self, code: int) -> None:
        """Accept only to close with `code`, so the browser learns why (see the module docstring)."""
        await self.accept()
        await self.close(code=code)

    async def authorize(self) -> bool:
        return True

    def extra_groups(self) -> list[str]:
        return []

    async def connected(self) -> None:
        pass

    async def force_disconnect(self, event: dict[str, Any]) -> None:
        """Layer message FORCE_DISCONNECT: the session logged out or the user was deactivated."""
        logger.info("closing socket of user %s: %s", getattr(self.user, "pk", None), event.get("reason"))
        self.admitted = False
        await self.close(code=CLOSE_FORCED)

    async def websocket_receive(self, message) -> None:
        if self.admitted:
            await super().websocket_receive(message)

    async def websocket_disconnect(self, message) -> None:
        # Leave the groups here, safely, instead of in Channels' code, which raises if Redis is down.
        groups, self.groups = self.groups, []
        for group in groups:
            await self._layer_call("group_discard", group)
        await super().websocket_disconnect(message)

    def _own_groups(self) -> list[str]:
        groups = [user_group_name(self.user.pk)]
        session_key = self.scope["session"].session_key
        if session_key:
            groups.append(session_group_name(session_key))
        return groups + self.extra_groups()

    async def _join(self, groups: list[str]) -> None:
        # Together, so an unreachable layer delays the accept by one timeout, not one per group.
        joined = await asyncio.gather(*(self._layer_call("group_add", group) for group in groups))
        self.groups.extend(group for group, ok in zip(groups, joined, strict=True) if ok)

    async def _layer_call(self, method: str, group: str) -> bool:
        if self.channel_layer is None:
            return False
        try:
            call = getattr(self.channel_layer, method)(group, self.channel_name)
            await asyncio.wait_for(call, timeout=LAYER_TIMEOUT_SECONDS)
        except Exception:
            logger.warning("channel layer: %s %s failed", method, group, exc_info=True)
            return False
        return True

    # Channels' AsyncConsumer.__call__ stores the layer's receive as self.channel_receive and lets its
    # first exception end the consumer, closing the socket. Redis going away must not end an exam,
    # so what it stores is kept aside and wrapped in a receive that logs and retries with backoff.
    @property
    def channel_receive(self):
        return self._receive_from_layer

    @channel_receive.setter
    def channel_receive(self, receive) -> None:
        self._layer_receive = receive

    async def _receive_from_layer(self) -> dict[str, Any]:
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                return await self._layer_receive()
            except Exception:
                # Every socket of the process sees the outage: one warning each, then quiet retries.
                first = delay == RETRY_FIRST_SECONDS
                logger.log(
                    logging.WARNING if first else logging.DEBUG,
                    "channel layer: receive failed, retrying in %.1f s",
                    delay,
                    exc_info=first,
                )
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, RETRY_MAX_SECONDS)
