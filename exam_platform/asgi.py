"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Every socket passes Origin validation (ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS; a missing Origin is
refused) and session authentication before it reaches a consumer; consumers derive from
exam_platform.common.realtime.AuthenticatedConsumer, which checks the rest (see its docstring).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from exam_platform.common import gc_policy  # noqa: E402
from exam_platform.common.admission import ConcurrencyLimit  # noqa: E402
from exam_platform.common.realtime import SiteOriginValidator  # noqa: E402
from exam_platform.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # At most HTTP_CONCURRENCY requests inside Django per process; the rest queue (admission.py).
        "http": ConcurrencyLimit(django_asgi_app, settings.HTTP_CONCURRENCY),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything imported so far lives as long as the process: frozen out of the garbage collector's
# walks; and, with GC_FREEZE, what survives each full collection too (common/gc_policy.py).
gc_policy.install(
    slow_ms=settings.GC_LOG_SLOW_MS,
    freeze=settings.GC_FREEZE,
    thaw_seconds=settings.GC_THAW_SECONDS,
    young_threshold=settings.GC_YOUNG_THRESHOLD,
)
