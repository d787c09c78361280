from django.urls import path

from . import consumers, officer_consumers

websocket_urlpatterns = [
    path("ws/exam/<int:entry_id>/", consumers.AttemptConsumer.as_asgi(), name="ws_exam"),
    path("ws/attempt/<uuid:attempt_uid>/", consumers.AttemptConsumer.as_asgi(), name="ws_attempt"),
    path(
        "ws/officer/sessions/<int:session_id>/live/",
        officer_consumers.SessionLiveConsumer.as_asgi(),
        name="ws_session_live",
    ),
]
