"""Changes to published records wait for a reviewer of the country: who may propose, accept and send back."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from access import review_events
from access.models import Membership, ProposalState, ProposedChange, Role
from remediation.models import (
    Hazard,
    HazardStatus,
    Measurement,
    MeasureStage,
    MonitoringVisit,
    RemediationMeasure,
)
from sites.models import ResourceEstimate
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def make_user(username: str, *roles: tuple[str, str], **extra) -> User:
    user = User.objects.create_user(username, password="pw-not-secret", **extra)
    for country, role in roles:
        Membership.objects.create(user=user, country=country, role=role)
    return user


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def site():
    return make_site(name="Old pit", country="ID")


@pytest.fixture
def uploader():
    return make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))


@pytest.fixture
def reviewer():
    return make_user("reviewer-id", ("ID", Role.REVIEWER))


def rename_through_api(user, site, name="New pit"):
    return token_client(user).patch(f"/api/sites/{site.pk}/", {"properties": {"name": name}}, format="json")


def public_name(site) -> str:
    return APIClient().get(f"/api/sites/{site.pk}/").json()["properties"]["name"]


def test_an_uploaders_change_through_the_api_waits_and_everyone_keeps_seeing_the_published_value(
    client, site, uploader
):
    response = rename_through_api(uploader, site)
    assert response.status_code == 202, response.content
    assert "waits for review" in response.json()["detail"]
    site.refresh_from_db()
    assert site.name == "Old pit"
    assert public_name(site) == "Old pit"
    html = client.get(site.get_absolute_url()).content.decode()
    assert "New pit" not in html and "waits for review" not in html
    change = ProposedChange.objects.get()
    assert (change.values, change.author, change.state, change.country) == (
        {"name": "New pit"},
        uploader,
        ProposalState.PENDING,
        "ID",
    )


def test_an_uploaders_change_in_the_admin_page_waits_for_review(client, site):
    uploader = make_user("admin-uploader", ("ID", Role.SURVEY_UPLOADER), is_staff=True)
    uploader.user_permissions.add(*Permission.objects.filter(codename__in=["change_minesite", "view_minesite"]))
    client.force_login(uploader)
    response = client.post(
        f"/admin/sites/minesite/{site.pk}/change/",
        {
            "name": "New pit",
            "country": "ID",
            "status": "closed",
            "mine_type": "unknown",
            "commodities": "nickel",
            "location": "SRID=4326;POINT (121.5 -2.5)",
            "resource_estimates-TOTAL_FORMS": "0",
            "resource_estimates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    site.refresh_from_db()
    assert (site.name, site.status) == ("Old pit", "active")
    assert ProposedChange.objects.get().values == {"name": "New pit", "status": "closed"}
    html = client.get(site.get_absolute_url()).content.decode()
    assert "Your change waits for review" in html
    assert "Active" in html and "→ Closed" in html


def test_the_site_page_shows_the_waiting_change_to_its_reviewers_with_the_buttons(client, site, uploader, reviewer):
    rename_through_api(uploader, site)
    client.force_login(reviewer)
    html = client.get(site.get_absolute_url()).content.decode()
    assert "A change by uploader-id waits for review" in html
    assert "Old pit" in html and "→ New pit" in html
    assert 'name="csrfmiddlewaretoken"' in html and "Accept" in html and "Send back" in html


def test_a_reviewer_of_the_country_accepts_and_the_public_sees_the_new_value(client, site, uploader, reviewer):
    published = []

    def listen(sender, record, by, **kwargs):
        published.append((record, by))

    review_events.published.connect(listen)
    try:
        rename_through_api(uploader, site)
        change = ProposedChange.objects.get()
        client.force_login(reviewer)
        response = client.post(f"/review/changes/{change.pk}/accept/")
    finally:
        review_events.published.disconnect(listen)
    assert response.status_code == 302
    assert public_name(site) == "New pit"
    change.refresh_from_db()
    assert (change.state, change.decided_by) == (ProposalState.ACCEPTED, reviewer)
    latest = site.history.order_by("-history_date").first()
    assert (latest.name, latest.history_user, latest.is_published) == ("New pit", reviewer, True)
    assert published == [(site, reviewer)]
    html = client.get(site.get_absolute_url()).content.decode()
    assert "uploader-id, accepted by reviewer-id" in html


@pytest.mark.parametrize(("action", "data"), [("accept", {}), ("send-back", {"reason": "Wrong name"})])
def test_a_reviewer_of_another_country_cannot_decide(client, site, uploader, action, data):
    rename_through_api(uploader, site)
    change = ProposedChange.objects.get()
    client.force_login(make_user("reviewer-vn", ("VN", Role.REVIEWER)))
    assert client.post(f"/review/changes/{change.pk}/{action}/", data).status_code == 403
    change.refresh_from_db()
    assert change.state == ProposalState.PENDING
    assert public_name(site) == "Old pit"


@pytest.mark.parametrize("action", ["accept", "send-back"])
def test_the_author_cannot_decide_their_own_change(client, site, uploader, action):
    rename_through_api(uploader, site)
    change = ProposedChange.objects.get()
    client.force_login(uploader)
    assert client.post(f"/review/changes/{change.pk}/{action}/", {"reason": "Mine"}).status_code == 403
    change.refresh_from_db()
    assert change.state == ProposalState.PENDING


def test_the_anonymous_can_neither_propose_nor_decide(client, site, uploader):
    assert APIClient().patch(f"/api/sites/{site.pk}/", {"properties": {"name": "X"}}, format="json").status_code in (
        401,
        403,
    )
    rename_through_api(uploader, site)
    change = ProposedChange.objects.get()
    response = client.post(f"/review/changes/{change.pk}/accept/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.get("/review/changes/").status_code == 302
    change.refresh_from_db()
    assert change.state == ProposalState.PENDING and public_name(site) == "Old pit"


def test_sending_back_needs_a_reason_and_tells_the_author(client, site, uploader, reviewer):
    sent_back = []

    def listen(sender, record, by, reason, **kwargs):
        sent_back.append((record.pk, by, reason))

    rename_through_api(uploader, site)
    change = ProposedChange.objects.get()
    client.force_login(reviewer)
    response = client.post(f"/review/changes/{change.pk}/send-back/", {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the change goes back" in response.content.decode()
    change.refresh_from_db()
    assert change.state == ProposalState.PENDING

    review_events.sent_back.connect(listen)
    try:
        response = client.post(f"/review/changes/{change.pk}/send-back/", {"reason": "The source says Old pit."})
    finally:
        review_events.sent_back.disconnect(listen)
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.state, change.reason, change.decided_by) == (
        ProposalState.SENT_BACK,
        "The source says Old pit.",
        reviewer,
    )
    assert sent_back == [(change.pk, reviewer, "The source says Old pit.")]
    assert public_name(site) == "Old pit"


def test_a_second_author_is_refused_while_a_change_waits_and_the_first_author_updates_theirs(site, uploader):
    requested = []

    def listen(sender, record, by, **kwargs):
        requested.append(by)

    other = make_user("uploader-two", ("ID", Role.SURVEY_UPLOADER))
    review_events.review_requested.connect(listen)
    try:
        rename_through_api(uploader, site, "New pit")
        refused = rename_through_api(other, site, "Other pit")
        again = token_client(uploader).patch(
            f"/api/sites/{site.pk}/", {"properties": {"operator": "PT Contoh"}}, format="json"
        )
    finally:
        review_events.review_requested.disconnect(listen)
    assert refused.status_code == 400
    assert "uploader-id has proposed a change to this record that waits for review" in refused.content.decode()
    assert again.status_code == 202
    assert list(ProposedChange.objects.values_list("values", flat=True)) == [
        {"name": "New pit", "operator": "PT Contoh"}
    ]
    assert requested == [uploader, uploader]


def test_a_reviewers_own_edit_and_an_edit_of_a_draft_apply_at_once(site):
    both = make_user("uploader-reviewer", ("ID", Role.SURVEY_UPLOADER), ("ID", Role.REVIEWER))
    assert rename_through_api(both, site, "Reviewed pit").status_code == 200
    assert public_name(site) == "Reviewed pit"

    draft = make_site(name="Draft pit", country="ID", is_published=False)
    uploader = make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))
    assert rename_through_api(uploader, draft, "Renamed draft").status_code == 200
    draft.refresh_from_db()
    assert draft.name == "Renamed draft"
    assert not ProposedChange.objects.exists()


def test_an_officers_change_to_a_published_hazard_waits_and_keeps_it_published(client, site):
    officer = make_user("officer-id", ("ID", Role.ENVIRONMENTAL_OFFICER))
    hazard = Hazard.objects.create(
        site=site, hazard_type="open_shaft", priority=2, status=HazardStatus.UNADDRESSED, is_published=True
    )
    response = token_client(officer).patch(f"/api/hazards/{hazard.pk}/", {"status": "in_progress"}, format="json")
    assert response.status_code == 202, response.content
    hazard.refresh_from_db()
    assert (hazard.status, hazard.is_published) == (HazardStatus.UNADDRESSED, True)
    change = ProposedChange.objects.get()
    client.force_login(officer)
    html = client.get(site.get_absolute_url()).content.decode()
    assert "Your change waits for review" in html and "<td>Unaddressed</td><td>→ In progress</td>" in html
    client.force_login(make_user("reviewer-id", ("ID", Role.REVIEWER)))
    assert client.post(f"/review/changes/{change.pk}/accept/").status_code == 302
    hazard.refresh_from_db()
    assert (hazard.status, hazard.is_published) == ("in_progress", True)


def test_an_officers_change_to_a_published_measure_on_its_page_waits(client, site):
    officer = make_user("officer-id", ("ID", Role.ENVIRONMENTAL_OFFICER))
    measure = RemediationMeasure.objects.create(
        site=site, measure_type="shaft_capping", stage=MeasureStage.PLANNED, is_published=True
    )
    client.force_login(officer)
    form = client.get(f"/remediation/measures/{measure.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"stage": MeasureStage.DESIGN, "hazards": []})
    response = client.post(f"/remediation/measures/{measure.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    measure.refresh_from_db()
    assert (measure.stage, measure.is_published) == (MeasureStage.PLANNED, True)
    assert ProposedChange.objects.get().values == {"stage": "design"}


def test_the_review_list_shows_a_countrys_waiting_changes_to_its_reviewers_only(client, site, uploader, reviewer):
    rename_through_api(uploader, site)
    change = ProposedChange.objects.get()
    client.force_login(reviewer)
    html = client.get("/review/changes/").content.decode()
    assert f"/review/changes/{change.pk}/" in html and "uploader-id" in html
    client.force_login(make_user("reviewer-vn", ("VN", Role.REVIEWER)))
    assert f"/review/changes/{change.pk}/" not in client.get("/review/changes/").content.decode()
    assert client.get(f"/review/changes/{change.pk}/").status_code == 404


def test_a_second_authors_estimate_change_on_the_page_is_refused_with_the_reason(client, site, uploader):
    estimate = ResourceEstimate.objects.create(
        site=site,
        commodity="nickel",
        reporting_code="jorc",
        category="indicated",
        tonnage_mt=Decimal("12.5"),
        effective_date=datetime.date(2024, 6, 30),
        competent_person="A. Geologist",
        source_report="Statement 2024",
        is_published=True,
    )
    form = {
        "commodity": "nickel",
        "reporting_code": "jorc",
        "category": "indicated",
        "tonnage_mt": "13",
        "effective_date": "2024-06-30",
        "competent_person": "A. Geologist",
        "source_report": "Statement 2024",
    }
    client.force_login(uploader)
    assert client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/", form).status_code == 302
    client.force_login(make_user("uploader-two", ("ID", Role.SURVEY_UPLOADER)))
    response = client.post(f"/sites/{site.pk}/estimates/{estimate.pk}/", {**form, "tonnage_mt": "20"})
    assert response.status_code == 400
    assert "uploader-id has proposed a change to this record" in response.content.decode()
    estimate.refresh_from_db()
    assert estimate.tonnage_mt == Decimal("12.5")
    assert list(ProposedChange.objects.values_list("values", flat=True)) == [{"tonnage_mt": "13"}]


def test_an_officers_api_change_to_a_published_visit_waits_and_its_readings_stay(site):
    officer = make_user("officer-id", ("ID", Role.ENVIRONMENTAL_OFFICER))
    visit = MonitoringVisit.objects.create(
        site=site, visited_on=datetime.date(2025, 3, 1), officer=officer, is_published=True
    )
    Measurement.objects.create(visit=visit, parameter="ph", value=Decimal("3.1"), unit="pH")
    api = token_client(officer)
    readings = [{"parameter": "ph", "value": "3.1", "unit": "pH"}]
    held = api.patch(
        f"/api/visits/{visit.pk}/", {"observations": "Seepage stopped.", "measurements": readings}, format="json"
    )
    assert held.status_code == 202, held.content
    assert ProposedChange.objects.get().values == {"observations": "Seepage stopped."}

    changed_readings = [{"parameter": "ph", "value": "6.5", "unit": "pH"}]
    refused = api.patch(f"/api/visits/{visit.pk}/", {"measurements": changed_readings}, format="json")
    assert refused.status_code == 400
    assert "readings of a published visit are changed by a reviewer" in refused.content.decode()
    visit.refresh_from_db()
    assert visit.observations == "" and [m.value for m in visit.measurements.all()] == [Decimal("3.1")]
    assert api.patch(f"/api/visits/{visit.pk}/", {"next_visit_due": "2025-09-01"}, format="json").status_code == 202
    assert ProposedChange.objects.get().values == {"observations": "Seepage stopped.", "next_visit_due": "2025-09-01"}
    assert [m.value for m in visit.measurements.all()] == [Decimal("3.1")]
