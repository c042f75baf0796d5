"""Fixtures for the geodata tests: the real upload files, a plain layer builder, a site and its officers."""

from pathlib import Path

import pytest

from geodata.models import Layer
from tests.conftest import make_site
from tests.remediation.conftest import foreign_officer, officer  # noqa: F401 (fixtures shared with remediation)

UPLOADS = Path(__file__).resolve().parent.parent / "data" / "uploads"


def make_layer(**overrides) -> Layer:
    values = {"title": "Survey layer", "agency": "Geological survey", "country": "ID"}
    values.update(overrides)
    return Layer.objects.create(**values)


@pytest.fixture
def site(db):
    """A published site in Indonesia, for the remediation and hazard records of map and OGC tests."""
    return make_site(name="Sulawesi nickel")


@pytest.fixture
def layer(db) -> Layer:
    return make_layer()
