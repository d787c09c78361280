"""System checks: production must be given a signing key (manage.py check --deploy)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signing_key_configured(app_configs, **kwargs):
    if settings.PLATFORM_SIGNING_KEY or settings.PLATFORM_SIGNING_KEY_FILE:
        return []
    return [
        checks.Error(
            "No platform signing key: published rank lists and score slips cannot be signed.",
            hint="Set PLATFORM_SIGNING_KEY or PLATFORM_SIGNING_KEY_FILE (see deploy/env.example).",
            id="publication.E001",
        )
    ]
