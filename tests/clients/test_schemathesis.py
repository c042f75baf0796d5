"""Schemathesis against a live server: requests generated from the API definitions, answers checked against them.

Two definitions are exercised: the REST API's (/api/schema/, drf-spectacular) as the public and as a
member of Indonesia with every role (so writes run too), and the OGC API's (/ogc/api). The checks:
no server error, every status code documented, every body as its schema says. Seeded and bounded
(deterministic generation, a few examples per operation), so a run is repeatable and takes a minute
or two. The API is served by gunicorn, as in production: Django's live server cannot take the
chunked and malformed requests schemathesis sends.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from access.models import Role
from tests.api.conftest import make_user
from tests.geodata.test_ogc_clients import registry  # noqa: F401  (the live server with sites, hazards, a layer)
from tests.servers import gunicorn

SCHEMATHESIS = Path(sys.executable).with_name("st")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
TIMEOUT_S = 600


@pytest.fixture
def server(registry, tmp_path):  # noqa: F811
    """The registry's data served by gunicorn, with the public's throttle wide open for thousands of requests."""
    with gunicorn(tmp_path / "static", API_ANON_THROTTLE_RATE="1000000/minute") as url:
        yield url


def run_schemathesis(schema_url: str, base_url: str, tmp_path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            schema_url,
            "--url",
            base_url,
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "8",
            "--generation-deterministic",
            "--continue-on-failure",
            "--request-timeout",
            "60",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        cwd=tmp_path,  # its reports go there, not into the checkout
        check=False,
    )


def assert_clean(result: subprocess.CompletedProcess) -> None:
    failures = result.stdout.partition("FAILURES")[2].partition("WARNINGS")[0]
    assert result.returncode == 0, (failures[:8000] or result.stdout[-4000:]) + result.stderr[-2000:]
    assert " passed" in result.stdout, result.stdout[-4000:]


@pytest.mark.parametrize("reader", ["public", "member"])
def test_the_rest_api_answers_as_its_openapi_schema_says(server, tmp_path, reader):
    options = []
    if reader == "member":
        roles = [("ID", role) for role in (Role.SURVEY_UPLOADER, Role.ENVIRONMENTAL_OFFICER, Role.REVIEWER)]
        token = Token.objects.create(user=make_user("member", *roles))
        options = ["--header", f"Authorization: Token {token.key}"]
    result = run_schemathesis(f"{server}/api/schema/", server, tmp_path, *options)
    assert_clean(result)


def test_the_ogc_api_answers_as_its_openapi_definition_says(server, tmp_path):
    result = run_schemathesis(f"{server}/ogc/api", f"{server}/ogc", tmp_path)
    assert_clean(result)
