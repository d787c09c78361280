from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/attempt/<uuid:attempt_uid>/", consumers.AttemptConsumer.as_asgi(), name="ws_attempt"),
]
