from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/exam/<int:entry_id>/", consumers.AttemptConsumer.as_asgi(), name="ws_exam"),
    path("ws/attempt/<uuid:attempt_uid>/", consumers.AttemptConsumer.as_asgi(), name="ws_attempt"),
]
