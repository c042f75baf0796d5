"""Write paths for sites and their resource estimates: survey uploaders of the country record, reviewers publish."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from access import proposals, review_events
from access.roles import may_upload_survey
from access.visibility import may_publish
from sites.admin_areas import settle_admin_area
from sites.models import MineSite, ResourceEstimate


def ensure_may_edit_site(user, country: str) -> None:
    if not may_upload_survey(user, country):
        raise PermissionDenied(
            gettext("Only survey uploaders of this country may record or change its sites or estimates.")
        )


@transaction.atomic
def create_site(*, by, data: dict) -> MineSite:
    """Record a new site as a draft; publishing is a reviewer's separate decision."""
    ensure_may_edit_site(by, data.get("country", ""))
    site = MineSite(**{**data, "is_published": False, "created_by": by})
    site.full_clean()
    settle_admin_area(site, typed=bool(data.get("admin_area")))
    site._history_user = by
    site.save()
    review_events.review_requested.send(sender=MineSite, record=site, by=by)
    return site


@transaction.atomic
def update_site(*, site: MineSite, by, data: dict) -> MineSite:
    """Change a site; moving it to another country needs the role there too. Tenure fields are site fields.

    A published site changed by someone who does not review its country keeps its published values:
    the change is held for review (access.proposals) and the returned site carries it as `held_change`.
    """
    ensure_may_edit_site(by, site.country)
    ensure_may_edit_site(by, data.get("country", site.country))
    typed = "admin_area" in data and data["admin_area"] != site.admin_area
    for field, value in data.items():
        setattr(site, field, value)
    site.full_clean()
    settle_admin_area(site, typed=typed)
    if proposals.needs_review(site, by):
        site.held_change = proposals.hold(site, by=by)
        return site
    site._history_user = by
    site.save()
    return site


@transaction.atomic
def save_estimate(*, estimate: ResourceEstimate, by) -> ResourceEstimate:
    """Create or update an estimate (already validated by its form); history records who.

    A new estimate is a draft unless a reviewer of the country records it; a change to a published
    one by anyone else is held for review, as for sites (`held_change` on the returned estimate).
    """
    ensure_may_edit_site(by, estimate.site.country)
    is_new = estimate.pk is None
    if is_new:
        estimate.is_published = may_publish(by, estimate.site.country)
    elif proposals.needs_review(estimate, by):
        estimate.held_change = proposals.hold(estimate, by=by)
        return estimate
    estimate._history_user = by
    estimate.save()
    if is_new:
        review_events.review_requested.send(sender=ResourceEstimate, record=estimate, by=by)
    return estimate


@transaction.atomic
def delete_estimate(*, estimate: ResourceEstimate, by) -> None:
    """Uploaders delete draft estimates; a published one is deleted by a reviewer of the country."""
    ensure_may_edit_site(by, estimate.site.country)
    if proposals.needs_review(estimate, by):
        raise PermissionDenied(gettext("This estimate is published: only a reviewer of its country may delete it."))
    estimate._history_user = by
    estimate.delete()
