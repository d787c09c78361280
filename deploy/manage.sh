#!/usr/bin/env bash
# manage.py with the production environment, as the systemd units run it:
#   sudo -u exam /opt/exam_platform/deploy/manage.sh migrate --noinput
# EXAM_ENV_FILE (default /etc/exam_platform/env) is read the way systemd's EnvironmentFile is.
set -euo pipefail
APP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV_FILE=${EXAM_ENV_FILE:-/etc/exam_platform/env}
[ -r "$ENV_FILE" ] || {
	echo "cannot read $ENV_FILE (run as the exam user, or set EXAM_ENV_FILE)" >&2
	exit 1
}
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
cd "$APP"
exec "$APP/.venv/bin/python" manage.py "$@"
