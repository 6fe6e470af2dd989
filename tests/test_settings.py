"""Production refuses unsafe settings, and `check --deploy` has nothing to report."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


def run_cxloop(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    # Only the variables a real deployment would have: nothing of ours, nothing of the tests'.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CXLOOP_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(
        {
            "CXLOOP_VAR_DIR": str(tmp_path),
            "CXLOOP_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "DJANGO_SETTINGS_MODULE": "cxloop.settings",
            **env,
        }
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cxloop", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "CXLOOP_ENV": "production",
    "CXLOOP_SECRET_KEY": secrets.token_urlsafe(64),
    "CXLOOP_ALLOWED_HOSTS": "cx.example.com",
    "CXLOOP_PUBLIC_URL": "https://cx.example.com",
}


def test_check_deploy_reports_nothing_in_production(tmp_path):
    result = run_cxloop(["check", "--deploy", "--fail-level", "INFO"], tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("CXLOOP_SECRET_KEY", "CXLOOP_SECRET_KEY is required"),
        ("CXLOOP_ALLOWED_HOSTS", "CXLOOP_ALLOWED_HOSTS is required"),
        ("CXLOOP_PUBLIC_URL", "CXLOOP_PUBLIC_URL is required"),
    ],
)
def test_production_refuses_to_start_without(missing, message, tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_cxloop(["check"], tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_debug(tmp_path):
    result = run_cxloop(["check"], tmp_path, **PRODUCTION, CXLOOP_DEBUG="true")
    assert "cannot be on" in result.stderr


def test_local_secret_key_is_generated_once_and_kept(tmp_path):
    run_cxloop(["check"], tmp_path)
    first = (tmp_path / "secret_key").read_text()
    run_cxloop(["check"], tmp_path)
    assert (tmp_path / "secret_key").read_text() == first
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
