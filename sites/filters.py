"""The site filters the REST API and the site downloads share."""

from django_filters import rest_framework as filters

from access.models import Country
from geodata.rest import BBoxFilter, InstantFilter, RegistryFilterSet
from sites.models import Commodity, MineSite, QualityFlag, SiteStatus
from sites.tenure import LicenceType, ResponsiblePartyKind, licence_expired_condition


class SiteFilter(RegistryFilterSet):
    bbox = BBoxFilter(field_name="location", help_text="minx,miny,maxx,maxy in longitude/latitude (EPSG:4326).")
    country = filters.ChoiceFilter(choices=Country.choices)
    status = filters.ChoiceFilter(choices=SiteStatus.choices)
    commodity = filters.ChoiceFilter(choices=Commodity.choices, method="filter_commodity")
    flag = filters.ChoiceFilter(choices=QualityFlag.choices, method="filter_flag", help_text="A data-quality flag.")
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")
    responsible_party_kind = filters.ChoiceFilter(choices=ResponsiblePartyKind.choices)
    licence_type = filters.ChoiceFilter(choices=LicenceType.choices)
    licence_expired = filters.BooleanFilter(
        method="filter_licence_expired", help_text="true: licences past their expiry date; false: the others."
    )

    class Meta:
        model = MineSite
        fields = [
            "bbox",
            "country",
            "status",
            "commodity",
            "flag",
            "updated_since",
            "responsible_party_kind",
            "licence_type",
            "licence_expired",
        ]

    def filter_commodity(self, queryset, name, value):
        return queryset.with_commodity(value)

    def filter_flag(self, queryset, name, value):
        return queryset.with_quality_flag(value)

    def filter_licence_expired(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(licence_expired_condition()) if value else queryset.exclude(licence_expired_condition())
