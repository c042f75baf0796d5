"""The import report on a layer's page: sentences and tables, the details only for those who look after the layer."""

import pytest

from access.models import Role
from geodata.import_report import readable_report
from geodata.ingest import ingest_layer
from tests.geodata.conftest import UPLOADS, make_layer
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

PYTHON_TEXT = ("{'", "[{", "stage_seconds", "features_read", "source_crs_decided_by")


@pytest.fixture
def imported(db):
    """A published layer whose import rejected some features (lines with too few points)."""
    layer = make_layer(is_published=True)
    ingest_layer(layer, UPLOADS / "mapshaper_shplib_csah_nulls_shp.zip", srid=26915)
    layer.refresh_from_db()
    assert layer.report["rejected"] > 0
    layer.is_published = True
    layer.save()
    return layer


def test_the_public_reads_a_summary_in_sentences(client, imported):
    page = client.get(f"/layers/{imported.pk}/").content.decode()
    report = page[page.index("Import report") :]
    assert f"{imported.report['features_read']} features read from mapshaper_shplib_csah_nulls_shp.zip" in report
    assert f"{imported.report['rejected']} rejected" in report
    assert "Rejected features" not in report and "Time per stage" not in report and "Fields" not in report
    assert not any(text in page for text in PYTHON_TEXT)


@pytest.mark.parametrize("role", [Role.SURVEY_UPLOADER, Role.REVIEWER])
def test_who_looks_after_the_layer_reads_the_details_too(client, imported, role):
    client.force_login(make_member("keeper", role, "ID"))
    page = client.get(f"/layers/{imported.pk}/").content.decode()
    assert "Rejected features" in page and "Time per stage" in page and "Fields" in page
    first = imported.report["rejections"][0]
    assert f"<td>{first['index']}</td><td>{first['reason']}</td>" in page
    assert not any(text in page for text in PYTHON_TEXT)


def test_an_uploader_of_another_country_reads_the_summary_only(client, imported):
    client.force_login(make_member("elsewhere", Role.SURVEY_UPLOADER, "TH"))
    page = client.get(f"/layers/{imported.pk}/").content.decode()
    assert "features read from" in page and "Rejected features" not in page


def test_the_report_says_how_the_file_was_read():
    report = readable_report(
        {
            "source_file": "geologi.zip",
            "features_read": 12345,
            "imported": 12340,
            "repaired": 7,
            "rejected": 105,
            "rejections": [{"index": 3, "reason": "empty geometry"}],
            "source_crs": 'PROJCRS["Lambert Indonesia",BASEGEOGCRS["WGS 84"]]',
            "source_crs_decided_by": "file",
            "encoding": "ISO-8859-1",
            "encoding_decided_by": "cpg",
            "fields": [{"name": "nama_unit", "original_name": "NAMA UNIT", "type": "string"}],
            "geometry_types": {"MultiPolygon": 12, "Polygon": 12328},
        },
        details=True,
    )
    text = " ".join(report.summary)
    assert "12,345 features read from geologi.zip." in text
    assert "12,340 imported; 7 of them repaired; 105 rejected." in text
    assert "Lambert Indonesia (as the file declares)" in text and "PROJCRS" not in text
    assert "Text encoding ISO-8859-1 (the file's .cpg)." in text
    assert "Shapes: MultiPolygon 12, Polygon 12,328." in text
    assert report.rejected_not_listed == 104
    assert report.fields == [{"name": "nama_unit", "original_name": "NAMA UNIT", "type": "string", "renamed": True}]
    assert readable_report({}, details=True) is None
