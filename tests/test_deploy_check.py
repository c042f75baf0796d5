"""Production settings: `check --deploy` is clean with the README's production block; compose needs a SECRET_KEY."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def production_environment() -> dict[str, str]:
    """The NAME=value lines of the README's "Production settings" block, with a real random secret key."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Production settings", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    variables = dict(line.split("=", 1) for line in block.splitlines() if "=" in line and not line.startswith("#"))
    assert variables["SECRET_KEY"].startswith("$(")  # generated when used, never a value to copy
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    return variables


def deploy_check(extra: dict[str, str]) -> subprocess.CompletedProcess:
    keep = {name: os.environ[name] for name in ("PATH", "DATABASE_URL", "HOME") if name in os.environ}
    environment = {**keep, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_the_documented_production_settings_pass_the_deploy_check():
    result = deploy_check(production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_them_the_deploy_check_warns():
    """The check itself is live: a bare secret key leaves HSTS and the HTTPS redirect unset."""
    result = deploy_check({"SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_compose_refuses_to_start_without_a_secret_key():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker"):
        secret = compose["services"][name]["environment"]["SECRET_KEY"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", secret), secret  # compose stops with this message
