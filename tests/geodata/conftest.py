"""Fixtures for the ingest tests: the real upload files and a plain layer builder."""

from pathlib import Path

import pytest

from geodata.models import Layer

UPLOADS = Path(__file__).resolve().parent.parent / "data" / "uploads"


def make_layer(**overrides) -> Layer:
    values = {"title": "Survey layer", "agency": "Geological survey", "country": "ID"}
    values.update(overrides)
    return Layer.objects.create(**values)


@pytest.fixture
def layer(db) -> Layer:
    return make_layer()
