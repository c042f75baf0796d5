"""E-mails on review events: the right people, the record named and linked, their switches and language obeyed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from access import review_events
from access.models import NotificationPreference, Role
from access.publishing import publish
from remediation.models import RemediationMeasure
from tests.conftest import make_site
from tests.geodata.conftest import UPLOADS
from tests.remediation.conftest import make_hazard, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://registry.example.org"


@pytest.fixture
def uploader():
    return make_member("uploader-id", Role.SURVEY_UPLOADER, "ID", first_name="Budi")


@pytest.fixture
def draft_site(uploader):
    return make_site(name="Sangihe pit", country="ID", is_published=False, created_by=uploader)


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_publishing_a_draft_site_mails_its_author_not_the_reviewer(
    draft_site, uploader, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft_site, by=reviewer)
    assert recipients(mailoutbox) == [uploader.email]
    message = mailoutbox[0]
    assert "Sangihe pit" in message.subject
    assert "Sangihe pit" in message.body
    assert f"https://registry.example.org/en/sites/{draft_site.pk}/" in message.body
    assert "reviewer-id" in message.body  # who published it


def test_nothing_is_mailed_before_the_publication_commits(draft_site, reviewer, mailoutbox):
    publish(draft_site, by=reviewer)  # the test's transaction never commits
    assert mailoutbox == []


def test_publishing_a_hazard_on_its_page_mails_the_officer_who_recorded_it(
    client, officer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    site = make_site(name="Tambang emas", country="ID")
    hazard = make_hazard(site, created_by=officer)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/remediation/hazards/{hazard.pk}/publish/", {"action": "publish"})
    assert response.status_code == 302
    assert recipients(mailoutbox) == [officer.email]
    assert "Tambang emas" in mailoutbox[0].body and "Hello Siti Rahayu" in mailoutbox[0].body


def test_withdrawing_mails_no_one(draft_site, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    draft_site.is_published = True
    draft_site.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft_site, by=reviewer, published=False)
    assert mailoutbox == []


def test_a_reviewer_publishing_their_own_record_gets_no_mail(reviewer, mailoutbox, django_capture_on_commit_callbacks):
    site = make_site(country="ID", is_published=False, created_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        publish(site, by=reviewer)
    assert mailoutbox == []


def test_sending_back_mails_the_author_with_the_reason(
    draft_site, uploader, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_events.sent_back.send(
            sender=type(draft_site), record=draft_site, by=reviewer, reason="The location is 40 km off shore."
        )
    assert recipients(mailoutbox) == [uploader.email]
    assert "The location is 40 km off shore." in mailoutbox[0].body
    assert "Sangihe pit" in mailoutbox[0].subject
    assert f"https://registry.example.org/en/sites/{draft_site.pk}/" in mailoutbox[0].body


def test_a_new_measure_mails_the_reviewers_of_its_country_only(
    client, officer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    make_member("reviewer-ph", Role.REVIEWER, "PH")
    make_member("other-officer-id", Role.ENVIRONMENTAL_OFFICER, "ID")
    site = make_site(name="Pongkor", country="ID")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/remediation/sites/{site.pk}/measures/new/", {"measure_type": "revegetation", "stage": "planned"}
        )
    assert response.status_code == 302 and RemediationMeasure.objects.exists()
    assert recipients(mailoutbox) == [reviewer.email]
    assert "Pongkor" in mailoutbox[0].body and "Siti Rahayu" in mailoutbox[0].body
    assert f"https://registry.example.org/en/sites/{site.pk}/" in mailoutbox[0].body


def test_a_change_to_a_draft_asks_no_new_review(officer, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    from remediation.services import save_record

    hazard = make_hazard(make_site(country="ID"), created_by=officer, priority=1)
    hazard.priority = 2
    with django_capture_on_commit_callbacks(execute=True):
        save_record(hazard, by=officer)
    hazard.refresh_from_db()
    assert hazard.priority == 2
    assert mailoutbox == []


def test_a_reviewer_who_records_a_draft_is_not_asked_to_review_it(mailoutbox, django_capture_on_commit_callbacks):
    from remediation.services import save_record

    reviewing_officer = make_member("both-id", Role.ENVIRONMENTAL_OFFICER, "ID")
    reviewing_officer.memberships.create(role=Role.REVIEWER, country="ID")
    make_member("reviewer-two-id", Role.REVIEWER, "ID")
    site = make_site(country="ID")
    with django_capture_on_commit_callbacks(execute=True):
        save_record(RemediationMeasure(site=site, measure_type="revegetation", stage="planned"), by=reviewing_officer)
    assert mailoutbox == []


def test_a_finished_inventory_import_mails_the_reviewers_once(client, mailoutbox, django_capture_on_commit_callbacks):
    reviewer_ph = make_member("reviewer-ph", Role.REVIEWER, "PH")
    make_member("reviewer-id", Role.REVIEWER, "ID")
    client.force_login(make_member("mgb", Role.SURVEY_UPLOADER, "PH"))
    inventory = (
        "site_id,name,country,status,commodity,lon,lat\n"
        "PH-1,Toledo copper,PH,active,copper,123.65,10.38\n"
        "PH-2,Didipio,PH,active,gold,121.46,16.33\n"
    )
    upload = SimpleUploadedFile("mgb.csv", inventory.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sites/import/", {"file": upload, "source": "MGB inventory"})
    assert response.status_code == 302
    assert recipients(mailoutbox) == [reviewer_ph.email]
    assert "mgb.csv" in mailoutbox[0].subject
    assert "https://registry.example.org/en/sites/?country=PH" in mailoutbox[0].body


def test_a_finished_layer_import_mails_the_reviewers(
    client, reviewer, settings, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_member("dmr-uploader", Role.SURVEY_UPLOADER, "ID"))
    data = {"title": "Stations", "country": "ID", "theme": "mineral_occurrences", "license": "CC BY 4.0"}
    data["file"] = SimpleUploadedFile("stations.gpkg", (UPLOADS / "geonode_invalid_layer_name.gpkg").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/layers/upload/", data)
    assert response.status_code == 302
    assert recipients(mailoutbox) == [reviewer.email]
    assert "Stations" in mailoutbox[0].subject
    assert "https://registry.example.org" + response["Location"] in mailoutbox[0].body


@pytest.mark.parametrize(
    "switched_off, event",
    [("published", "published"), ("sent_back", "sent_back"), ("review_requested", "review_requested")],
)
def test_a_person_who_switched_a_notification_off_gets_none(
    draft_site, uploader, reviewer, switched_off, event, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=uploader, **{switched_off: False})
    NotificationPreference.objects.create(user=reviewer, **{switched_off: False})
    signal = getattr(review_events, event)
    by = uploader if event == "review_requested" else reviewer
    with django_capture_on_commit_callbacks(execute=True):
        signal.send(sender=type(draft_site), record=draft_site, by=by, reason="Wrong country.")
    assert mailoutbox == []


def test_the_mail_is_written_in_the_recipients_language(
    draft_site, uploader, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=uploader, language="id")
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft_site, by=reviewer)
        review_events.sent_back.send(sender=type(draft_site), record=draft_site, by=reviewer, reason="…")
    assert [message.extra_headers["Content-Language"] for message in mailoutbox] == ["id", "id"]
    assert "Content-Language: id" in mailoutbox[0].message().as_string()


def test_without_a_preference_the_mail_is_in_the_registrys_language(
    draft_site, reviewer, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft_site, by=reviewer)
    assert mailoutbox[0].extra_headers["Content-Language"] == settings.LANGUAGE_CODE


def test_people_without_an_address_or_account_get_nothing(
    draft_site, uploader, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    uploader.is_active = False
    uploader.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft_site, by=reviewer)
    assert mailoutbox == []
