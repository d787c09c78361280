"""Wait until every URL answers 200 while every watched process stays alive.

    python deploy/loopback/wait_ready.py --timeout 60 --pid 123 --pid 456 http://127.0.0.1:18001/healthz ...

Exits 0 when all URLs answered, 1 on timeout or when a watched process died (its pid is named).
"""

import argparse
import sys
import time
import urllib.error
import urllib.request


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


# Loopback only: never route these requests through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str) -> bool:
    try:
        with _OPENER.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--pid", type=int, action="append", default=[])
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    pending = list(args.urls)
    while True:
        dead = [pid for pid in args.pid if not alive(pid)]
        if dead:
            print(f"process(es) {', '.join(map(str, dead))} exited during start-up", file=sys.stderr)
            return 1
        pending = [url for url in pending if not answers(url)]
        if not pending:
            return 0
        if time.monotonic() > deadline:
            print(f"not ready after {args.timeout:g} s: {', '.join(pending)}", file=sys.stderr)
            return 1
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
