"""Open WebSockets follow the account: logging out closes that session's sockets, deactivating or
deleting a user closes all of theirs (close code 4001, see exam_platform.common.realtime).

The sends happen after commit and are best effort: if the channel layer is down the failure is
logged and the logout or the deactivation goes on; the sockets then stay open until they
reconnect, when the session check refuses them.

Deactivation is noticed on Model.save(): the value of is_active as loaded from the database is
remembered on the instance (post_init), so a flip costs no extra query. QuerySet.update() sends
no signals; code that deactivates in bulk must call close_user_sockets() itself.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.dispatch import receiver

from exam_platform.common.realtime import (
    force_disconnect_message,
    group_send_on_commit,
    session_group_name,
    user_group_name,
)

_LOADED = "_sockets_loaded_is_active"
_DEACTIVATING = "_sockets_deactivating"


def close_user_sockets(user_id: int, *, reason: str) -> None:
    """Close every socket of the user once the current transaction commits."""
    group_send_on_commit(user_group_name(user_id), force_disconnect_message(reason))


def close_session_sockets(session_key: str, *, reason: str) -> None:
    """Close the sockets opened with one session once the current transaction commits."""
    group_send_on_commit(session_group_name(session_key), force_disconnect_message(reason))


@receiver(user_logged_out, dispatch_uid="accounts.sockets.logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    # Sent before the session is flushed, so its key is still the one the sockets joined with.
    # Other sessions of the same person (another browser, the exam-hall PC) stay connected.
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if user is not None and session_key:
        close_session_sockets(session_key, reason="logout")


@receiver(post_init, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.sockets.init")
def remember_loaded_is_active(sender, instance, **kwargs):
    # __dict__, not the attribute: reading a deferred field would run a query per instance.
    setattr(instance, _LOADED, instance.__dict__.get("is_active"))


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.sockets.pre_save")
def notice_deactivation(sender, instance, raw=False, update_fields=None, **kwargs):
    setattr(instance, _DEACTIVATING, False)
    if raw or instance.is_active or instance.pk is None:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    was_active = getattr(instance, _LOADED, None)
    if instance._state.adding or was_active is None:
        # Built by hand with a primary key, or is_active was deferred: ask the database.
        was_active = (
            sender._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        )
    setattr(instance, _DEACTIVATING, bool(was_active))


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.sockets.post_save")
def close_sockets_on_deactivation(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is None or "is_active" in update_fields:
        setattr(instance, _LOADED, instance.is_active)
    if getattr(instance, _DEACTIVATING, False):
        setattr(instance, _DEACTIVATING, False)
        close_user_sockets(instance.pk, reason="deactivated")


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.sockets.delete")
def close_sockets_on_delete(sender, instance, **kwargs):
    close_user_sockets(instance.pk, reason="deleted")
