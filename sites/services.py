"""Write paths for sites and their resource estimates: survey uploaders of the country record, reviewers publish."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from access import review_events
from access.roles import may_upload_survey
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
    site._history_user = by
    site.save()
    review_events.review_requested.send(sender=MineSite, record=site, by=by)
    return site


@transaction.atomic
def update_site(*, site: MineSite, by, data: dict) -> MineSite:
    """Change a site; moving it to another country needs the role there too."""
    ensure_may_edit_site(by, site.country)
    ensure_may_edit_site(by, data.get("country", site.country))
    for field, value in data.items():
        setattr(site, field, value)
    site.full_clean()
    site._history_user = by
    site.save()
    return site


def save_estimate(*, estimate: ResourceEstimate, by) -> ResourceEstimate:
    """Create or update an estimate (already validated by its form); history records who."""
    ensure_may_edit_site(by, estimate.site.country)
    is_new = not estimate.pk
    estimate._history_user = by
    estimate.save()
    if is_new:
        review_events.review_requested.send(sender=ResourceEstimate, record=estimate, by=by)
    return estimate


def delete_estimate(*, estimate: ResourceEstimate, by) -> None:
    ensure_may_edit_site(by, estimate.site.country)
    estimate._history_user = by
    estimate.delete()
