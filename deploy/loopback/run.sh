#!/usr/bin/env bash
# The production topology on loopback: nginx -> two daphne processes (+ one worker), PostgreSQL and
# Redis, DEBUG=0, the same nginx includes as production. Everything listens on 127.0.0.1 only.
#
#   bash deploy/loopback/run.sh start    migrate, collectstatic, start everything, wait for /healthz
#   bash deploy/loopback/run.sh stop     stop what start started (by pid file)
#   bash deploy/loopback/run.sh status   show what is running
#   bash deploy/loopback/run.sh smoke    start, run smoke.py, always stop; exit code of the smoke
#
# Settings (environment):
#   LOOPBACK_DATABASE_URL   default postgres://postgres@127.0.0.1:5432/exam_loopback (created if missing)
#   LOOPBACK_FRESH_DB       1: drop and recreate that database first (default 1 for smoke, 0 for start)
#   LOOPBACK_REDIS_URL      default redis://127.0.0.1:6379/6
#   LOOPBACK_HTTP_PORT      nginx port, default 18080
#   LOOPBACK_DAPHNE_PORTS   space-separated, default "18001 18002"
#   LOOPBACK_WORKERS        number of `manage.py run_worker` processes, default 1
#   LOOPBACK_READY_TIMEOUT  seconds to wait for /healthz, default 60
#   PY, NGINX               interpreter (default .venv/bin/python) and nginx binary (default /usr/sbin/nginx)
# State, logs and the generated SECRET_KEY live in var/loopback/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${PY:-$ROOT/.venv/bin/python}
NGINX=${NGINX:-/usr/sbin/nginx}
STATE=$ROOT/var/loopback
RUN=$STATE/run
LOGS=$STATE/logs
DATABASE_URL_LB=${LOOPBACK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/exam_loopback}
REDIS_URL_LB=${LOOPBACK_REDIS_URL:-redis://127.0.0.1:6379/6}
HTTP_PORT=${LOOPBACK_HTTP_PORT:-18080}
read -r -a DAPHNE_PORTS <<<"${LOOPBACK_DAPHNE_PORTS:-18001 18002}"
WORKERS=${LOOPBACK_WORKERS:-1}
READY_TIMEOUT=${LOOPBACK_READY_TIMEOUT:-60}

log() { printf '[loopback] %s\n' "$*"; }
die() {
	printf '[loopback] error: %s\n' "$*" >&2
	exit 1
}

# A pid counts as running only if it is alive (not a zombie) and its command line matches.
running() { # pid pattern
	local pid=$1 pattern=$2 state
	[ -r "/proc/$pid/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
	[ "$state" != Z ] && [ "$state" != X ] || return 1
	tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$pattern"
}

pattern_for() { # pid file -> what its process's command line must contain
	case $(basename "$1") in
	nginx.pid) echo "nginx: master" ;;
	daphne-*.pid) echo "daphne" ;;
	worker-*.pid) echo "run_worker" ;;
	esac
}

stop_one() { # pid file
	local file=$1 pid pattern
	pid=$(cat "$file" 2>/dev/null || true)
	pattern=$(pattern_for "$file")
	if [ -n "$pid" ] && running "$pid" "$pattern"; then
		# nginx: QUIT is its graceful shutdown; daphne and the worker finish on TERM.
		if [ "$(basename "$file")" = nginx.pid ]; then kill -QUIT "$pid"; else kill -TERM "$pid"; fi
		for _ in $(seq 150); do
			running "$pid" "$pattern" || break
			sleep 0.1
		done
		if running "$pid" "$pattern"; then
			log "$(basename "$file" .pid) (pid $pid) did not stop in 15 s: killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$file"
}

do_stop() {
	[ -d "$RUN" ] || return 0
	local file
	# nginx first, so that no new request reaches a stopping daphne.
	[ -f "$RUN/nginx.pid" ] && stop_one "$RUN/nginx.pid"
	for file in "$RUN"/daphne-*.pid "$RUN"/worker-*.pid; do
		[ -f "$file" ] && stop_one "$file"
	done
	log "stopped"
}

do_status() {
	local file pid any=1
	for file in "$RUN"/*.pid; do
		[ -f "$file" ] || continue
		pid=$(cat "$file")
		if running "$pid" "$(pattern_for "$file")"; then
			echo "$(basename "$file" .pid): running (pid $pid)"
			any=0
		else
			echo "$(basename "$file" .pid): not running (stale pid $pid)"
		fi
	done
	return $any
}

show_logs() {
	local file
	for file in "$LOGS"/*.log; do
		[ -s "$file" ] || continue
		echo "----- $file (last 30 lines)" >&2
		tail -n 30 "$file" >&2
	done
}

ensure_ports_free() {
	"$PY" - "$HTTP_PORT" "${DAPHNE_PORTS[@]}" <<'PYEOF' || die "set LOOPBACK_HTTP_PORT / LOOPBACK_DAPHNE_PORTS to free ports"
import socket
import sys

busy = []
for port in map(int, sys.argv[1:]):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            busy.append(port)
if busy:
    print(f"[loopback] port(s) already in use on 127.0.0.1: {busy}", file=sys.stderr)
    sys.exit(1)
PYEOF
}

ensure_database() {
	"$PY" - "$DATABASE_URL_LB" "${LOOPBACK_FRESH_DB:-0}" <<'PYEOF'
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

url = urlsplit(sys.argv[1])
name = url.path.lstrip("/")
maintenance = urlunsplit(url._replace(path="/postgres"))
with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
    if sys.argv[2] == "1":
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"[loopback] created database {name}")
PYEOF
}

write_env() {
	local secret=$STATE/secret_key
	local signing_key=$STATE/signing_key
	if [ ! -s "$secret" ]; then
		(umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$secret")
	fi
	if [ ! -s "$signing_key" ]; then
		(umask 077 && "$PY" -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())' >"$signing_key")
	fi
	# The same variables a production EnvironmentFile holds (deploy/env.example), with the TLS-only
	# protections off: loopback has no TLS, so secure cookies would never be sent back.
	(
		umask 077
		cat >"$STATE/env"
	) <<EOF
DJANGO_SETTINGS_MODULE=exam_platform.settings
DEBUG=0
TESTING=0
SECRET_KEY=$(cat "$secret")
PLATFORM_SIGNING_KEY_FILE=$signing_key
PRIVATE_MEDIA_ROOT=$STATE/private
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=$DATABASE_URL_LB
REDIS_URL=$REDIS_URL_LB
CHANNEL_PREFIX=loopback
CACHE_PREFIX=loopback
STATIC_ROOT=$STATE/static
MEDIA_ROOT=$STATE/media
SECURE_SSL_REDIRECT=0
SESSION_COOKIE_SECURE=0
CSRF_COOKIE_SECURE=0
SECURE_HSTS_SECONDS=0
LOG_LEVEL=WARNING
EOF
}

render_nginx() {
	local upstream="" port
	for port in "${DAPHNE_PORTS[@]}"; do
		upstream+="server 127.0.0.1:$port max_fails=1 fail_timeout=5s; "
	done
	local user_directive=""
	# A root master would drop its workers to "nobody"; keep them as root on this throwaway setup.
	[ "$(id -u)" = 0 ] && user_directive="user root;"
	export EXAM_UPSTREAM_SERVERS=$upstream EXAM_STATIC_ROOT=$STATE/static EXAM_HTTP_PORT=$HTTP_PORT
	export EXAM_NGINX_USER_DIRECTIVE=$user_directive
	"$PY" deploy/render.py deploy/nginx/exam_platform_http.inc.template "$STATE/exam_platform_http.inc"
	"$PY" deploy/render.py deploy/nginx/exam_platform_locations.inc.template "$STATE/exam_platform_locations.inc"
	"$PY" deploy/render.py deploy/loopback/nginx.conf.template "$STATE/nginx.conf"
}

do_start() {
	[ -x "$PY" ] || die "no Python at $PY (run make install)"
	[ -x "$NGINX" ] || die "nginx not found at $NGINX (apt-get install nginx-light)"
	if do_status >/dev/null 2>&1; then die "already running (bash deploy/loopback/run.sh stop)"; fi
	mkdir -p "$RUN" "$LOGS" "$STATE/temp" "$STATE/media"
	rm -f "$RUN"/*.pid
	: >"$LOGS/manage.log"
	ensure_ports_free
	ensure_database
	write_env
	set -a
	# shellcheck disable=SC1091
	. "$STATE/env"
	set +a

	log "migrate + collectstatic (DEBUG=0, $DATABASE_URL)"
	"$PY" manage.py migrate --noinput >>"$LOGS/manage.log" 2>&1 || {
		tail -n 40 "$LOGS/manage.log" >&2
		die "migrate failed"
	}
	"$PY" manage.py collectstatic --noinput -v 0 >>"$LOGS/manage.log" 2>&1 || {
		tail -n 40 "$LOGS/manage.log" >&2
		die "collectstatic failed"
	}

	local port pids=() urls=() i
	for port in "${DAPHNE_PORTS[@]}"; do
		# The listen backlog raised through daphne's endpoint syntax, as in deploy/systemd/daphne@.service.
		"$PY" -m daphne -e "tcp:port=$port:interface=127.0.0.1:backlog=4096" --proxy-headers \
			exam_platform.asgi:application >"$LOGS/daphne-$port.log" 2>&1 </dev/null &
		echo $! >"$RUN/daphne-$port.pid"
		pids+=($!)
		urls+=("http://127.0.0.1:$port/healthz")
	done
	for i in $(seq "$WORKERS"); do
		"$PY" manage.py run_worker >"$LOGS/worker-$i.log" 2>&1 </dev/null &
		echo $! >"$RUN/worker-$i.pid"
		pids+=($!)
	done

	render_nginx
	"$NGINX" -t -q -p "$STATE/" -c nginx.conf || {
		do_stop
		die "nginx -t rejected $STATE/nginx.conf"
	}
	log "daphne on ${DAPHNE_PORTS[*]}, $WORKERS worker(s); waiting for /healthz (up to ${READY_TIMEOUT}s)"
	if ! "$PY" deploy/loopback/wait_ready.py --timeout "$READY_TIMEOUT" "${pids[@]/#/--pid=}" "${urls[@]}"; then
		show_logs
		do_stop
		die "daphne did not become ready"
	fi
	"$NGINX" -p "$STATE/" -c nginx.conf || {
		show_logs
		do_stop
		die "nginx did not start"
	}
	for _ in $(seq 50); do
		[ -s "$RUN/nginx.pid" ] && break
		sleep 0.1
	done
	if ! "$PY" deploy/loopback/wait_ready.py --timeout 10 "${pids[@]/#/--pid=}" \
		"http://127.0.0.1:$HTTP_PORT/healthz"; then
		show_logs
		do_stop
		die "nginx did not become ready"
	fi
	log "ready: http://127.0.0.1:$HTTP_PORT/ (logs in $LOGS)"
}

do_smoke() {
	# Never stop an instance that someone else started.
	if do_status >/dev/null 2>&1; then die "already running (bash deploy/loopback/run.sh stop)"; fi
	trap 'do_stop' EXIT
	trap 'exit 130' INT TERM
	# A fresh database every time: migrations that changed since the last run cannot trip it.
	LOOPBACK_FRESH_DB=${LOOPBACK_FRESH_DB:-1}
	do_start
	local ports_csv
	ports_csv=$(
		IFS=,
		echo "${DAPHNE_PORTS[*]}"
	)
	if ! "$PY" deploy/loopback/smoke.py --base "http://127.0.0.1:$HTTP_PORT" --run-dir "$RUN" \
		--daphne-ports "$ports_csv"; then
		show_logs
		return 1
	fi
	# Every process must have survived the smoke (a worker that crashed after start-up, say).
	local file
	for file in "$RUN"/*.pid; do
		running "$(cat "$file")" "$(pattern_for "$file")" || {
			show_logs
			die "$(basename "$file" .pid) is no longer running after the smoke"
		}
	done
	log "all processes still running after the smoke"
}

case ${1:-} in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
smoke) do_smoke ;;
*)
	echo "usage: $0 start|stop|status|smoke" >&2
	exit 2
	;;
esac
