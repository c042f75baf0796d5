"""The inventory import page: survey uploaders only, rows limited to their countries, the report shown."""

import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from access.models import Membership, Role
from sites.models import InventoryImport, InventoryImportStatus, MineSite

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


def post_inventory(client, text=INVENTORY, follow=True, **fields):
    """Upload an inventory; the import runs as a task (in-process in the tests) and its page shows the outcome."""
    data = {"file": SimpleUploadedFile("mgb inventory.csv", text.encode()), "source": "MGB inventory"}
    data.update(fields)
    return client.post("/sites/import/", data, follow=follow)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = post_inventory(client, follow=False)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not MineSite.objects.exists()


@pytest.mark.parametrize("role", [Role.ENVIRONMENTAL_OFFICER, Role.REVIEWER])
def test_only_survey_uploaders_may_import(client, role):
    client.force_login(member("someone", role, "PH"))
    assert client.get("/sites/import/").status_code == 403
    assert post_inventory(client, follow=False).status_code == 403
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
    inventory_import = response.context["inventory_import"]
    assert inventory_import.status == InventoryImportStatus.FAILED
    assert "Atlantis" in inventory_import.error and "Atlantis" in response.content.decode()
    assert not MineSite.objects.exists()


def test_the_site_list_links_uploaders_to_the_import(client):
    assert "Import a site inventory" not in client.get("/sites/").content.decode()
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    assert "Import a site inventory" in client.get("/sites/").content.decode()


def zipped_inventory(*, damaged: bool) -> bytes:
    """A real zip of the inventory; damaged, its CRC says otherwise than its content (a lying header)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inventory.csv", INVENTORY)
    data = bytearray(buffer.getvalue())
    if damaged:
        for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):  # the CRC in both headers
            data[data.find(signature) + offset] ^= 0xFF
    return bytes(data)


def test_a_damaged_zip_fails_its_import_with_the_reason_not_a_server_error(client):
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    upload = SimpleUploadedFile("inventory.zip", zipped_inventory(damaged=True))
    response = client.post("/sites/import/", {"file": upload}, follow=True)
    assert response.status_code == 200
    inventory_import = response.context["inventory_import"]
    assert inventory_import.status == InventoryImportStatus.FAILED
    assert "inventory.zip is damaged (Bad CRC-32" in inventory_import.error
    assert not MineSite.objects.exists()


def test_a_file_over_the_limit_is_refused_while_it_is_received(client, settings):
    settings.INVENTORY_UPLOAD_MAX_MB = 1
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    big = INVENTORY + "".join(f"PH-{n},Pit {n},PH,active,copper,123.65,10.38\n" for n in range(40_000))
    assert len(big) > 1024 * 1024
    response = post_inventory(client, text=big, follow=False)
    assert response.status_code == 413
    assert "larger than the 1 MB a site inventory may be; nothing was stored" in response.content.decode()
    assert not InventoryImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_the_background_and_its_page_shows_the_report(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ingest"]}}
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    response = post_inventory(client, follow=False)
    inventory_import = InventoryImport.objects.get()
    assert response.url == f"/en/sites/import/{inventory_import.pk}/"
    page = client.get(response.url)
    assert inventory_import.status == InventoryImportStatus.QUEUED and not MineSite.objects.exists()
    assert '<meta http-equiv="refresh"' in page.content.decode()

    call_command("db_worker", "--batch", "--queue-name", "*")  # what the worker does, once

    inventory_import.refresh_from_db()
    assert inventory_import.status == InventoryImportStatus.DONE and inventory_import.report["created"] == 1
    assert not inventory_import.upload  # the stored file is gone once imported
    page = client.get(response.url).content.decode()
    assert "1 site created" in page and 'http-equiv="refresh"' not in page


def test_an_import_page_is_its_uploaders_only_and_read_only(client):
    uploader = member("mgb", Role.SURVEY_UPLOADER, "PH")
    client.force_login(uploader)
    url = post_inventory(client, follow=False).url
    assert client.post(url).status_code == 405
    client.force_login(member("other", Role.SURVEY_UPLOADER, "PH"))
    assert client.get(url).status_code == 404


def test_an_inventory_kept_in_another_storage_than_a_disk_imports_too(client, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    client.force_login(member("mgb", Role.SURVEY_UPLOADER, "PH"))
    response = post_inventory(client)
    assert response.context["inventory_import"].report["created"] == 1
