"""Which function runs which job kind."""

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.utils.module_loading import autodiscover_modules

_handlers: dict[str, Callable] = {}

# Lanes (Job.lane): "default" for deadlines, scoring and other short or periodic jobs; "long" for
# work that may take minutes (imports, PDF and e-mail batches). run_worker gives each lane its own
# thread(s), so a long job never holds back a deadline.
DEFAULT_LANE = "default"
LONG_LANE = "long"
LANES = (DEFAULT_LANE, LONG_LANE)
_lanes: dict[str, str] = {}


def job_handler(kind: str, *, lane: str | None = None) -> Callable[[Callable], Callable]:
    """Register the decorated `handler(job) -> JSON-serialisable result` for jobs of `kind`; `lane`
    (LONG_LANE for work that may take minutes) is where enqueue_job puts jobs of this kind."""
    if lane is not None and lane not in LANES:
        raise ValueError(f"unknown job lane {lane!r}; lanes are {LANES}")

    def register(func: Callable) -> Callable:
        existing = _handlers.get(kind)
        if existing is not None and _name(existing) != _name(func):
            raise ValueError(f"job kind {kind!r} already has a handler: {_name(existing)}")
        _handlers[kind] = func
        if lane is not None:
            _lanes[kind] = lane
        return func

    return register


def get_handler(kind: str) -> Callable | None:
    return _handlers.get(kind)


def lane_of(kind: str) -> str:
    """The lane declared for `kind` (by its @job_handler), else the default lane."""
    return _lanes.get(kind, DEFAULT_LANE)


def load_handlers() -> None:
    """Import every app's `jobs` module, the built-in handlers and settings.WORKER_EXTRA_JOB_MODULES."""
    autodiscover_modules("jobs")
    import_module("exam_platform.common.jobs.builtin")
    for module in settings.WORKER_EXTRA_JOB_MODULES:
        import_module(module)


def _name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"
