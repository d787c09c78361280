"""Smoke test of the loopback topology (deploy/loopback/run.sh smoke runs it).

Through nginx only: /healthz; static files served by nginx itself (exact Cache-Control, gzip);
the upload limit; a candidate logs in with the real login form (CSRF cookie + token, Origin);
WebSockets with the session cookie and Origin reach ws/ping/ and answer from every daphne process;
sockets without a session or with a foreign Origin get no pong.

Prints one line `SMOKE_RESULT {json}` for tests/deploy/test_loopback.py and exits non-zero on any
failure. Needs the Django environment (run.sh exports it) to create the test user.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import connect as ws_connect

ROOT = Path(__file__).resolve().parents[2]
# A valid national ID (check digit 8) reserved for the smoke test.
SMOKE_USERNAME = "1101700230708"
SOCKETS = 6
HOUR = "public, max-age=3600"
YEAR = "public, max-age=31536000, immutable"


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    print(f"  ok  {message}")


class Client:
    """HTTP through nginx with a cookie jar of name -> value; never follows redirects."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        all_headers = {"User-Agent": "exam-platform-smoke"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, data

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def manage_shell(script_name: str, **env: str) -> str:
    """Run a deploy/loopback script through `manage.py shell` in the topology's environment."""
    script = (ROOT / "deploy" / "loopback" / script_name).read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-startup"],
        input=script,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise SmokeFailure(f"{script_name} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def create_user(password: str) -> None:
    manage_shell("create_smoke_user.py", SMOKE_USERNAME=SMOKE_USERNAME, SMOKE_PASSWORD=password)
    print(f"  ok  candidate {SMOKE_USERNAME} created")


def check_worker(worker_pids: list[int]) -> str:
    output = manage_shell("worker_job.py")
    line = next((line for line in output.splitlines() if line.startswith("SMOKE_JOB ")), None)
    check(line is not None, "a job was enqueued")
    job = json.loads(line.removeprefix("SMOKE_JOB "))
    check(
        job["status"] == "done",
        f"job #{job['id']} done by the worker (status {job['status']!r} {job['error']})",
    )
    pid = int(job["locked_by"].split("/")[0].rsplit(":", 1)[1])
    check(pid in worker_pids, f"taken by worker {job['locked_by']} (worker pids {worker_pids})")
    return job["locked_by"]


def check_health(client: Client) -> None:
    response, body = client.request("GET", "/healthz")
    check(
        response.status == 200 and json.loads(body) == {"status": "ok"}, "GET /healthz through nginx: 200 ok"
    )


def check_static(client: Client) -> None:
    static_root = Path(os.environ["STATIC_ROOT"])
    source = static_root / "css" / "base.css"
    response, body = client.request("GET", "/static/css/base.css", headers={"Accept-Encoding": "identity"})
    check(response.status == 200, "GET /static/css/base.css: 200")
    check(response.getheader("Content-Type", "").startswith("text/css"), "base.css is text/css")
    check(body == source.read_bytes(), "base.css body is the file in STATIC_ROOT")
    # WhiteNoise would answer max-age=60 / 315360000: these exact values mean nginx served the file.
    check(
        response.getheader("Cache-Control") == HOUR,
        f"base.css Cache-Control {response.getheader('Cache-Control')!r} == {HOUR!r} (nginx)",
    )
    check(response.getheader("X-Content-Type-Options") == "nosniff", "static files carry nosniff")

    manifest = json.loads((static_root / "staticfiles.json").read_text(encoding="utf-8"))
    hashed = manifest["paths"]["css/base.css"]
    response, body = client.request("GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    check(response.status == 200, f"GET /static/{hashed}: 200")
    check(response.getheader("Cache-Control") == YEAR, f"hashed name cached for a year: {YEAR!r}")
    if (static_root / f"{hashed}.gz").exists():
        check(response.getheader("Content-Encoding") == "gzip", "pre-compressed .gz served (gzip_static)")
        check("Accept-Encoding" in (response.getheader("Vary") or ""), "Vary: Accept-Encoding")

    response, _ = client.request("GET", "/static/css/no-such-file.css")
    check(response.status == 404, "a missing static file is 404 from nginx")


def check_body_limit(client: Client) -> None:
    # nginx refuses on the Content-Length alone, before a byte of the body is sent.
    conn = http.client.HTTPConnection(client.host, client.port, timeout=15)
    try:
        conn.putrequest("POST", "/accounts/login/")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(64 * 1024 * 1024))
        conn.endheaders()
        status = conn.getresponse().status
    finally:
        conn.close()
    check(status == 413, f"a 64 MiB upload is refused by client_max_body_size (got {status})")


def log_in(client: Client, password: str) -> None:
    response, body = client.request("GET", "/accounts/login/")
    check(response.status == 200, "GET /accounts/login/: 200")
    check("csrftoken" in client.cookies, "CSRF cookie set (not Secure-only on loopback)")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    check(match is not None, "login form carries csrfmiddlewaretoken")
    form = urlencode(
        {"username": SMOKE_USERNAME, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
    ).encode()
    response, body = client.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": client.origin,
            "Referer": f"{client.origin}/accounts/login/",
        },
    )
    check(response.status == 302, f"POST /accounts/login/: 302 (got {response.status})")
    check("sessionid" in client.cookies, "session cookie set")
    session_headers = [h for h in client.set_cookie_headers if h.startswith("sessionid=")]
    check("httponly" in session_headers[-1].lower(), "session cookie is HttpOnly")
    response, _ = client.request("GET", "/exam/")
    check(response.status == 200, "GET /exam/ with the session: 200 (candidates need no two-factor)")


def ping(stack: ExitStack, uri: str, origin: str, cookie: str | None) -> dict:
    """Open a socket (closed when `stack` closes), send a ping, return the reply."""
    headers = {"Cookie": cookie} if cookie else None
    sock = stack.enter_context(
        ws_connect(uri, origin=origin, additional_headers=headers, open_timeout=10, close_timeout=5)
    )
    sock.send(json.dumps({"type": "ping"}))
    return json.loads(sock.recv(timeout=10))


def refused(uri: str, origin: str, cookie: str | None) -> bool:
    """True when the socket is refused at the handshake or closed without a pong."""
    try:
        with ExitStack() as stack:
            reply = ping(stack, uri, origin, cookie)
    except (InvalidHandshake, ConnectionClosed):
        return True
    return reply.get("type") != "pong"


def check_sockets(client: Client, daphne_pids: dict[int, int]) -> dict[str, int]:
    uri = f"ws://{client.host}:{client.port}/ws/ping/"
    cookie = f"sessionid={client.cookies['sessionid']}"
    check(refused(uri, client.origin, None), "socket without a session gets no pong")
    check(refused(uri, "http://evil.example", cookie), "socket with a foreign Origin gets no pong")

    answered: dict[str, int] = {}
    # Kept open together: nginx balances by open connections, so they spread over both processes.
    with ExitStack() as stack:
        for _ in range(SOCKETS):
            reply = ping(stack, uri, client.origin, cookie)
            server = reply.get("server", "")
            check(reply.get("type") == "pong" and ":" in server, f"pong from {server}")
            answered[server] = answered.get(server, 0) + 1
    answering_pids = {int(server.rsplit(":", 1)[1]) for server in answered}
    expected = set(daphne_pids.values())
    check(
        answering_pids == expected,
        f"every daphne process answered: pids {sorted(answering_pids)} == {sorted(expected)}",
    )
    return answered


def read_pids(run_dir: Path, ports: list[int]) -> dict[int, int]:
    return {port: int((run_dir / f"daphne-{port}.pid").read_text().strip()) for port in ports}


def read_worker_pids(run_dir: Path) -> list[int]:
    return sorted(int(path.read_text().strip()) for path in run_dir.glob("worker-*.pid"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:18080")
    parser.add_argument("--run-dir", default=str(ROOT / "var" / "loopback" / "run"))
    parser.add_argument("--daphne-ports", default="18001,18002")
    args = parser.parse_args()
    ports = [int(p) for p in args.daphne_ports.split(",") if p]

    started = time.monotonic()
    client = Client(args.base)
    password = secrets.token_urlsafe(18)
    try:
        daphne_pids = read_pids(Path(args.run_dir), ports)
        worker_pids = read_worker_pids(Path(args.run_dir))
        print(f"smoke test through {args.base} (daphne pids by port: {daphne_pids}, workers: {worker_pids})")
        create_user(password)
        check_health(client)
        check_static(client)
        check_body_limit(client)
        log_in(client, password)
        answered = check_sockets(client, daphne_pids)
        worker = check_worker(worker_pids) if worker_pids else None
    except (SmokeFailure, OSError, InvalidHandshake, ConnectionClosed, KeyError, ValueError) as exc:
        print(f"SMOKE FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    by_port = {
        port: sum(n for server, n in answered.items() if server.rsplit(":", 1)[1] == str(pid))
        for port, pid in daphne_pids.items()
    }
    print(f"sockets answered per daphne port: {by_port}")
    result = {
        "answered": answered,
        "daphne_pids": {str(k): v for k, v in daphne_pids.items()},
        "worker": worker,
    }
    print("SMOKE_RESULT " + json.dumps(result, sort_keys=True))
    print(f"SMOKE OK in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
