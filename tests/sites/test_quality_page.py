"""The data-quality page of a country: who sees it, what it lists, and who may dismiss a flag from it."""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from access.models import Country, Role
from sites.models import DismissedFlag, MineSite, QualityFlag
from sites.quality import flag_quality_issues
from tests.conftest import make_site
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

HALF_KM_IN_DEGREES = 0.5 / 110.6


@pytest.fixture
def pair():
    """Two published Indonesian records of one mine, half a kilometre apart, flagged as probable duplicates."""
    # Ids above a thousand: a form must post 9000001, never the reader's grouped "9,000,001".
    first = make_site(id=9_000_001, name="Tambang Lama", operator="PT Lama", location=Point(121.5, -2.5, srid=4326))
    second = make_site(id=9_000_002, name="tambang lama", location=Point(121.5, -2.5 + HALF_KM_IN_DEGREES, srid=4326))
    flag_quality_issues()
    return first, second


@pytest.fixture
def people(db):
    return {
        "nobody": User.objects.create_user("nobody", password="pw"),
        "uploader": make_member("uploader-id", Role.SURVEY_UPLOADER, "ID"),
        "foreign reviewer": make_member("reviewer-th", Role.REVIEWER, "TH"),
        "reviewer": make_member("reviewer-id", Role.REVIEWER, "ID"),
        "staff": User.objects.create_user("staff", password="pw", is_staff=True),
    }


def dismiss(client, site, reason="Two shafts of one mine, recorded on purpose"):
    return client.post(
        f"/quality/sites/{site.pk}/dismiss/", {"flag": QualityFlag.DUPLICATE_NAME_NEARBY, "reason": reason}
    )


def merge(client, survivor, removed):
    return client.post("/quality/merge/", {"survivor": survivor.pk, "removed": removed.pk})


def test_the_public_is_sent_to_sign_in(client, pair):
    response = client.get("/quality/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    first, second = pair
    assert dismiss(client, first).status_code == 302 and not DismissedFlag.objects.exists()
    assert merge(client, first, second).status_code == 302 and MineSite.objects.count() == 2


@pytest.mark.parametrize(
    ("person", "page_status", "may_resolve"),
    [
        ("nobody", 403, False),
        ("uploader", 200, False),
        ("foreign reviewer", 400, False),  # the page of Indonesia is not theirs to open
        ("reviewer", 200, True),
        ("staff", 200, True),
    ],
)
def test_who_sees_the_page_and_who_resolves_its_flags(client, pair, people, person, page_status, may_resolve):
    first, second = pair
    client.force_login(people[person])
    page = client.get("/quality/", {"country": "ID"})
    assert page.status_code == page_status
    if page_status == 200:
        assert "Tambang Lama" in page.content.decode()
        assert ("Keep #" in page.content.decode()) is may_resolve
    dismissed = dismiss(client, first)
    merged = merge(client, first, second)
    if may_resolve:
        assert dismissed.status_code == merged.status_code == 302
        assert DismissedFlag.objects.filter(site=first).exists()
        assert not MineSite.objects.filter(pk=second.pk).exists()
    else:
        assert dismissed.status_code == merged.status_code == 403
        assert not DismissedFlag.objects.exists()
        assert MineSite.objects.count() == 2
        first.refresh_from_db()
        assert first.quality_flags == [QualityFlag.DUPLICATE_NAME_NEARBY]


def test_a_foreign_reviewer_sees_only_their_own_country(client, pair, people):
    client.force_login(people["foreign reviewer"])
    page = client.get("/quality/")
    assert page.status_code == 200
    assert list(page.context["form"].fields["country"].choices) == [("TH", Country.THAILAND.label)]
    assert "Tambang Lama" not in page.content.decode()
    refused = client.get("/quality/", {"country": "ID"})
    assert "“ID” is not a country whose data quality you look after." in refused.content.decode()


def test_the_page_counts_and_lists_each_check_with_only_what_the_reader_may_see(client, people):
    make_site(name="Empty record", commodities=[])
    make_site(name="Empty draft", commodities=[], is_published=False, country=Country.PHILIPPINES)
    make_site(name="Philippine gap", commodities=[], country=Country.PHILIPPINES)
    flag_quality_issues()
    client.force_login(people["uploader"])
    page = client.get("/quality/", {"country": "PH"})
    assert page.status_code == 400  # the uploader works for Indonesia only
    page = client.get("/quality/", {"country": "ID"})
    sections = {section.flag: section for section in page.context["sections"]}
    assert sections[QualityFlag.MISSING_KEY_FIELDS].count == 1
    assert [site.name for site, _ in sections[QualityFlag.MISSING_KEY_FIELDS].rows] == ["Empty record"]
    assert sections[QualityFlag.NOT_UPDATED].count == 0
    client.force_login(make_member("uploader-ph", Role.SURVEY_UPLOADER, "PH"))
    page = client.get("/quality/", {"country": "PH"})
    (section,) = [each for each in page.context["sections"] if each.flag == QualityFlag.MISSING_KEY_FIELDS]
    listed = [site.name for site, _ in section.rows]
    assert listed == ["Empty draft", "Philippine gap"]  # its own country's draft too


def test_the_list_of_a_check_is_paginated(client, people, monkeypatch):
    from sites import flag_queries

    monkeypatch.setattr(flag_queries, "SITES_PER_SECTION", 2)
    for number in range(5):
        make_site(name=f"Gap {number}", commodities=[])
    flag_quality_issues()
    client.force_login(people["reviewer"])
    page = client.get("/quality/", {"country": "ID", "page_missing_key_fields": "3"})
    (section,) = [each for each in page.context["sections"] if each.flag == QualityFlag.MISSING_KEY_FIELDS]
    assert [site.name for site, _ in section.rows] == ["Gap 4"]
    assert "page_missing_key_fields=2" in section.previous_url and section.next_url == ""


def test_the_page_offers_each_probable_duplicate_for_merging(client, pair, people):
    first, second = pair
    client.force_login(people["reviewer"])
    page = client.get("/quality/", {"country": "ID"})
    (section,) = [each for each in page.context["sections"] if each.flag == QualityFlag.DUPLICATE_NAME_NEARBY]
    assert dict((site.pk, [partner.pk for partner in partners]) for site, partners in section.rows) == {
        first.pk: [second.pk],
        second.pk: [first.pk],
    }
    html = page.content.decode()
    assert f"Keep #{first.pk}, merge #{second.pk} into it" in html
    assert f'name="survivor" value="{first.pk}"' in html and f'name="removed" value="{second.pk}"' in html


def test_dismissing_without_a_reason_is_refused_with_a_message(client, pair, people):
    first, _second = pair
    client.force_login(people["reviewer"])
    response = dismiss(client, first, reason="  ")
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert "Give a reason" in followed.content.decode()
    assert not DismissedFlag.objects.exists()


def test_dismissing_a_flag_the_site_does_not_have_is_refused(client, pair, people):
    first, _second = pair
    client.force_login(people["reviewer"])
    response = client.post(
        f"/quality/sites/{first.pk}/dismiss/", {"flag": QualityFlag.OUTSIDE_LAND, "reason": "Not at sea"}, follow=True
    )
    assert "does not have this flag" in response.content.decode()
    assert not DismissedFlag.objects.exists()


def test_a_dismissed_flag_leaves_the_page(client, pair, people):
    first, second = pair
    client.force_login(people["reviewer"])
    dismiss(client, first)
    page = client.get("/quality/", {"country": "ID"})
    (section,) = [each for each in page.context["sections"] if each.flag == QualityFlag.DUPLICATE_NAME_NEARBY]
    assert [site.pk for site, _ in section.rows] == [second.pk]


@pytest.mark.parametrize(("person", "sees_link"), [("nobody", False), ("uploader", True), ("staff", True)])
def test_the_top_bar_links_the_page_for_those_it_concerns(client, people, person, sees_link):
    client.force_login(people[person])
    assert ('href="/en/quality/"' in client.get("/sites/").content.decode()) is sees_link


def test_the_public_top_bar_has_no_link(client):
    assert 'href="/en/quality/"' not in client.get("/sites/").content.decode()


def test_a_refused_page_is_a_form_error_not_a_crash(client, people):
    client.force_login(people["reviewer"])
    assert client.get("/quality/", {"country": "XX"}).status_code == 400
    response = client.post("/quality/merge/", {"survivor": "x", "removed": "-1"}, follow=True)
    assert response.status_code == 200 and "Enter a whole number." in response.content.decode()


def test_resolving_needs_the_csrf_token(pair, people):
    from django.test import Client

    first, second = pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["reviewer"])
    assert dismiss(client, first).status_code == 403
    assert merge(client, first, second).status_code == 403
    assert MineSite.objects.count() == 2 and not DismissedFlag.objects.exists()
