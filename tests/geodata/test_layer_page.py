"""A layer's attributes in the file's order: its page's table, the click popup, GeoJSON, the REST API and OGC items."""

import json
from html.parser import HTMLParser

import pytest

from geodata.models import Feature
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS

pytestmark = pytest.mark.django_db


class TableReader(HTMLParser):
    """The header and the body cells of the page's attribute table, as text."""

    def __init__(self):
        super().__init__()
        self.header, self.rows, self.cell, self.in_table = [], [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "attribute-table" in (dict(attrs).get("class") or ""):
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("th", "td"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif self.in_table and tag in ("th", "td"):
            (self.header if tag == "th" else self.rows[-1]).append(self.cell)
            self.cell = None


@pytest.fixture
def faults():
    """GEM's active faults: 22 fields of many lengths, most of them empty on most features."""
    layer, _ = load_reference_layer(next(spec for spec in REFERENCE_LAYERS if spec.slug == "gem-active-faults"))
    return layer


def test_each_value_stands_under_its_own_field(client, faults):
    layer = faults
    table = TableReader()
    table.feed(client.get(f"/layers/{layer.pk}/").content.decode())

    assert table.header == ["#"] + [field["name"] for field in layer.field_schema]
    rows = [row for row in table.rows if row]
    features = Feature.objects.filter(layer=layer).order_by("source_index")[: len(rows)]
    assert len(rows) == 50
    for row, feature in zip(rows, features, strict=True):
        assert row[0] == str(feature.source_index)
        expected = {name: "" if value is None else str(value) for name, value in feature.properties.items()}
        assert dict(zip(table.header[1:], row[1:], strict=True)) == expected
    assert any(row[table.header.index("fz_name")] == "Red River Fault" for row in rows)


def test_every_reader_gets_the_fields_in_the_files_order(client, faults):
    fields = [field["name"] for field in faults.field_schema]
    assert fields != sorted(fields, key=len)  # the order jsonb would give them
    feature = Feature.objects.filter(layer=faults).order_by("source_index").first()
    popup = client.get(f"/tiles/layers/{faults.pk}/features/{feature.pk}.json").json()
    assert list(popup["properties"]) == fields
    assert popup["properties"] == feature.properties
    item = client.get(f"/ogc/collections/layer-{faults.pk}/items/0", HTTP_ACCEPT="application/geo+json").json()
    assert list(item["properties"]) == fields
    geojson = json.loads(client.get(f"/layers/{faults.pk}/features.geojson").content)
    assert list(geojson["features"][0]["properties"]) == fields
    assert geojson["features"][0]["properties"] == feature.properties
    page = client.get(f"/api/layers/{faults.pk}/features/", {"page_size": 1}).json()
    assert list(page["features"][0]["properties"]) == fields
