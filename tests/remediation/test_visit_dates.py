"""A monitoring visit cannot be dated in the future: the page, the model and the API refuse it alike."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from remediation.models import MonitoringVisit
from remediation.models.visits import latest_visit_date
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31"


@pytest.fixture
def site():
    return make_site(name="Visited mine")


def test_the_visit_page_refuses_a_date_in_the_future(client, site, officer):
    client.force_login(officer)
    data = {"visited_on": FAR_FUTURE, "readings-TOTAL_FORMS": "0", "readings-INITIAL_FORMS": "0"}
    response = client.post(f"/remediation/sites/{site.pk}/visits/new/", data)
    assert response.status_code == 400
    assert "A visit cannot be in the future" in response.content.decode()
    assert not MonitoringVisit.objects.exists()


def test_the_model_refuses_tomorrow_but_takes_today(site):
    tomorrow = MonitoringVisit(site=site, visited_on=latest_visit_date() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        tomorrow.full_clean()
    assert "visited_on" in refused.value.message_dict
    MonitoringVisit(site=site, visited_on=datetime.date.today()).full_clean()  # today anywhere is fine


def test_the_api_refuses_a_date_in_the_future(site, officer):
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post("/api/visits/", {"site": site.pk, "visited_on": FAR_FUTURE}, format="json")
    assert response.status_code == 400, response.content
    assert "future" in response.content.decode()
    assert not MonitoringVisit.objects.exists()
