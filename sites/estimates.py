"""Write paths for resource estimates: the country's survey uploaders record them (IH2), history says who."""

from django.core.exceptions import PermissionDenied

from sites.models import MineSite, ResourceEstimate
from sites.permissions import may_upload_survey


def ensure_may_record_estimates(user, site: MineSite) -> None:
    if not may_upload_survey(user, site.country):
        raise PermissionDenied("Only the survey uploaders of this site's country may record its resource estimates.")


def save_estimate(*, estimate: ResourceEstimate, by) -> ResourceEstimate:
    """Create or update an estimate (already validated by its form) for its site."""
    ensure_may_record_estimates(by, estimate.site)
    estimate._history_user = by
    estimate.save()
    return estimate


def delete_estimate(*, estimate: ResourceEstimate, by) -> None:
    ensure_may_record_estimates(by, estimate.site)
    estimate._history_user = by
    estimate.delete()
