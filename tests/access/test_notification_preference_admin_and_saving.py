"""The preferences page offers the reports from the public; saving is safe twice at once; the admin only reads."""

import pytest
from django.contrib.auth.models import User

from access.models import NotificationPreference
from access.notifications import preference_of, save_preference

pytestmark = pytest.mark.django_db

URL = "/accounts/notifications/"


@pytest.fixture
def person():
    return User.objects.create_user("ana", password="pw", email="ana@example.org")


def test_the_page_offers_the_reports_from_the_public(client, person):
    client.force_login(person)
    page = client.get(URL).content.decode()
    assert 'name="public_reports"' in page and 'name="public_reports_digest"' in page
    client.post(URL, {"public_reports_digest": "on", "language": "en"})
    preference = NotificationPreference.objects.get(user=person)
    assert (preference.public_reports, preference.public_reports_digest) == (False, True)


def test_a_first_save_lands_on_the_row_another_request_created_meanwhile(client, person):
    read_before = preference_of(person)  # what the page read: no row yet
    assert read_before.pk is None
    NotificationPreference.objects.create(user=person, language="th")  # the other request's first save
    save_preference(person, {"published": False, "language": "vi"})
    preference = NotificationPreference.objects.get(user=person)
    assert (preference.published, preference.language) == (False, "vi")


def test_staff_read_the_preferences_in_the_admin_but_cannot_change_them(client, person):
    preference = NotificationPreference.objects.create(user=person)
    staff = User.objects.create_user("staff", password="pw", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/access/notificationpreference/").status_code == 200
    change_page = client.get(f"/admin/access/notificationpreference/{preference.pk}/change/")
    assert change_page.status_code == 200 and 'type="submit" value="Save"' not in change_page.content.decode()
    assert client.get("/admin/access/notificationpreference/add/").status_code == 403
