"""WebSocket routes, collected from each app's routing module."""

from exam_platform.common.routing import websocket_urlpatterns as common_ws
from exam_platform.delivery.routing import websocket_urlpatterns as delivery_ws

websocket_urlpatterns = [*common_ws, *delivery_ws]
