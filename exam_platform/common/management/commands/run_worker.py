import logging
import signal
import threading
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import connections

from exam_platform.common.jobs.registry import load_handlers
from exam_platform.common.jobs.worker import Worker, default_worker_name

logger = logging.getLogger("exam_platform.worker")


class Command(BaseCommand):
    help = (
        "Run background jobs from the database until SIGTERM/SIGINT (the current job is finished "
        "first; a second signal aborts). --once runs the jobs that are due and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")
        parser.add_argument("--concurrency", type=int, default=1, help="worker threads in this process")
        parser.add_argument("--poll", type=float, default=None, help="seconds between polls when idle")

    def handle(self, *args, once, concurrency, poll, **options):
        load_handlers()
        stop = threading.Event()
        workers = [
            Worker(
                default_worker_name(i if concurrency > 1 else None),
                poll_seconds=poll,
                stop_event=stop,
                periodic=not once,
            )
            for i in range(max(concurrency, 1))
        ]
        logger.info(
            "worker %s started (%d thread(s)%s)",
            default_worker_name(),
            len(workers),
            ", once" if once else "",
        )
        with _stop_on_signals(stop):
            _run_all([w.run_due if once else w.run_forever for w in workers], stop)
        logger.info("worker %s stopped", default_worker_name())


def _run_all(targets, stop: threading.Event) -> None:
    if len(targets) == 1:
        targets[0]()
        return
    threads = [threading.Thread(target=_closing(t), name=f"worker-{i}") for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)  # short joins keep the main thread responsive to signals


def _closing(target):
    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()  # this thread's connections

    return run


@contextmanager
def _stop_on_signals(stop: threading.Event):
    """First SIGTERM/SIGINT: finish the current job and exit. Second: the default action (abort)."""

    def request_stop(signum, frame):
        logger.info("worker: %s received, finishing the current job", signal.Signals(signum).name)
        stop.set()
        signal.signal(signum, signal.SIG_DFL)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
