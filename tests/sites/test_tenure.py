"""Tenure and liability of a site: on its page, in the list's filters, the API, OGC items, downloads and imports."""

import datetime
import io
import json
from decimal import Decimal

import pandas
import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from access.models import Membership, Role
from sites.models import DataSource, MineSite
from tests.api.conftest import make_user, token_client
from tests.api.test_sites_geojson import assert_same_page
from tests.conftest import make_site
from tests.downloads import body

pytestmark = pytest.mark.django_db

TENURE = {
    "licence_type": "production_licence",
    "licence_number": "IUP-OP 540/123/2009",
    "licence_holder": "PT Tambang Contoh",
    "licence_granted": datetime.date(2009, 3, 1),
    "licence_expiry": datetime.date(2021, 2, 28),
    "responsible_party": "PT Tambang Contoh",
    "responsible_party_kind": "operator",
    "assurance_kind": "bank_guarantee",
    "assurance_amount": Decimal("1500000.50"),
    "assurance_currency": "IDR",
    "assurance_holder": "Ministry of Energy and Mineral Resources",
    "assurance_expiry": datetime.date(2026, 12, 31),
}


@pytest.fixture
def licensed():
    return make_site(name="Licensed pit", **TENURE)


@pytest.fixture
def orphan():
    return make_site(name="Orphan pit", licence_type="none", responsible_party_kind="none_known")


# --- the site page ---------------------------------------------------------------------------------


def test_the_site_page_shows_licence_party_and_assurance_in_the_readers_number_format(client, licensed):
    page = client.get(licensed.get_absolute_url()).content.decode()
    assert "Tenure and liability" in page
    assert "IUP-OP 540/123/2009" in page and "Mining / production licence (IUP-OP style)" in page
    assert "expired" in page  # 28 February 2021 has passed
    assert "Bank guarantee" in page and "Ministry of Energy and Mineral Resources" in page
    assert "1,500,000.50 IDR" in page
    with translation.override("id"):
        page = client.get(licensed.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "1.500.000,50 IDR" in page  # Indonesian groups with dots and writes a decimal comma


def test_a_site_without_tenure_says_nothing_is_recorded(client):
    site = make_site(name="Unknown pit")
    assert (
        "No licence, responsible party or financial assurance recorded."
        in client.get(site.get_absolute_url()).content.decode()
    )


def test_the_public_does_not_see_a_drafts_tenure_anywhere(client, api_client):
    draft = make_site(name="Draft licensed pit", is_published=False, **TENURE)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert api_client.get(f"/api/sites/{draft.pk}/").status_code == 404
    assert b"IUP-OP" not in body(client.get("/sites/export.csv"))


# --- the list's filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"responsible_party_kind": "none_known"}, {"Orphan pit"}),
        ({"responsible_party_kind": "operator"}, {"Licensed pit"}),
        ({"licence_type": "production_licence"}, {"Licensed pit"}),
        ({"licence_type": "none"}, {"Orphan pit"}),
        ({"licence_expired": "true"}, {"Licensed pit"}),
        ({}, {"Licensed pit", "Orphan pit", "Other pit"}),
    ],
)
def test_the_sites_list_filters_by_tenure(client, licensed, orphan, query, expected):
    make_site(name="Other pit", licence_expiry=datetime.date.today() + datetime.timedelta(days=30))
    page = client.get("/sites/", query)
    assert page.status_code == 200
    shown = {name for name in ("Licensed pit", "Orphan pit", "Other pit") if f">{name}<" in page.content.decode()}
    assert shown == expected


def test_an_unknown_tenure_filter_value_is_a_clear_400(client):
    response = client.get("/sites/", {"licence_type": "charter"})
    assert response.status_code == 400
    assert "“charter” is not a known value for this filter." in response.content.decode()


# --- the API and OGC -------------------------------------------------------------------------------


@pytest.fixture
def api_client(db):
    from rest_framework.test import APIClient

    return APIClient()


def test_the_api_lists_and_details_tenure_the_same_in_sql_and_serializer(api_client, licensed, orphan, monkeypatch):
    listed = assert_same_page(api_client, "/api/sites/", monkeypatch)
    by_name = {feature["properties"]["name"]: feature["properties"] for feature in listed["features"]}
    expected = {
        **{name: value for name, value in TENURE.items() if isinstance(value, str)},
        "licence_granted": "2009-03-01",
        "licence_expiry": "2021-02-28",
        "assurance_amount": "1500000.50",
        "assurance_expiry": "2026-12-31",
    }
    assert {name: by_name["Licensed pit"][name] for name in expected} == expected
    assert by_name["Orphan pit"]["assurance_amount"] is None and by_name["Orphan pit"]["licence_expiry"] is None
    detail = api_client.get(f"/api/sites/{licensed.pk}/").json()["properties"]
    assert {name: detail[name] for name in expected} == expected


def test_the_api_filters_by_tenure(api_client, licensed, orphan):
    def names(**query):
        return {f["properties"]["name"] for f in api_client.get("/api/sites/", query).json()["features"]}

    assert names(responsible_party_kind="none_known") == {"Orphan pit"}
    assert names(licence_type="production_licence") == {"Licensed pit"}
    assert names(licence_expired="true") == {"Licensed pit"}
    assert names(licence_expired="false") == {"Orphan pit"}


def test_an_uploader_records_tenure_through_the_api_and_history_keeps_it(licensed):
    # A draft: an uploader's change to a published site would wait for a reviewer (access.proposals).
    MineSite.objects.filter(pk=licensed.pk).update(is_published=False)
    uploader = make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))
    change = {"properties": {"assurance_amount": "2500000.00", "assurance_currency": "USD", "licence_number": "X-1"}}
    response = token_client(uploader).patch(f"/api/sites/{licensed.pk}/", change, format="json")
    assert response.status_code == 200, response.json()
    licensed.refresh_from_db()
    assert (licensed.assurance_amount, licensed.assurance_currency) == (Decimal("2500000.00"), "USD")
    assert licensed.history.first().licence_number == "X-1"
    assert licensed.history.first().history_user == uploader


@pytest.mark.parametrize(
    "change, field",
    [
        ({"assurance_currency": "XYZ"}, "assurance_currency"),
        ({"assurance_currency": "usd"}, "assurance_currency"),
        ({"licence_expiry": "2001-01-01"}, "licence_expiry"),  # before it was granted
        ({"licence_type": "charter"}, "licence_type"),
        ({"assurance_amount": "-5"}, "assurance_amount"),
    ],
)
def test_bad_tenure_through_the_api_is_a_400_naming_the_field(licensed, change, field):
    uploader = make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))
    response = token_client(uploader).patch(f"/api/sites/{licensed.pk}/", {"properties": change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    licensed.refresh_from_db()
    assert licensed.assurance_currency == "IDR" and licensed.licence_expiry == TENURE["licence_expiry"]


@pytest.mark.parametrize(
    "roles, status",
    [
        ((), 403),
        ((("PH", Role.SURVEY_UPLOADER),), 403),  # another country's uploader
        ((("ID", Role.REVIEWER),), 403),  # reviewers publish, uploaders record
        ((("ID", Role.ENVIRONMENTAL_OFFICER),), 403),
    ],
)
def test_only_the_countrys_uploaders_change_tenure(licensed, roles, status):
    client = token_client(make_user("someone", *roles))
    response = client.patch(f"/api/sites/{licensed.pk}/", {"properties": {"licence_number": "Y"}}, format="json")
    assert response.status_code == status
    licensed.refresh_from_db()
    assert licensed.licence_number == TENURE["licence_number"]


def test_anonymous_writes_of_tenure_are_refused(api_client, licensed):
    response = api_client.patch(f"/api/sites/{licensed.pk}/", {"properties": {"licence_number": "Y"}}, format="json")
    assert response.status_code == 401


def test_ogc_items_carry_the_tenure(client, licensed):
    response = client.get(f"/ogc/collections/sites/items/{licensed.pk}", HTTP_ACCEPT="application/geo+json")
    assert response.status_code == 200, response.content[:300]
    properties = response.json()["properties"]
    assert properties["licence_number"] == "IUP-OP 540/123/2009"
    assert properties["responsible_party_kind"] == "operator"
    assert properties["assurance_amount"] == "1500000.50" and properties["assurance_currency"] == "IDR"
    assert properties["licence_expiry"] == "2021-02-28"


def test_the_csv_download_has_the_tenure_columns(client, licensed, orphan):
    table = pandas.read_csv(io.BytesIO(body(client.get("/sites/export.csv"))), dtype=str, keep_default_na=False)
    row = table[table["name"] == "Licensed pit"].iloc[0]
    assert row["licence_number"] == "IUP-OP 540/123/2009"
    assert row["licence_expiry"] == "2021-02-28"
    assert (row["assurance_amount"], row["assurance_currency"]) == ("1500000.50", "IDR")
    assert table[table["name"] == "Orphan pit"].iloc[0]["responsible_party_kind"] == "none_known"
    only_expired = body(client.get("/sites/export.csv", {"licence_expired": "true"}))
    assert b"Licensed pit" in only_expired and b"Orphan pit" not in only_expired


def test_an_uploader_records_tenure_in_the_admin(client, licensed):
    MineSite.objects.filter(pk=licensed.pk).update(is_published=False)  # a published site's change waits for review
    uploader = User.objects.create_user("admin-uploader", password="pw", is_staff=True)
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country="ID")
    uploader.user_permissions.add(*Permission.objects.filter(codename__in=["change_minesite", "view_minesite"]))
    client.force_login(uploader)
    form = client.get(f"/admin/sites/minesite/{licensed.pk}/change/").content.decode()
    assert 'name="assurance_currency"' in form and 'name="responsible_party_kind"' in form
    data = {
        "name": "Licensed pit",
        "country": "ID",
        "status": "active",
        "mine_type": "unknown",
        "commodities": ["nickel"],
        "location": '{"type": "Point", "coordinates": [13525318, -278298]}',
        **{name: str(value) for name, value in TENURE.items()},
        "assurance_currency": "EUR",
        "resource_estimates-TOTAL_FORMS": "0",
        "resource_estimates-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/sites/minesite/{licensed.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    licensed.refresh_from_db()
    assert licensed.assurance_currency == "EUR"


# --- imports -----------------------------------------------------------------------------------------

TENURE_CSV_HEADER = (
    "site_id,name,country,status,lon,lat,licence_type,licence_no,licence_holder,licence_granted,licence_expiry,"
    "responsible_party,responsible_kind,assurance_kind,assurance_amount,assurance_currency,assurance_holder,"
    "assurance_expiry\n"
)


def run_import(path) -> dict:
    out = io.StringIO()
    call_command("import_sites", str(path), "--source", "Tenure survey", stdout=out)
    text = out.getvalue()
    return json.loads(text[: text.rindex("}") + 1])


def test_import_reads_the_tenure_columns(tmp_path):
    path = tmp_path / "tenure.csv"
    path.write_text(
        TENURE_CSV_HEADER
        + "T1,Pit one,ID,active,117.1,-0.5,IUP-OP,540/1,PT Satu,2010-01-31,2030-01-31,PT Satu,operator,"
        'bank guarantee,"1,250,000.75",idr,Bank Mandiri,2031-06-30\n'
        + "T2,Pit two,ID,abandoned,115.0,-3.0,none,,,,,,none known (no liable owner),none,,,,\n",
        encoding="utf-8",
    )
    report = run_import(path)
    assert (report["created"], report["rejected"]) == (2, 0), report
    one, two = MineSite.objects.get(source_record_id="T1"), MineSite.objects.get(source_record_id="T2")
    assert (one.licence_type, one.licence_number, one.licence_holder) == ("production_licence", "540/1", "PT Satu")
    assert (one.licence_granted, one.licence_expiry) == (datetime.date(2010, 1, 31), datetime.date(2030, 1, 31))
    assert (one.assurance_kind, one.assurance_amount, one.assurance_currency) == (
        "bank_guarantee",
        Decimal("1250000.75"),
        "IDR",
    )
    assert (one.assurance_holder, one.assurance_expiry) == ("Bank Mandiri", datetime.date(2031, 6, 30))
    assert (two.licence_type, two.responsible_party_kind, two.assurance_kind) == ("none", "none_known", "none")


def test_a_reimport_without_tenure_columns_keeps_the_recorded_tenure(tmp_path):
    site = make_site(name="Kept", source_record_id="K1", data_source=DataSource.objects.create(name="Tenure survey"))
    MineSite.objects.filter(pk=site.pk).update(source_record_key="K1", licence_number="L-9")
    path = tmp_path / "plain.csv"
    path.write_text("site_id,name,country,status,lon,lat\nK1,Kept again,ID,active,117.1,-0.5\n", encoding="utf-8")
    assert run_import(path)["updated"] == 1
    site.refresh_from_db()
    assert (site.name, site.licence_number) == ("Kept again", "L-9")


@pytest.mark.parametrize(
    "values, reason",
    [
        ("IUP-OP,1,,2010-01-31,2030-01-31,,operator,bond,100,XYZ,,", "assurance_currency 'XYZ' is not an ISO 4217"),
        ("IUP-OP,1,,2010-31-01,2030-01-31,,operator,,,,,", "licence_granted '2010-31-01' is not a date"),
        ("IUP-OP,1,,31/01/2010,,,operator,,,,,", "licence_granted '31/01/2010' is not a date: write it as YYYY-MM-DD"),
        ("IUP-OP,1,,2010-01-31,2001-01-31,,operator,,,,,", "licence_expiry 2001-01-31 is before licence_granted"),
        ("charter,1,,,,,operator,,,,,", "licence_type 'charter' is not one we know"),
        ("IUP-OP,1,,,,,landlord,,,,,", "responsible_party_kind 'landlord' is not one we know"),
        ("IUP-OP,1,,,,,operator,bond,lots,IDR,,", "assurance_amount 'lots' is not an amount"),
        ("IUP-OP,1,,,,,operator,bond,100,,,", "assurance_amount without assurance_currency"),
    ],
)
def test_a_bad_tenure_value_gives_the_rows_reason_and_imports_nothing(tmp_path, values, reason):
    path = tmp_path / "bad.csv"
    path.write_text(TENURE_CSV_HEADER + f"B1,Bad pit,ID,active,117.1,-0.5,{values}\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_sites", str(path), stdout=out, stderr=err)
    assert reason in str(failure.value)
    assert not MineSite.objects.exists()


def test_a_bad_row_among_good_ones_is_listed_with_its_reason(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        TENURE_CSV_HEADER
        + "G1,Good pit,ID,active,117.1,-0.5,IUP-OP,1,,,,,operator,,,,,\n"
        + "B1,Bad pit,ID,active,117.2,-0.5,IUP-OP,2,,,,,operator,bond,100,XYZ,,\n",
        encoding="utf-8",
    )
    report = run_import(path)
    assert report["created"] == 1
    assert report["rejections"] == [
        {"row": 2, "reason": "assurance_currency 'XYZ' is not an ISO 4217 currency code the registry records"}
    ]
