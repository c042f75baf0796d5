"""Sending a draft back with a reason, and publishing many drafts at once: the rules of the one service."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from access import review_events
from access.models import Decision, Membership, ReviewDecision, Role
from access.publishing import latest_send_back, latest_send_backs, publish, publish_all, send_back
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def member(username: str, role: str, country: str) -> User:
    user = User.objects.create_user(username, password="pw")
    Membership.objects.create(user=user, role=role, country=country)
    return user


@pytest.fixture
def reviewer():
    return member("reviewer-id", Role.REVIEWER, "ID")


@pytest.fixture
def draft():
    return make_site(name="Imported pit", country="ID", is_published=False)


@pytest.fixture
def sent_back_calls():
    """Every sent_back signal while the test runs, as a receiver in the notifications would get it."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    review_events.sent_back.connect(receiver)
    yield calls
    review_events.sent_back.disconnect(receiver)


def test_a_reviewer_sends_a_draft_back_with_the_reason_kept_and_announced(reviewer, draft, sent_back_calls):
    decision = send_back(draft, by=reviewer, reason="  The coordinates put it in the sea.  ")

    draft.refresh_from_db()
    assert draft.is_published is False
    stored = ReviewDecision.objects.get()
    assert (stored.decision, stored.reason, stored.by, stored.record) == (
        Decision.SENT_BACK,
        "The coordinates put it in the sea.",
        reviewer,
        draft,
    )
    assert stored.at is not None and stored == decision
    assert sent_back_calls == [
        {"signal": review_events.sent_back, "record": draft, "by": reviewer, "reason": stored.reason}
    ]
    assert latest_send_back(draft) == stored


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_sending_back_needs_a_reason(reviewer, draft, sent_back_calls, reason):
    with pytest.raises(ValidationError) as refusal:
        send_back(draft, by=reviewer, reason=reason)
    assert "reason" in refusal.value.message_dict
    assert not ReviewDecision.objects.exists() and sent_back_calls == []


@pytest.mark.parametrize(
    ("role", "country"),
    [(Role.REVIEWER, "PH"), (Role.SURVEY_UPLOADER, "ID"), (Role.ENVIRONMENTAL_OFFICER, "ID")],
)
def test_only_reviewers_of_the_records_country_send_it_back(draft, sent_back_calls, role, country):
    with pytest.raises(PermissionDenied):
        send_back(draft, by=member("someone", role, country), reason="Check the name.")
    assert not ReviewDecision.objects.exists() and sent_back_calls == []


def test_a_published_record_is_withdrawn_not_sent_back(reviewer):
    site = make_site(country="ID", is_published=True)
    with pytest.raises(ValidationError, match="Only a draft"):
        send_back(site, by=reviewer, reason="Wrong place.")
    assert not ReviewDecision.objects.exists()


def test_the_reason_is_no_longer_shown_once_the_record_is_published(reviewer, draft):
    send_back(draft, by=reviewer, reason="Add the commodity.")
    publish(draft, by=reviewer)
    publish(draft, by=reviewer, published=False)
    assert latest_send_back(draft) is None
    assert list(ReviewDecision.objects.order_by("at", "id").values_list("decision", flat=True)) == [
        Decision.SENT_BACK,
        Decision.PUBLISHED,
        Decision.WITHDRAWN,
    ]


def test_the_reasons_of_many_drafts_are_read_together(reviewer, draft):
    other = make_site(name="Other pit", country="ID", is_published=False)
    send_back(draft, by=reviewer, reason="First reason.")
    send_back(draft, by=reviewer, reason="Second reason.")
    decisions = latest_send_backs([draft, other])
    assert list(decisions) == [draft] and decisions[draft].reason == "Second reason."


def test_publishing_many_is_all_or_nothing(reviewer, draft):
    foreign = make_site(name="Toledo", country="PH", is_published=False)
    with pytest.raises(PermissionDenied):
        publish_all([draft, foreign], by=reviewer)
    draft.refresh_from_db()
    foreign.refresh_from_db()
    assert (draft.is_published, foreign.is_published) == (False, False)
    assert not ReviewDecision.objects.exists()

    publish_all([draft, make_site(name="Second", country="ID", is_published=False)], by=reviewer)
    draft.refresh_from_db()
    assert draft.is_published and ReviewDecision.objects.filter(decision=Decision.PUBLISHED).count() == 2
