import asyncio

import pytest

from exam_platform.common.admission import ConcurrencyLimit


def counting_app():
    state = {"now": 0, "max": 0, "done": 0}

    async def app(scope, receive, send):
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        await asyncio.sleep(0.01)
        state["now"] -= 1
        state["done"] += 1

    return app, state


async def test_concurrency_limit_lets_at_most_limit_http_requests_in_and_queues_the_rest():
    app, state = counting_app()
    limited = ConcurrencyLimit(app, 5)

    await asyncio.gather(*(limited({"type": "http"}, None, None) for _ in range(50)))

    assert state == {"now": 0, "max": 5, "done": 50}


async def test_concurrency_limit_control_without_it_all_requests_run_at_once():
    app, state = counting_app()

    await asyncio.gather(*(app({"type": "http"}, None, None) for _ in range(50)))

    assert state["max"] == 50


async def test_concurrency_limit_never_limits_websockets():
    app, state = counting_app()
    limited = ConcurrencyLimit(app, 1)

    await asyncio.gather(*(limited({"type": "websocket"}, None, None) for _ in range(10)))

    assert state["max"] == 10


def test_concurrency_limit_refuses_zero():
    with pytest.raises(ValueError):
        ConcurrencyLimit(lambda *a: None, 0)


def test_asgi_application_limits_http_to_the_setting(settings):
    from exam_platform.asgi import application

    http = application.application_mapping["http"]
    assert isinstance(http, ConcurrencyLimit)
    assert http.limit == settings.HTTP_CONCURRENCY
