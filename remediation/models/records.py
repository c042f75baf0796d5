"""What every record officers keep about a site shares: its country, its publication, its filters."""

from django.contrib.gis.db import models
from django.db.models import Q

from access.models import AuditedRecord, Role


class SiteRecordQuerySet(models.QuerySet):
    """Filters shared by every record that belongs to a site."""

    def published(self):
        return self.filter(self.model.published_condition())

    def in_countries(self, codes):
        return self.filter(site__country__in=codes)


class SiteRecord(AuditedRecord):
    """A record officers keep about one site: public once it and its site are both published."""

    country_lookup = "site__country"
    recorder_role = Role.ENVIRONMENTAL_OFFICER

    class Meta:
        abstract = True

    @classmethod
    def published_condition(cls) -> Q:
        return Q(is_published=True, site__is_published=True)
