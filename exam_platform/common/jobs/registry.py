"""Which function runs which job kind."""

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.utils.module_loading import autodiscover_modules

_handlers: dict[str, Callable] = {}


def job_handler(kind: str) -> Callable[[Callable], Callable]:
    """Register the decorated `handler(job) -> JSON-serialisable result` for jobs of `kind`."""

    def register(func: Callable) -> Callable:
        existing = _handlers.get(kind)
        if existing is not None and _name(existing) != _name(func):
            raise ValueError(f"job kind {kind!r} already has a handler: {_name(existing)}")
        _handlers[kind] = func
        return func

    return register


def get_handler(kind: str) -> Callable | None:
    return _handlers.get(kind)


def load_handlers() -> None:
    """Import every app's `jobs` module, the built-in handlers and settings.WORKER_EXTRA_JOB_MODULES."""
    autodiscover_modules("jobs")
    import_module("exam_platform.common.jobs.builtin")
    for module in settings.WORKER_EXTRA_JOB_MODULES:
        import_module(module)


def _name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"
