"""The production recipe in deploy/: files that must agree with the code and with each other."""

import configparser
import datetime
import importlib.util
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
BACKLOG_ENDPOINT = "tcp:port=8000:interface=0.0.0.0:backlog=4096"


def load_render():
    spec = importlib.util.spec_from_file_location("deploy_render", DEPLOY / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render


def settings_variables() -> set[str]:
    source = (ROOT / "exam_platform" / "settings.py").read_text(encoding="utf-8")
    return set(
        re.findall(r'(?:environ\.get|environ\[|env(?:bool|int|list|float))\(?\s*"([A-Z][A-Z0-9_]*)"', source)
    )


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_env_example_documents_every_variable_settings_reads():
    read = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DB_POOL_MAX"} <= read
    assert sorted(read - env_example().keys()) == []


def test_env_example_values_pass_check_deploy():
    env = {**env_example(), "SECRET_KEY": secrets.token_urlsafe(64)}
    env = {k: v for k, v in env.items() if v != ""}
    env.update(PATH=os.environ["PATH"], DJANGO_SETTINGS_MODULE="exam_platform.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_compose_defines_the_topology():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "daphne1", "daphne2", "worker", "nginx"}

    for name in ("daphne1", "daphne2"):
        daphne = services[name]
        assert daphne["command"] == [
            "daphne",
            "-e",
            BACKLOG_ENDPOINT,
            "--proxy-headers",
            "exam_platform.asgi:application",
        ]
        assert daphne["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert daphne["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert daphne["sysctls"] == {"net.core.somaxconn": 4096}
        assert daphne["healthcheck"]["test"][:3] == ["CMD", "python", "deploy/healthcheck.py"]
        assert daphne["environment"]["REDIS_URL"] == "redis://redis:6379/0"

    migrate = services["migrate"]["command"][-1]
    assert "python manage.py migrate --noinput" in migrate
    assert "python manage.py collectstatic --noinput" in migrate
    assert services["migrate"]["restart"] == "no"
    assert services["worker"]["command"] == ["python", "manage.py", "run_worker"]
    assert services["worker"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}

    nginx = services["nginx"]
    assert nginx["environment"]["EXAM_UPSTREAM_SERVERS"] == "server daphne1:8000; server daphne2:8000;"
    assert set(nginx["depends_on"]) == {"daphne1", "daphne2"}
    for volume in nginx["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (DEPLOY / source).is_file() or source == "./certs", volume
    # Every ${EXAM_*} the templates use is provided to the nginx container.
    render = load_render()
    for template in (DEPLOY / "nginx").glob("*.template"):
        render(template.read_text(encoding="utf-8"), nginx["environment"])

    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert compose["x-app"]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}


def test_daphne_unit_listens_on_loopback_with_a_raised_backlog():
    service = unit("daphne@.service")["Service"]
    assert service["ExecStart"] == (
        "/opt/exam_platform/.venv/bin/daphne -e tcp:port=%i:interface=127.0.0.1:backlog=4096 "
        "--proxy-headers exam_platform.asgi:application"
    )
    assert service["EnvironmentFile"] == "/etc/exam_platform/env"
    assert service["User"] == "exam"
    assert service["Restart"] == "always"
    assert unit("daphne@.service")["Install"]["WantedBy"] == "exam-platform.target"


def test_worker_unit_and_target_group_the_processes():
    worker = unit("exam-worker@.service")
    assert worker["Service"]["ExecStart"] == "/opt/exam_platform/.venv/bin/python manage.py run_worker"
    assert worker["Unit"]["PartOf"] == "exam-platform.target"
    target = unit("exam-platform.target")
    assert target["Unit"]["Wants"].split() == [
        "daphne@8001.service",
        "daphne@8002.service",
        "exam-worker@1.service",
    ]
    assert target["Install"]["WantedBy"] == "multi-user.target"


def test_sysctl_raises_somaxconn_to_the_daphne_backlog():
    lines = (DEPLOY / "sysctl" / "99-exam-platform.conf").read_text(encoding="utf-8").splitlines()
    assert "net.core.somaxconn = 4096" in lines


def test_render_fills_exam_placeholders_and_keeps_nginx_variables():
    render = load_render()
    text = "alias ${EXAM_STATIC_ROOT}/; proxy_set_header Host $http_host; ${request_uri}"
    assert render(text, {"EXAM_STATIC_ROOT": "/srv/static"}) == (
        "alias /srv/static/; proxy_set_header Host $http_host; ${request_uri}"
    )


def test_render_refuses_a_placeholder_without_value():
    render = load_render()
    with pytest.raises(KeyError, match="EXAM_SERVER_NAME, EXAM_TLS_CERT"):
        render("server_name ${EXAM_SERVER_NAME}; ssl_certificate ${EXAM_TLS_CERT};", {})


def test_nginx_locations_proxy_websockets_with_long_timeouts():
    text = (DEPLOY / "nginx" / "exam_platform_locations.inc.template").read_text(encoding="utf-8")
    ws = re.search(r"location /ws/ \{(.*?)\n\}", text, re.S).group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection $exam_connection_upgrade;" in ws
    assert "proxy_read_timeout 3600s;" in ws
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in ws
    static = re.search(r"location /static/ \{(.*?)\n\}", text, re.S).group(1)
    assert "alias ${EXAM_STATIC_ROOT}/;" in static
    assert "client_max_body_size 20m;" in text


@pytest.mark.deploy
def test_nginx_accepts_the_rendered_production_site(tmp_path):
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail(f"nginx is not installed at {NGINX}, and REQUIRE_NGINX=1")
        pytest.skip(f"nginx is not installed at {NGINX} (apt-get install nginx-light)")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exam.bangkok.go.th")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    conf_dir = tmp_path / "conf.d"
    values = {
        "EXAM_SERVER_NAME": "exam.bangkok.go.th",
        "EXAM_UPSTREAM_SERVERS": "server 127.0.0.1:8001; server 127.0.0.1:8002;",
        "EXAM_STATIC_ROOT": "/var/lib/exam_platform/static",
        "EXAM_NGINX_CONF_DIR": str(conf_dir),
        "EXAM_TLS_CERT": str(tmp_path / "cert.pem"),
        "EXAM_TLS_KEY": str(tmp_path / "key.pem"),
    }
    render = load_render()
    conf_dir.mkdir()
    for template in (DEPLOY / "nginx").glob("*.template"):
        target = conf_dir / template.name.removesuffix(".template")
        target.write_text(render(template.read_text(encoding="utf-8"), values), encoding="utf-8")
    # Like Debian's nginx.conf (which already says `gzip on;` in the http context).
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n gzip on;\n"
        f" client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" fastcgi_temp_path {tmp_path}/fastcgi;\n uwsgi_temp_path {tmp_path}/uwsgi;\n"
        f" scgi_temp_path {tmp_path}/scgi;\n"
        f" include {conf_dir}/*.conf;\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
