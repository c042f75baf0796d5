"""The notifications page: signed-in people choose their own e-mails and language, nobody else's."""

import pytest
from django.contrib.auth.models import User

from access.models import NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/accounts/notifications/"


@pytest.fixture
def person():
    return User.objects.create_user("ana", password="pw", email="ana@example.org")


@pytest.fixture
def other_person():
    return User.objects.create_user("ben", password="pw", email="ben@example.org")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(URL), client.post(URL, {"language": "en"})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not NotificationPreference.objects.exists()


def test_everything_is_on_until_a_person_chooses(client, person):
    client.force_login(person)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert all(form[name].value() for name in ("review_requested", "published", "sent_back", "monitoring_digest"))
    assert form["language"].value() == "en"
    assert 'href="/en/accounts/notifications/"' in response.content.decode()  # the top bar links here


def test_posting_saves_the_choices(client, person):
    client.force_login(person)
    response = client.post(URL, {"published": "on", "monitoring_digest": "on", "language": "id"})
    assert response.status_code == 302 and response["Location"] == "/en" + URL
    preference = NotificationPreference.objects.get(user=person)
    assert (preference.review_requested, preference.published, preference.sent_back) == (False, True, False)
    assert (preference.monitoring_digest, preference.language) == (True, "id")
    assert "were saved" in client.get(URL).content.decode()


def test_a_person_changes_only_their_own(client, person, other_person):
    theirs = NotificationPreference.objects.create(user=other_person, published=True, language="th")
    client.force_login(person)
    response = client.post(URL, {"user": other_person.pk, "language": "vi"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.published, theirs.language) == (True, "th")
    assert NotificationPreference.objects.get(user=person).language == "vi"


def test_an_unknown_language_is_refused_and_nothing_saved(client, person):
    client.force_login(person)
    response = client.post(URL, {"published": "on", "language": "klingon"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_page_only_answers_get_and_post(client, person):
    client.force_login(person)
    assert client.put(URL).status_code == 405
