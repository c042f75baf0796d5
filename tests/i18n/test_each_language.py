"""Each shipped language: the main pages speak it, and form errors and import errors come back in it."""

from pathlib import Path

import pytest
from django.core.files import File
from django.utils import translation
from django.utils.html import escape

from geodata.models import Layer
from geodata.tasks import ingest_layer_task
from tests.i18n.catalogs import translated_languages

pytestmark = pytest.mark.django_db

UPLOADS = Path(__file__).resolve().parent.parent / "data" / "uploads"
MAIN_PAGES = ["", "sites/", "layers/", "reports/", "accounts/login/"]
PRODUCT = "Mine-Site & Remediation Registry"
UNKNOWN_FILTER_VALUE = "“%(value)s” is not a known value for this filter."
UNKNOWN_EPSG = "EPSG:%(srid)s is not in the EPSG database; check the code (for example 4326 or 32648)."


def in_language(code: str, message: str, **values) -> str:
    with translation.override(code):
        text = translation.gettext(message)
    return text % values if values else text


def shows(html: str, text: str) -> bool:
    return text in html or escape(text) in html


@pytest.mark.parametrize("code", translated_languages())
@pytest.mark.parametrize("page", MAIN_PAGES)
def test_the_main_pages_speak_the_language(client, code, page):
    response = client.get(f"/{code}/{page}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{code}"' in html
    name = in_language(code, PRODUCT)
    assert name != PRODUCT  # the catalogue has it: the page shows the language's own words
    assert shows(html, name)


@pytest.mark.parametrize("code", translated_languages())
def test_a_form_error_comes_back_in_the_language(client, code):
    response = client.get(f"/{code}/sites/", {"status": "bogus"})
    assert response.status_code == 400
    expected = in_language(code, UNKNOWN_FILTER_VALUE, value="bogus")
    assert expected != UNKNOWN_FILTER_VALUE % {"value": "bogus"}
    assert shows(response.content.decode(), expected)


@pytest.mark.parametrize("code", translated_languages())
def test_an_import_error_comes_back_in_the_uploaders_language(code):
    """The worker has no request: the task carries the uploader's language and writes the report in it."""
    layer = Layer.objects.create(title="Block groups", country="ID")
    with open(UPLOADS / "pyshp_blockgroups_no_prj.zip", "rb") as handle:
        layer.upload_file.save("blockgroups.zip", File(handle))
    ingest_layer_task.call(layer.pk, 999_999, "", "", code)
    layer.refresh_from_db()
    expected = in_language(code, UNKNOWN_EPSG, srid=999_999)
    assert expected != UNKNOWN_EPSG % {"srid": 999_999}
    assert expected in layer.report["error"]
