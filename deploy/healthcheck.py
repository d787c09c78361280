"""Exit 0 when a daphne process answers /healthz (for compose healthchecks and the runbook).

    python deploy/healthcheck.py [URL]        default http://127.0.0.1:8000/healthz

The request carries the first ALLOWED_HOSTS name as its Host header: Django refuses any other
host with 400, and production's ALLOWED_HOSTS holds the public name, not 127.0.0.1.
"""

import os
import sys
import urllib.request


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else "http://127.0.0.1:8000/healthz"
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if h != "*"), "localhost")
    request = urllib.request.Request(url, headers={"Host": host})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            ok = response.status == 200
    except OSError as exc:
        print(f"{url} (Host: {host}): {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
