"""Write paths for sites and their resource estimates: survey uploaders of the country record, reviewers publish."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from access.roles import may_upload_survey
from sites.admin_areas import settle_admin_area
from sites.models import MineSite, ResourceEstimate


def ensure_may_edit_site(user, country: str) -> None:
    if not may_upload_survey(user, country):
        raise PermissionDenied("Only survey uploaders of this country may record or change its sites or estimates.")


@transaction.atomic
def create_site(*, by, data: dict) -> MineSite:
    """Record a new site as a draft; publishing is a reviewer's separate decision."""
    ensure_may_edit_site(by, data.get("country", ""))
    site = MineSite(**{**data, "is_published": False, "created_by": by})
    site.full_clean()
    settle_admin_area(site, typed=bool(data.get("admin_area")))
    site._history_user = by
    site.save()
    return site


@transaction.atomic
def update_site(*, site: MineSite, by, data: dict) -> MineSite:
    """Change a site; moving it to another country needs the role there too. Tenure fields are site fields."""
    ensure_may_edit_site(by, site.country)
    ensure_may_edit_site(by, data.get("country", site.country))
    typed = "admin_area" in data and data["admin_area"] != site.admin_area
    for field, value in data.items():
        setattr(site, field, value)
    site.full_clean()
    settle_admin_area(site, typed=typed)
    site._history_user = by
    site.save()
    return site


def save_estimate(*, estimate: ResourceEstimate, by) -> ResourceEstimate:
    """Create or update an estimate (already validated by its form); history records who."""
    ensure_may_edit_site(by, estimate.site.country)
    estimate._history_user = by
    estimate.save()
    return estimate


def delete_estimate(*, estimate: ResourceEstimate, by) -> None:
    ensure_may_edit_site(by, estimate.site.country)
    estimate._history_user = by
    estimate.delete()
