"""Pages in the registry's eleven languages: the language lives in the address, /sites/ still answers in the
reader's language without a redirect, and the API, tiles and OGC keep their addresses."""

import datetime

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_site

pytestmark = pytest.mark.django_db

CODES = [code for code, _name in settings.LANGUAGES]


def lang_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<html lang=") :].split('"', 2)[1]


def test_the_eleven_languages_of_asean_and_timor_leste():
    assert CODES == ["en", "id", "ms", "fil", "vi", "th", "km", "lo", "my", "tet", "pt"]


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("page", ["", "sites/"])
def test_every_page_answers_in_every_language_from_its_prefixed_address(client, code, page):
    make_site(name="Prefixed pit")
    response = client.get(f"/{code}/{page}")  # no cookie, no Accept-Language: the address decides
    assert response.status_code == 200
    assert lang_of(response) == code
    assert response["Content-Language"] == code


def test_a_shared_link_keeps_its_language_whatever_the_reader_prefers(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.get("/km/sites/", HTTP_ACCEPT_LANGUAGE="th")
    assert lang_of(response) == "km"


def test_an_unprefixed_page_answers_in_the_accept_language_without_a_redirect(client):
    response = client.get("/sites/?status=abandoned", HTTP_ACCEPT_LANGUAGE="th,en;q=0.5")
    assert response.status_code == 200
    assert lang_of(response) == "th"
    # The same address answers in other languages for other readers: caches must keep them apart.
    assert {"Accept-Language", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_an_unprefixed_page_follows_the_language_cookie_before_the_header(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lo"
    response = client.get("/layers/", HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200 and lang_of(response) == "lo"


def test_an_unprefixed_site_page_without_a_preference_is_english(client):
    site = make_site()
    response = client.get(f"/sites/{site.pk}/")
    assert response.status_code == 200 and lang_of(response) == "en"


def test_links_on_a_page_keep_its_language(client):
    html = client.get("/id/sites/").content.decode()
    assert 'href="/id/layers/"' in html and 'href="/id/sites/"' in html
    with translation.override("th"):
        assert reverse("sites:list") == "/th/sites/"


def test_a_missing_slash_is_added_to_the_address_asked_for(client):
    response = client.get("/sites", HTTP_ACCEPT_LANGUAGE="th")
    assert (response.status_code, response["Location"]) == (301, "/sites/")


def test_an_unknown_page_is_404_not_a_redirect(client):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/th/no-such-page/").status_code == 404


def test_the_api_tiles_and_ogc_keep_their_addresses(client):
    make_site()
    api = client.get("/api/sites/", HTTP_ACCEPT_LANGUAGE="th")
    assert api.status_code == 200 and api.json()["type"] == "FeatureCollection"
    assert client.get("/th/api/sites/").status_code == 404
    assert client.get("/tiles/sites/0/0/0.pbf").status_code == 200
    assert client.get("/ogc").status_code == 200 and client.get("/ogc", HTTP_ACCEPT_LANGUAGE="pt").json()
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 200


def test_ogc_html_pages_follow_the_accept_language(client):
    response = client.get("/ogc?f=html", HTTP_ACCEPT_LANGUAGE="pt")
    assert response.status_code == 200 and lang_of(response) == "pt"


def test_signing_in_from_an_unprefixed_link_comes_back_to_it(client):
    from django.contrib.auth.models import User

    User.objects.create_user("ana", password="pw")
    response = client.post("/accounts/login/", {"username": "ana", "password": "pw", "next": "/th/sites/"})
    assert (response.status_code, response["Location"]) == (302, "/th/sites/")
    assert "Sign out ana" in client.get("/sites/").content.decode()


def test_the_javascript_catalogue_is_served_in_the_pages_language_and_cached(client):
    response = client.get("/th/jsi18n/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "max-age" in response["Cache-Control"] and response.has_header("Last-Modified")
    assert "function gettext" in response.content.decode() or "django.gettext" in response.content.decode()
    html = client.get("/th/sites/").content.decode()
    assert html.index('<script src="/th/jsi18n/">') < html.index("</head>")


def test_map_pages_load_the_catalogue_before_the_map_scripts(client):
    html = client.get("/id/").content.decode()
    assert html.index('src="/id/jsi18n/"') < html.index("js/tile-maps.js")


NUMBER_AND_DATE = Template('{{ number }} | {{ day|date:"DATE_FORMAT" }} | {{ day|date:"SHORT_DATE_FORMAT" }}')


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("en", "100,000.5"),
        ("id", "100.000,5"),
        ("vi", "100.000,5"),
        ("pt", "100.000,5"),
        ("th", "100,000.5"),
        ("ms", "100,000.5"),
        ("fil", "100,000.5"),
        ("km", "100.000,5"),
        ("lo", "100.000,5"),
        ("my", "100,000.5"),
        ("tet", "100.000,5"),
    ],
)
def test_numbers_are_written_as_each_language_writes_them(code, number):
    with translation.override(code):
        text = NUMBER_AND_DATE.render(Context({"number": 100000.5, "day": datetime.date(2026, 3, 9)}))
    assert text.split(" | ")[0] == number


@pytest.mark.parametrize(
    ("code", "long_date", "short_date"),
    [
        ("en", "9 Mar 2026", "03/09/2026"),
        ("th", "9 มีนาคม 2026", "9 มี.ค. 2026"),
        ("vi", "Ngày 09 tháng 3 năm 2026", "09-03-2026"),
        ("pt", "9 de Março de 2026", "09/03/2026"),
        ("fil", "Marso 9, 2026", "3/9/2026"),  # month names Django lacks come with our catalogues
        ("tet", "9 Marsu 2026", "09/03/2026"),
        ("lo", "9 ມີນາ 2026", "9/3/2026"),
        ("my", "9 မတ် 2026", "9/3/2026"),
        ("id", "9 Maret 2026", "09-03-2026"),
        ("ms", "9 Mac 2026", "09/03/2026"),
        ("km", "9 ខែ មិនា ឆ្នាំ 2026", "9 មិនា 2026"),
    ],
)
def test_dates_are_written_as_each_language_writes_them(code, long_date, short_date):
    with translation.override(code):
        text = NUMBER_AND_DATE.render(Context({"number": 1, "day": datetime.date(2026, 3, 9)}))
    assert text.split(" | ")[1:] == [long_date, short_date]


@pytest.mark.parametrize("address", ["/layers/upload/", "/th/layers/upload/"])
def test_an_oversized_upload_is_refused_under_any_language_prefix(client, settings, address):
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LAYER_UPLOAD_MAX_MB = 1
    client.force_login(User.objects.create_user("uploader", password="pw"))
    big = SimpleUploadedFile("big.geojson", b" " * (2 * 1024 * 1024))
    response = client.post(address, {"file": big, "name": "Too big"})
    assert response.status_code == 413
