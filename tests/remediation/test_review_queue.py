"""The review queue and the review actions on pages and API: who may use them, and what they change."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from access import review_events
from access.models import Decision, Membership, ReviewDecision, Role
from geodata.models import Layer
from remediation.review_queue import QUEUE_PAGE_SIZE
from sites.models import MineSite
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_visit
from tests.sites.test_resource_estimates import make_estimate

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "no_role", "uploader_id", "reviewer_ph", "reviewer_id", "staff"]


def member(username: str, role: str | None = None, country: str = "ID", **extra) -> User:
    user = User.objects.create_user(username, password="pw", **extra)
    if role:
        Membership.objects.create(user=user, role=role, country=country)
    return user


@pytest.fixture
def people(db):
    return {
        "anonymous": None,
        "no_role": member("no-role"),
        "uploader_id": member("uploader-id", Role.SURVEY_UPLOADER, "ID"),
        "reviewer_ph": member("reviewer-ph", Role.REVIEWER, "PH"),
        "reviewer_id": member("reviewer-id", Role.REVIEWER, "ID"),
        "staff": member("staff", is_staff=True),
    }


def client_for(people, who: str) -> Client:
    client = Client()
    if people[who] is not None:
        client.force_login(people[who])
    return client


@pytest.fixture
def draft_site(people):
    return make_site(name="Imported pit", country="ID", is_published=False, created_by=people["uploader_id"])


# --- the queue ---------------------------------------------------------------------------------

QUEUE_ANSWERS = {
    "anonymous": 302,
    "no_role": 403,
    "uploader_id": 403,
    "reviewer_ph": 200,
    "reviewer_id": 200,
    "staff": 200,
}


@pytest.mark.parametrize("who", PEOPLE)
def test_the_queue_is_for_reviewers_and_staff(people, draft_site, who):
    response = client_for(people, who).get("/review/")
    assert response.status_code == QUEUE_ANSWERS[who]
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")
    shows_the_draft = response.status_code == 200 and "Imported pit" in response.content.decode()
    assert shows_the_draft == (who in ("reviewer_id", "staff"))


def test_the_queue_lists_every_kind_of_draft_of_the_reviewers_countries_only(people):
    uploader = people["uploader_id"]
    site = make_site(name="Imported pit", country="ID", is_published=False, created_by=uploader)
    published_site = make_site(name="Old pit", country="ID")
    make_site(name="Toledo copper", country="PH", is_published=False)
    Layer.objects.create(title="Faults of Sulawesi", country="ID", status="ready", created_by=uploader)
    Layer.objects.create(title="Layer still importing", country="ID", status="processing")
    make_hazard(published_site, hazard_type="adit")
    make_measure(published_site)
    make_visit(published_site)
    make_hazard(make_site(name="Philippine pit", country="PH"), hazard_type="adit")

    client = client_for(people, "reviewer_id")
    response = client.get("/review/")
    counts = {entry.kind.name: entry.count for entry in response.context["counts"]}
    assert counts == {
        "sites": 1,
        "layers": 1,
        "estimates": 0,
        "hazards": 1,
        "measures": 1,
        "visits": 1,
        "evidence": 0,
    }
    page = response.content.decode()
    assert "Imported pit" in page and "uploader-id" in page and site.get_absolute_url() in page
    assert "Toledo copper" not in page and "Old pit" not in page
    layers = client.get("/review/?kind=layers").content.decode()
    assert "Faults of Sulawesi" in layers and "Layer still importing" not in layers
    assert client.get("/review/?country=PH").status_code == 403


def test_staff_read_the_queue_without_the_reviewers_controls(people, draft_site):
    staff_page = client_for(people, "staff").get("/review/").content.decode()
    assert "Imported pit" in staff_page and "Publish selected" not in staff_page
    assert "Publish selected" in client_for(people, "reviewer_id").get("/review/").content.decode()


def test_a_row_is_published_on_its_own_from_the_queue(people, draft_site):
    other = make_site(name="Second pit", country="ID", is_published=False)
    client = client_for(people, "reviewer_id")
    page = client.get("/review/").content.decode()
    assert f'formaction="/en/review/sites/{draft_site.pk}/publish/"' in page
    response = client.post(
        f"/review/sites/{draft_site.pk}/publish/", {"next": "/review/", "record": [f"sites:{other.pk}"]}
    )
    assert response.status_code == 302 and response.url == "/review/"
    assert list(MineSite.objects.filter(is_published=True)) == [draft_site]


def test_a_reviewer_of_several_countries_chooses_one(people):
    Membership.objects.create(user=people["reviewer_id"], role=Role.REVIEWER, country="PH")
    make_site(name="Imported pit", country="ID", is_published=False)
    make_site(name="Toledo copper", country="PH", is_published=False)
    client = client_for(people, "reviewer_id")
    both = client.get("/review/").content.decode()
    assert 'name="country"' in both and "Imported pit" in both and "Toledo copper" in both
    only_ph = client.get("/review/?country=PH").content.decode()
    assert "Toledo copper" in only_ph and "Imported pit" not in only_ph


def test_the_queue_is_read_a_page_at_a_time_oldest_first(people):
    for number in range(QUEUE_PAGE_SIZE + 1):
        make_site(name=f"Imported {number:03d}", country="ID", is_published=False)
    client = client_for(people, "reviewer_id")
    first = client.get("/review/?kind=sites")
    rows = [record.name for record, _url in first.context["rows"]]
    assert len(rows) == QUEUE_PAGE_SIZE and rows[0] == "Imported 000"
    second = client.get("/review/?kind=sites&page=2")
    assert [record.name for record, _url in second.context["rows"]] == [f"Imported {QUEUE_PAGE_SIZE:03d}"]


# --- publishing from the queue and the pages ------------------------------------------------------

ACTION_ANSWERS = {
    "anonymous": 302,
    "no_role": 403,
    "uploader_id": 403,
    "reviewer_ph": 403,
    "reviewer_id": 302,
    "staff": 403,
}


@pytest.mark.parametrize("who", PEOPLE)
def test_only_reviewers_of_the_country_publish_from_the_site_page(people, draft_site, who):
    response = client_for(people, who).post(f"/review/sites/{draft_site.pk}/publish/", {"action": "publish"})
    # No role and another country's reviewer do not even see the draft (404); the others see it but are refused.
    expected = 404 if who in ("no_role", "reviewer_ph") else ACTION_ANSWERS[who]
    assert response.status_code == expected
    draft_site.refresh_from_db()
    assert draft_site.is_published == (who == "reviewer_id")


def test_a_reviewer_withdraws_a_published_site(people):
    site = make_site(country="ID")
    client = client_for(people, "reviewer_id")
    response = client.post(
        f"/review/sites/{site.pk}/publish/", {"action": "unpublish", "next": site.get_absolute_url()}
    )
    assert response.status_code == 302 and response.url == site.get_absolute_url()
    site.refresh_from_db()
    assert site.is_published is False


def test_the_review_actions_need_post_and_csrf(people, draft_site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["reviewer_id"])
    assert client.get(f"/review/sites/{draft_site.pk}/publish/").status_code == 405
    assert client.post(f"/review/sites/{draft_site.pk}/publish/", {"action": "publish"}).status_code == 403
    assert client.post("/review/publish/", {"record": f"sites:{draft_site.pk}"}).status_code == 403
    draft_site.refresh_from_db()
    assert draft_site.is_published is False


def test_the_site_page_offers_review_to_reviewers_of_the_country_only(people, draft_site):
    url = draft_site.get_absolute_url()
    reviewer_page = client_for(people, "reviewer_id").get(url).content.decode()
    assert f"/review/sites/{draft_site.pk}/publish/" in reviewer_page
    assert f"/review/sites/{draft_site.pk}/send-back/" in reviewer_page
    uploader_page = client_for(people, "uploader_id").get(url).content.decode()
    assert "/review/sites/" not in uploader_page


def test_the_layer_page_offers_send_back_next_to_publish(people):
    layer = Layer.objects.create(title="Faults", country="ID", status="ready")
    page = client_for(people, "reviewer_id").get(f"/layers/{layer.pk}/").content.decode()
    assert f"/layers/{layer.pk}/publish/" in page and f"/review/layers/{layer.pk}/send-back/" in page


# --- bulk publish --------------------------------------------------------------------------------


def test_a_reviewer_publishes_the_selected_drafts_of_every_kind(people, draft_site):
    hazard = make_hazard(make_site(name="Published pit", country="ID"), hazard_type="adit")
    layer = Layer.objects.create(title="Faults", country="ID", status="ready")
    selection = [f"sites:{draft_site.pk}", f"hazards:{hazard.pk}", f"layers:{layer.pk}"]
    response = client_for(people, "reviewer_id").post("/review/publish/", {"record": selection})
    assert response.status_code == 302
    for record in (draft_site, hazard, layer):
        record.refresh_from_db()
        assert record.is_published


def test_a_draft_estimate_waits_in_the_queue_and_is_published_from_it(people):
    site = make_site(name="Nickel hill", country="ID")
    estimate = make_estimate(site, is_published=False)
    make_estimate(make_site(name="Philippine hill", country="PH"), is_published=False)
    client = client_for(people, "reviewer_id")
    response = client.get("/review/?kind=estimates")
    assert {entry.kind.name: entry.count for entry in response.context["counts"]}["estimates"] == 1
    assert f"{site.get_absolute_url()}#estimates" in response.content.decode()
    assert "Philippine hill" not in response.content.decode()
    anonymous_page = Client().get(site.get_absolute_url()).content.decode()
    assert "Annual Mineral Resources Statement 2024" not in anonymous_page
    client.post("/review/publish/", {"record": [f"estimates:{estimate.pk}"]})
    estimate.refresh_from_db()
    assert estimate.is_published
    assert "Annual Mineral Resources Statement 2024" in Client().get(site.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["reviewer_ph", "uploader_id", "staff", "no_role"])
def test_bulk_publish_is_refused_to_everyone_but_reviewers_of_the_country(people, draft_site, who):
    assert client_for(people, who).post("/review/publish/", {"record": f"sites:{draft_site.pk}"}).status_code == 403
    draft_site.refresh_from_db()
    assert draft_site.is_published is False


def test_bulk_publish_with_one_record_of_another_country_publishes_nothing(people, draft_site):
    foreign = make_site(name="Toledo copper", country="PH", is_published=False)
    selection = [f"sites:{draft_site.pk}", f"sites:{foreign.pk}"]
    response = client_for(people, "reviewer_id").post("/review/publish/", {"record": selection})
    assert response.status_code == 403
    assert not MineSite.objects.filter(is_published=True).exists()
    assert not ReviewDecision.objects.exists()


def test_bulk_publish_of_a_layer_not_imported_publishes_nothing_and_says_why(people, draft_site):
    layer = Layer.objects.create(title="Broken", country="ID", status="failed")
    client = client_for(people, "reviewer_id")
    response = client.post(
        "/review/publish/", {"record": [f"sites:{draft_site.pk}", f"layers:{layer.pk}"]}, follow=True
    )
    assert "Only a layer that imported successfully can be published." in response.content.decode()
    draft_site.refresh_from_db()
    assert draft_site.is_published is False


def test_bulk_publish_of_an_unknown_record_is_not_found(people):
    assert client_for(people, "reviewer_id").post("/review/publish/", {"record": "sites:999999"}).status_code == 404
    assert client_for(people, "reviewer_id").post("/review/publish/", {"record": "sitez:1"}).status_code == 404


# --- send back -----------------------------------------------------------------------------------

SEND_BACK_ANSWERS = {
    "anonymous": 302,
    "no_role": 404,
    "uploader_id": 403,
    "reviewer_ph": 404,
    "reviewer_id": 302,
    "staff": 403,
}


@pytest.mark.parametrize("who", PEOPLE)
def test_only_reviewers_of_the_country_send_back(people, draft_site, who):
    url = f"/review/sites/{draft_site.pk}/send-back/"
    response = client_for(people, who).post(url, {"reason": "The coordinates put it in the sea."})
    assert response.status_code == SEND_BACK_ANSWERS[who]
    assert ReviewDecision.objects.exists() == (who == "reviewer_id")
    draft_site.refresh_from_db()
    assert draft_site.is_published is False


def test_send_back_without_a_reason_is_a_form_error(people, draft_site):
    response = client_for(people, "reviewer_id").post(f"/review/sites/{draft_site.pk}/send-back/", {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the record goes back: its author reads the reason." in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_send_back_keeps_who_when_why_and_the_author_reads_it(people, draft_site):
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    review_events.sent_back.connect(receiver)
    try:
        response = client_for(people, "reviewer_id").post(
            f"/review/sites/{draft_site.pk}/send-back/",
            {"reason": "The coordinates put it in the sea.", "next": "/review/"},
        )
    finally:
        review_events.sent_back.disconnect(receiver)
    assert response.status_code == 302 and response.url == "/review/"
    decision = ReviewDecision.objects.get()
    assert (decision.decision, decision.by, decision.reason) == (
        Decision.SENT_BACK,
        people["reviewer_id"],
        "The coordinates put it in the sea.",
    )
    assert [(call["record"], call["by"], call["reason"]) for call in calls] == [
        (draft_site, people["reviewer_id"], "The coordinates put it in the sea.")
    ]
    page = client_for(people, "uploader_id").get(draft_site.get_absolute_url()).content.decode()
    assert "Sent back by reviewer-id" in page and "The coordinates put it in the sea." in page
    assert client_for(people, "anonymous").get(draft_site.get_absolute_url()).status_code == 404


def test_a_sent_back_hazard_shows_its_reason_on_the_site_page(people):
    officer = member("officer-id", Role.ENVIRONMENTAL_OFFICER, "ID")
    site = make_site(country="ID")
    hazard = make_hazard(site, hazard_type="adit")
    client_for(people, "reviewer_id").post(f"/review/hazards/{hazard.pk}/send-back/", {"reason": "Measure the adit."})
    client = Client()
    client.force_login(officer)
    assert "Measure the adit." in client.get(site.get_absolute_url()).content.decode()
    assert "Measure the adit." not in Client().get(site.get_absolute_url()).content.decode()


def test_a_sent_back_layer_shows_its_reason_on_its_page(people):
    layer = Layer.objects.create(title="Faults", country="ID", status="ready")
    client_for(people, "reviewer_id").post(f"/review/layers/{layer.pk}/send-back/", {"reason": "Wrong datum."})
    assert "Wrong datum." in client_for(people, "uploader_id").get(f"/layers/{layer.pk}/").content.decode()


def test_a_link_back_to_another_host_is_not_followed(people, draft_site):
    response = client_for(people, "reviewer_id").post(
        f"/review/sites/{draft_site.pk}/send-back/", {"reason": "Check it.", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == draft_site.get_absolute_url()


# --- dashboard and top bar ---------------------------------------------------------------------


def test_the_dashboard_counts_drafts_waiting_and_links_to_the_queue(people, draft_site):
    page = client_for(people, "reviewer_id").get("/remediation/dashboard/").content.decode()
    assert "Nothing awaits review" not in page
    assert 'href="/en/review/?kind=sites">Mine sites</a>: 1' in page


def test_the_dashboard_says_nothing_awaits_only_when_nothing_does(people):
    make_site(name="Toledo copper", country="PH", is_published=False)
    page = client_for(people, "reviewer_id").get("/remediation/dashboard/").content.decode()
    assert "Nothing awaits review" in page


@pytest.mark.parametrize("who", PEOPLE)
def test_the_top_bar_links_reviewers_and_staff_to_the_queue(people, who):
    page = client_for(people, who).get("/sites/").content.decode()
    assert ('href="/en/review/"' in page) == (who in ("reviewer_ph", "reviewer_id", "staff"))


# --- API ---------------------------------------------------------------------------------------

API_ANSWERS = {
    "anonymous": 401,
    "no_role": 404,
    "uploader_id": 403,
    "reviewer_ph": 404,
    "reviewer_id": 200,
    "staff": 403,
}


@pytest.mark.parametrize("who", PEOPLE)
def test_the_api_sends_a_site_back_through_the_same_rule(people, draft_site, who):
    response = client_for(people, who).post(
        f"/api/sites/{draft_site.pk}/send-back/", {"reason": "Check the name."}, content_type="application/json"
    )
    assert response.status_code == API_ANSWERS[who]
    assert ReviewDecision.objects.exists() == (who == "reviewer_id")
    if who == "reviewer_id":
        assert response.json()["reason"] == "Check the name." and response.json()["by"] == "reviewer-id"


def test_the_api_refuses_a_send_back_without_a_reason(people):
    hazard = make_hazard(make_site(country="ID"), hazard_type="adit")
    client = client_for(people, "reviewer_id")
    for body in ({}, {"reason": "   "}):
        response = client.post(f"/api/hazards/{hazard.pk}/send-back/", body, content_type="application/json")
        assert response.status_code == 400 and "reason" in response.json()["fields"]
    assert not ReviewDecision.objects.exists()
    response = client.post(
        f"/api/hazards/{hazard.pk}/send-back/", {"reason": "Measure it."}, content_type="application/json"
    )
    assert response.status_code == 200 and ReviewDecision.objects.get().record == hazard


def test_the_reason_stays_when_the_reviewer_has_left(people, draft_site):
    client_for(people, "reviewer_id").post(f"/review/sites/{draft_site.pk}/send-back/", {"reason": "Wrong province."})
    people["reviewer_id"].delete()
    page = client_for(people, "uploader_id").get(draft_site.get_absolute_url()).content.decode()
    assert "Sent back by a reviewer" in page and "Wrong province." in page


def test_ids_from_a_thousand_up_are_posted_without_separators(people):
    """Numbers are grouped for readers (1,234) but an id in a form must stay 1234."""
    site = make_site(id=12_345_678, name="Numbered pit", country="ID", is_published=False)
    client = client_for(people, "reviewer_id")
    assert 'value="sites:12345678"' in client.get("/review/").content.decode()
    client.post("/review/publish/", {"record": [f"sites:{site.pk}"]})
    site.refresh_from_db()
    assert site.is_published
