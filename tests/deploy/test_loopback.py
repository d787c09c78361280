"""The production topology on loopback, for real: nginx -> two daphne processes + a worker,
PostgreSQL and Redis, DEBUG=0 (deploy/loopback/run.sh smoke, which always stops what it started)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
SMOKE_TIMEOUT_SECONDS = 300
# The smoke gets a clean environment: the test run's own DATABASE_URL, REDIS_URL, TESTING, ...
# must not leak into the production-like processes (run.sh sets its own).
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "NGINX")


def skip_unless_required(reason: str) -> None:
    if os.environ.get("REQUIRE_NGINX") == "1":
        pytest.fail(f"{reason}, and REQUIRE_NGINX=1")
    pytest.skip(reason)


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def test_loopback_smoke_reaches_both_daphne_processes():
    if not os.access(NGINX, os.X_OK):
        skip_unless_required(f"nginx is not installed at {NGINX} (apt-get install nginx-light)")
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        if not reachable(port):
            skip_unless_required(f"{name} is not reachable on 127.0.0.1:{port}")
    env = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH or k.startswith("LOOPBACK_")}
    env["PY"] = sys.executable

    try:
        result = subprocess.run(
            ["bash", "deploy/loopback/run.sh", "smoke"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        subprocess.run(["bash", "deploy/loopback/run.sh", "stop"], cwd=ROOT, env=env, timeout=60, check=False)
        raise

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    lines = [line for line in result.stdout.splitlines() if line.startswith("SMOKE_RESULT ")]
    assert len(lines) == 1, output
    smoke = json.loads(lines[0].removeprefix("SMOKE_RESULT "))
    daphne_pids = set(smoke["daphne_pids"].values())
    answering_pids = {int(server.rsplit(":", 1)[1]) for server in smoke["answered"]}
    assert len(daphne_pids) == 2
    assert answering_pids == daphne_pids
    assert all(count >= 1 for count in smoke["answered"].values())
    assert smoke["worker"] is not None
    assert "[loopback] stopped" in result.stdout
    assert not list((ROOT / "var" / "loopback" / "run").glob("*.pid"))
