"""A site's names in the registry's languages: searched by any part of any of them, shown in the reader's language,
edited in the admin and imported from name_<code> columns."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from access.models import Membership, Role
from sites.models import MineSite
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

THAI = "เหมืองแร่ดีบุกดอยงาม"  # "Doi Ngam tin mine": no spaces between the words
KHMER = "អណ្តូងរ៉ែមាសភ្នំដេក"  # "Phnom Dek gold mine"


@pytest.fixture
def named_sites():
    return {
        "thai": make_site(name="Doi Ngam Tin Mine", country="TH", local_names={"th": THAI}),
        "khmer": make_site(name="Phnom Dek Gold", country="KH", local_names={"km": KHMER, "en": "Phnom Dek Gold"}),
        "other": make_site(name="Unrelated Pit"),
    }


def listed_names(response) -> list[str]:
    return [site.name for site in response.context["page"].sites]


@pytest.mark.parametrize(("key", "middle"), [("thai", "ดีบุกดอย"), ("khmer", "មាសភ្នំ")])
def test_the_list_finds_a_site_by_a_part_from_the_middle_of_its_local_name(client, named_sites, key, middle):
    response = client.get("/sites/", {"q": middle})
    assert response.status_code == 200
    assert listed_names(response) == [named_sites[key].name]


def test_the_search_still_finds_main_names_and_nothing_else(client, named_sites):
    assert listed_names(client.get("/sites/", {"q": "ngam tin"})) == ["Doi Ngam Tin Mine"]
    assert listed_names(client.get("/sites/", {"q": "ดีบุกทองคำ"})) == []


def test_the_search_of_local_names_can_use_its_trigram_index(named_sites):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM sites_minesite WHERE UPPER(registry_local_names_text(local_names)::text) "
            "LIKE UPPER(%s)",
            ["%ดีบุกดอย%"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "site_local_names_search" in plan


def test_a_page_in_the_sites_language_shows_that_name_first_then_the_main_name(client, named_sites):
    site = named_sites["thai"]
    thai = client.get(f"/th/sites/{site.pk}/").content.decode()
    assert f"<h1>{THAI} (Doi Ngam Tin Mine)" in thai
    assert f"<title>{THAI} (Doi Ngam Tin Mine)" in thai
    english = client.get(f"/en/sites/{site.pk}/").content.decode()
    assert "<h1>Doi Ngam Tin Mine " in english and THAI not in english
    assert f"{THAI} (Doi Ngam Tin Mine)" in client.get("/th/sites/").content.decode()
    assert client.get(f"/th/sites/{site.pk}.json").json()["display_name"] == f"{THAI} (Doi Ngam Tin Mine)"


def test_a_local_name_equal_to_the_main_name_is_not_shown_twice(client, named_sites):
    html = client.get(f"/en/sites/{named_sites['khmer'].pk}/").content.decode()
    assert "<h1>Phnom Dek Gold " in html and "Phnom Dek Gold (Phnom Dek Gold)" not in html


@pytest.mark.parametrize(
    "names",
    [{"xx": "Somewhere"}, {"th": "   "}, {"th": "x" * 256}, {"th": 3}, ["th", THAI]],
)
def test_local_names_must_be_names_in_the_registrys_languages(names):
    site = MineSite(name="Checked", country="TH", status="active", location="POINT(100 15)", local_names=names)
    with pytest.raises(ValidationError) as refused:
        site.full_clean()
    assert "local_names" in refused.value.message_dict


def test_an_uploader_edits_the_local_names_in_the_admin_with_history(client, named_sites):
    site = named_sites["thai"]
    MineSite.objects.filter(pk=site.pk).update(is_published=False)  # a draft: a published site's edit waits for review
    uploader = User.objects.create_user("uploader", password="pw", is_staff=True)
    Membership.objects.create(user=uploader, role=Role.SURVEY_UPLOADER, country="TH")
    uploader.user_permissions.add(*Permission.objects.filter(codename__in=["change_minesite", "view_minesite"]))
    client.force_login(uploader)
    form = client.get(f"/admin/sites/minesite/{site.pk}/change/").content.decode()
    assert f'name="name_th" value="{THAI}"' in form and 'name="name_lo"' in form
    response = client.post(
        f"/admin/sites/minesite/{site.pk}/change/",
        {
            "name": site.name,
            "country": "TH",
            "status": "active",
            "mine_type": "unknown",
            "location": '{"type": "Point", "coordinates": [11131949, 1689200]}',  # the widget's Web Mercator metres
            "name_th": "",
            "name_lo": " ບໍ່ແຮ່ດອຍງາມ ",
            "resource_estimates-TOTAL_FORMS": "0",
            "resource_estimates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    site.refresh_from_db()
    assert site.local_names == {"lo": "ບໍ່ແຮ່ດອຍງາມ"}
    assert site.history.first().history_user == uploader and site.history.first().local_names == {"lo": "ບໍ່ແຮ່ດອຍງາມ"}


def test_import_sites_reads_name_columns_per_language(tmp_path):
    inventory = tmp_path / "inventory.csv"
    inventory.write_text(
        "site_id,name,name_th,name_km,country,status,lon,lat\n"
        f"T1,Doi Ngam Tin Mine,{THAI},,TH,abandoned,99.5,18.5\n"
        f"K1,Phnom Dek Gold,,{KHMER},KH,active,104.9,13.2\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_sites", str(inventory), "--source", "Names test", "--publish", stdout=out)
    report = json.loads(out.getvalue()[: out.getvalue().rindex("}") + 1])
    assert report["created"] == 2 and report["columns"]["name_th"] == "name_th"
    assert MineSite.objects.get(source_record_id="T1").local_names == {"th": THAI}
    assert MineSite.objects.get(source_record_id="K1").local_names == {"km": KHMER}


def test_a_later_inventory_without_name_columns_keeps_the_local_names(tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(f"site_id,name,name_th,country,status,lon,lat\nT1,Doi Ngam,{THAI},TH,active,99.5,18.5\n")
    call_command("import_sites", str(first), "--source", "Names test", stdout=StringIO())
    again = tmp_path / "again.csv"
    again.write_text("site_id,name,country,status,lon,lat\nT1,Doi Ngam,TH,closed,99.5,18.5\n")
    call_command("import_sites", str(again), "--source", "Names test", stdout=StringIO())
    site = MineSite.objects.get(source_record_id="T1")
    assert (site.status, site.local_names) == ("closed", {"th": THAI})
