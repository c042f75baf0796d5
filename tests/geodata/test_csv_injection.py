"""CSV downloads cannot carry a spreadsheet formula: text cells that begin like one get a leading quote (OWASP)."""

import csv
import io

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import Point

from geodata.exports import csv_safe_text
from geodata.loading import replace_features
from tests.conftest import make_site
from tests.downloads import body
from tests.geodata.conftest import make_layer

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(body(response).decode())))


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Sorowako", "Sorowako"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_text_that_begins_like_a_formula_is_quoted(text, written):
    assert csv_safe_text(text) == written


@pytest.mark.parametrize("number", [-2.5, -7, 0])
def test_numbers_are_left_as_they_are(number):
    assert csv_safe_text(number) == number


def test_site_export_quotes_a_formula_name_and_keeps_negative_coordinates(client):
    site = make_site(name=FORMULA, operator="@evil", location=Point(-75.25, -2.5, srid=4326))
    (row,) = csv_rows(client.get("/sites/export.csv"))
    assert row["name"] == "'" + FORMULA
    assert row["operator"] == "'@evil"
    assert row["id"] == str(site.pk)
    assert row["geometry_wkt"] == "POINT(-75.25 -2.5)"


def test_layer_csv_quotes_formula_attributes_but_not_negative_numbers(client):
    layer = make_layer(title="Formula layer", is_published=True, license="CC-BY-4.0")
    properties = [{"label": FORMULA, "depth": -12.5, "level": -3, "note": "-minus text"}]
    replace_features(layer, np.array([shapely.Point(-10.5, -1.25)], dtype=object), properties, [0])
    layer.field_schema = [
        {"name": "label", "type": "string"},
        {"name": "depth", "type": "float"},
        {"name": "level", "type": "integer"},
        {"name": "note", "type": "string"},
    ]
    layer.status = "ready"
    layer.save()
    (row,) = csv_rows(client.get(f"/layers/{layer.pk}/download.csv"))
    assert row["label"] == "'" + FORMULA
    assert row["note"] == "'-minus text"
    assert float(row["depth"]) == -12.5 and row["level"] == "-3"
    assert row["geometry_wkt"] == "POINT(-10.5 -1.25)"
