"""exam_platform/settings.py: strict environment parsing and what each way of running gets.

Every case imports the settings in a fresh interpreter with an environment built from nothing,
so neither this test run's variables (DATABASE_URL, REDIS_URL, ...) nor pytest's TESTING
detection leak in: a plain `python` is what daphne, the worker and manage.py are.
"""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "exam.bangkok.go.th",
    "DATABASE_URL": "postgres://exam:secret@db.internal:5432/exam",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "PLATFORM_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
}
DUMP = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "TESTING": settings.TESTING,
    "ENGINE": db["ENGINE"],
    "NAME": db["NAME"],
    "CONN_MAX_AGE": db["CONN_MAX_AGE"],
    "OPTIONS": db.get("OPTIONS", {}),
    "CHANNEL_LAYERS": settings.CHANNEL_LAYERS,
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "TIME_ZONE": settings.TIME_ZONE,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
}, default=str))
"""


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "exam_platform.settings", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def load_settings(env: dict[str, str]) -> dict:
    result = run_python(["-c", "import django; django.setup()\n" + DUMP], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("variable", "value", "extra"),
    [
        ("DEBUG", "maybe", {}),
        ("DB_POOL_MAX", "abc", {"DATABASE_URL": PRODUCTION["DATABASE_URL"]}),
        ("DB_POOL_MIN", "2.5", {"DATABASE_URL": PRODUCTION["DATABASE_URL"]}),
        ("REDIS_URL", "http://x", {}),
        ("DATABASE_URL", "nonsense://", {}),
        ("SECURE_SSL_REDIRECT", "sometimes", {"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}),
        ("SESSION_COOKIE_AGE", "8h", {}),
        ("WORKER_LEASE_SECONDS", "two minutes", {}),
        ("WORKER_POLL_SECONDS", "fast", {}),
    ],
)
def test_settings_malformed_value_stops_startup_naming_variable(variable, value, extra):
    env = {"DEBUG": "1", **extra, variable: value}
    result = run_python(["-c", "import exam_platform.settings"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} must" in result.stderr or f"{variable} is not" in result.stderr
    assert repr(value) in result.stderr or variable == "DATABASE_URL"


def test_settings_missing_secret_key_with_debug_off_is_an_error():
    result = run_python(["-c", "import exam_platform.settings"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_missing_secret_key_with_debug_on_uses_dev_key():
    result = run_python(["-c", "import exam_platform.settings as s; print(s.SECRET_KEY)"], {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure-")


def test_settings_production_values_pass_check_deploy():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_settings_production_values_turn_https_protections_on():
    loaded = load_settings(PRODUCTION)
    assert loaded["DEBUG"] is False
    assert loaded["TESTING"] is False
    assert loaded["ALLOWED_HOSTS"] == ["exam.bangkok.go.th"]
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_settings_loopback_flags_turn_tls_protections_off():
    env = {
        **PRODUCTION,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    loaded = load_settings(env)
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["CSRF_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0


def test_settings_without_redis_url_use_in_memory_layer_and_cache():
    loaded = load_settings({"DEBUG": "1"})
    assert loaded["CHANNEL_LAYERS"] == {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert loaded["CACHE_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_settings_with_redis_url_use_redis_layer_without_socket_timeout():
    loaded = load_settings({"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/6"})
    layer = loaded["CHANNEL_LAYERS"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    host = layer["CONFIG"]["hosts"][0]
    assert host["address"] == "redis://127.0.0.1:6379/6"
    # None, not redis-py 8's 5 s default, which breaks the layer's blocking read (DESIGN §10).
    assert "socket_timeout" in host
    assert host["socket_timeout"] is None
    assert loaded["CACHE_BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_settings_postgres_url_uses_pool_and_no_persistent_connections():
    loaded = load_settings({"DEBUG": "1", "DATABASE_URL": "postgres://exam:pw@db.internal:5433/exam"})
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["NAME"] == "exam"
    assert loaded["CONN_MAX_AGE"] == 0
    assert loaded["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}


def test_settings_postgres_pool_sizes_come_from_environment():
    env = {
        "DEBUG": "1",
        "DATABASE_URL": "postgres://exam@127.0.0.1/exam",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "7",
        "DB_POOL_TIMEOUT": "3",
    }
    assert load_settings(env)["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 3}


def test_settings_default_database_is_sqlite_in_var():
    loaded = load_settings({"DEBUG": "1"})
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["NAME"] == str(ROOT / "var" / "db.sqlite3")
    assert loaded["CONN_MAX_AGE"] == 0


def test_settings_time_zone_defaults_to_bangkok():
    assert load_settings({"DEBUG": "1"})["TIME_ZONE"] == "Asia/Bangkok"


def test_settings_testing_env_forces_test_mode_outside_pytest():
    loaded = load_settings({"TESTING": "1"})
    assert loaded["TESTING"] is True
    assert loaded["DEBUG"] is False


def test_settings_production_without_a_signing_key_fails_check_deploy():
    env = {k: v for k, v in PRODUCTION.items() if k != "PLATFORM_SIGNING_KEY"}
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "PLATFORM_SIGNING_KEY" in result.stdout + result.stderr
