from django.db.models.signals import post_migrate
from django.dispatch import receiver

from . import (
    account_audit,  # noqa: F401  (receivers that audit role and activation changes)
    sockets,  # noqa: F401  (receivers that close WebSockets on logout and deactivation)
)


@receiver(post_migrate)
def create_role_groups(sender, **kwargs):
    # Runs after every app's migrations so that later apps' permissions exist.
    if sender.label != "accounts":
        return
    from .roles import sync_role_groups

    sync_role_groups()
