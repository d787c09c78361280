from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/ping/", consumers.PingConsumer.as_asgi(), name="ws_ping"),
]
