"""The inventory import page: survey uploaders only, rows limited to their countries, the report shown."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from access.models import Membership, Role
from sites.models import MineSite

pytestmark = pytest.mark.django_db

INVENTORY = (
    "site_id,name,country,status,commodity,lon,lat\n"
    "PH-1,Toledo copper,Philippines,active,copper,123.65,10.38\n"
    "ID-1,Grasberg,ID,active,gold,137.11,-4.05\n"
)


def member(username, role, country):
    user = User.objects.create_user(username, password="pw")
    Membership.objects.create(user=user, role=role, country=country)
    return user


def post_inventory(client, text=INVENTORY, **fields):
    data = {"file": SimpleUploadedFile("mgb inventory.csv", text.encode()), "source": "MGB inventory"}
    data.update(fields)
    return client.post("/sites/import/", data)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = post_inventory(client)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not MineSite.objects.exists()


@pytest.mark.parametrize("role", [Role.ENVIRONMENTAL_OFFICER, Role.REVIEWER])
def test_only_survey_uploaders_may_import(client, role):
    client.force_login(member("someone", role, "PH"))
    assert client.get("/sites/import/").status_code == 403
    assert post_inventory(client).status_code == 403
    assert not MineSite.objects.exists()


def test_an_uploader_imports_rows_of_their_country_only(client):
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    response = post_inventory(client)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report["created"], report["rejected"]) == (1, 1)
    assert "you may import sites of PH only" in report["rejections"][0]["reason"]
    site = MineSite.objects.get()
    assert (site.name, site.country, site.is_published) == ("Toledo copper", "PH", False)
    assert site.history.get().history_user.username == "mgb"
    assert "1 site created" in response.content.decode()


def test_column_map_lines_are_checked(client):
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    response = post_inventory(client, column_map="colour=RED")
    assert response.status_code == 400
    assert "not a site field" in response.content.decode()


def test_a_file_with_nothing_importable_says_why_and_writes_nothing(client):
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    response = post_inventory(client, text="site_id,name,country,status,lon,lat\nX,Nowhere,Atlantis,active,1,1\n")
    assert response.status_code == 400
    assert "Atlantis" in response.context["error"]
    assert not MineSite.objects.exists()


def test_the_site_list_links_uploaders_to_the_import(client):
    assert "Import a site inventory" not in client.get("/sites/").content.decode()
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    assert "Import a site inventory" in client.get("/sites/").content.decode()
