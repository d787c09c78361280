import logging
import signal
import threading
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from exam_platform.common.jobs.registry import LANES, load_handlers
from exam_platform.common.jobs.worker import Worker, default_worker_name

logger = logging.getLogger("exam_platform.worker")


class Command(BaseCommand):
    help = (
        "Run background jobs from the database until SIGTERM/SIGINT (the current job is finished "
        "first; a second signal aborts). One thread per lane (default: every lane), each claiming "
        "only its lane's jobs, so a long import never delays deadlines. --once runs the jobs that "
        "are due and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")
        parser.add_argument(
            "--lanes",
            default=",".join(LANES),
            help=f"comma-separated lanes this process serves (default: {','.join(LANES)})",
        )
        parser.add_argument("--concurrency", type=int, default=1, help="worker threads per lane")
        parser.add_argument("--poll", type=float, default=None, help="seconds between polls when idle")

    def handle(self, *args, once, lanes, concurrency, poll, **options):
        load_handlers()
        served = [lane.strip() for lane in lanes.split(",") if lane.strip()]
        unknown = sorted(set(served) - set(LANES))
        if unknown or not served:
            raise CommandError(f"unknown lane(s) {unknown or lanes!r}; lanes are {', '.join(LANES)}")
        stop = threading.Event()
        workers = lane_workers(
            served, concurrency=concurrency, poll_seconds=poll, stop_event=stop, periodic=not once
        )
        logger.info(
            "worker %s started (%d thread(s): %s%s)",
            default_worker_name(),
            len(workers),
            ", ".join(w.name.split("/", 1)[1] for w in workers),
            ", once" if once else "",
        )
        with _stop_on_signals(stop):
            if once:  # lane after lane, in this thread: it exits when nothing is due
                for worker in workers:
                    worker.run_due()
            else:
                _run_all([w.run_forever for w in workers], stop)
        logger.info("worker %s stopped", default_worker_name())


def lane_workers(
    lanes=LANES, *, concurrency: int = 1, poll_seconds=None, stop_event=None, periodic: bool = True
) -> list[Worker]:
    """`concurrency` workers per lane, each claiming only its lane's jobs: a long import keeps the
    "long" thread busy while the "default" one goes on enforcing deadlines. One of them (the
    first) enqueues the periodic jobs; the dedupe key would absorb the others' anyway."""
    per_lane = max(concurrency, 1)
    pairs = [(lane, i) for lane in lanes for i in range(per_lane)]
    return [
        Worker(
            f"{default_worker_name()}/{lane}" + (f"/{i}" if per_lane > 1 else ""),
            poll_seconds=poll_seconds,
            stop_event=stop_event,
            periodic=periodic and n == 0,
            lanes=(lane,),
        )
        for n, (lane, i) in enumerate(pairs)
    ]


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
