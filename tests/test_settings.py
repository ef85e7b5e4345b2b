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
