"""Production settings: refuse to start without secrets, and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ed25519_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def run_manage(*args, env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "training.settings.production", **env_overrides}
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_check_deploy_with_no_warnings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "SECRET_KEY": "k7$Qv9!xR2@mZ4#pL8^wT1&yB6*nH3(eJ5)uC0_fG2+dS9-aK4=oV7~iM1?qX8",
            "ALLOWED_HOSTS": "training.example.org",
            "STRIPE_SECRET_KEY": "sk_live_placeholder",
            "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
            "OB3_SIGNING_KEY": ed25519_pem(),
            "SQLITE_PATH": str(tmp_path / "deploy.sqlite3"),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = run_manage(
        "check", env_overrides={"ALLOWED_HOSTS": "training.example.org"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", env_overrides={"SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_refuses_the_test_mode_payment_backend():
    result = run_manage(
        "check",
        env_overrides={
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "training.example.org",
            "COURSES_PAYMENT_BACKEND": "courses.payments.testmode.TestModeBackend",
        },
    )
    assert result.returncode != 0
    assert "test-mode payment backend is refused in production" in result.stderr


def test_production_without_stripe_keys_fails_the_system_check(tmp_path):
    result = run_manage(
        "check",
        env_overrides={
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "training.example.org",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        },
    )
    assert result.returncode != 0
    assert "courses.E002" in result.stderr


def test_production_warns_without_an_open_badges_key(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        env_overrides={
            "SECRET_KEY": "k7$Qv9!xR2@mZ4#pL8^wT1&yB6*nH3(eJ5)uC0_fG2+dS9-aK4=oV7~iM1?qX8",
            "ALLOWED_HOSTS": "training.example.org",
            "STRIPE_SECRET_KEY": "sk_live_placeholder",
            "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
            "OB3_SIGNING_KEY_FILE": str(tmp_path / "missing.pem"),
            "SQLITE_PATH": str(tmp_path / "deploy.sqlite3"),
        },
    )
    assert "assessments.W001" in result.stdout + result.stderr


PRODUCTION_ENV = {
    "SECRET_KEY": "k7$Qv9!xR2@mZ4#pL8^wT1&yB6*nH3(eJ5)uC0_fG2+dS9-aK4=oV7~iM1?qX8",
    "ALLOWED_HOSTS": "training.example.org",
    "STRIPE_SECRET_KEY": "sk_live_placeholder",
    "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
}


def test_production_sends_the_policy_and_refuses_nul_with_a_400(tmp_path):
    # Requests that need no database, through the full production middleware stack.
    script = (
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='training.example.org')\n"
        "r = c.get('/healthz/', secure=True)\n"
        "print('healthz', r.status_code, r['Content-Security-Policy'])\n"
        "r = c.get('/search/', {'q': 'a\\x00b'}, secure=True)\n"
        "print('nul', r.status_code, b'read that request' in r.content)\n"
    )
    result = run_manage(
        "shell",
        "-c",
        script,
        env_overrides={
            **PRODUCTION_ENV,
            "SQLITE_PATH": str(tmp_path / "unused.sqlite3"),
        },
    )
    assert result.returncode == 0, result.stderr
    lines = dict(
        line.split(" ", 1)
        for line in result.stdout.splitlines()
        if line.startswith(("healthz ", "nul "))
    )
    assert lines["healthz"].startswith("200 ")
    assert "default-src 'self'" in lines["healthz"]
    assert "script-src 'self'" in lines["healthz"]
    assert "unsafe" not in lines["healthz"]
    assert "frame-ancestors 'none'" in lines["healthz"]
    assert lines["nul"] == "400 True"


def test_production_keeps_media_in_the_bucket_when_one_is_named(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; import json; "
        "print(json.dumps({k: settings.STORAGES[k] for k in ('default', 'public')}))",
        env_overrides={
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "training.example.org",
            "STRIPE_SECRET_KEY": "sk_live_placeholder",
            "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "AWS_STORAGE_BUCKET_NAME": "kap-media",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    import json

    storages = json.loads(result.stdout.strip().splitlines()[-1])
    private, public = storages["default"]["OPTIONS"], storages["public"]["OPTIONS"]
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert private["bucket_name"] == "kap-media" and private["location"] == "private"
    assert private["querystring_auth"] is True and private["default_acl"] is None
    assert private["querystring_expire"] == 3600
    assert public["location"] == "public" and public["querystring_auth"] is False


def test_a_stripe_stand_in_is_refused_with_live_keys():
    result = run_manage(
        "check",
        env_overrides={
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "training.example.org",
            "STRIPE_SECRET_KEY": "sk_live_placeholder",
            "STRIPE_API_BASE": "http://127.0.0.1:9",
        },
    )
    assert result.returncode != 0
    assert "STRIPE_API_BASE is for test-mode keys only" in result.stderr
