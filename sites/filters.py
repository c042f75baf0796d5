"""The site filters the REST API and the site downloads share."""

from django_filters import rest_framework as filters

from access.models import Country
from geodata.rest import BBoxFilter, InstantFilter, RegistryFilterSet
from sites.models import Commodity, MineSite, QualityFlag, SiteStatus


class SiteFilter(RegistryFilterSet):
    bbox = BBoxFilter(field_name="location", help_text="minx,miny,maxx,maxy in longitude/latitude (EPSG:4326).")
    country = filters.ChoiceFilter(choices=Country.choices)
    status = filters.ChoiceFilter(choices=SiteStatus.choices)
    commodity = filters.ChoiceFilter(choices=Commodity.choices, method="filter_commodity")
    flag = filters.ChoiceFilter(choices=QualityFlag.choices, method="filter_flag", help_text="A data-quality flag.")
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = MineSite
        fields = ["bbox", "country", "status", "commodity", "flag", "updated_since"]

    def filter_commodity(self, queryset, name, value):
        return queryset.with_commodity(value)

    def filter_flag(self, queryset, name, value):
        return queryset.with_quality_flag(value)
