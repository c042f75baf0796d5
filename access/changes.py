"""What changed between two states of a record, field by field, in words and numbers a person reads.

One function (`field_changes`) serves every surface that shows a change: a proposed change against
the published record, and a history row against the one before it.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str  # formatted for people
    after: str


def field_values(record: Model, names: Iterable[str]) -> dict[str, Any]:
    """The values of `names` on a record (or a history row), related records by id."""
    fields = {field.name: field for field in record._meta.concrete_fields}
    return {name: getattr(record, fields[name].attname) for name in names if name in fields}


def changed_names(model: type[Model], before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The fields (in the model's order) whose value differs between the two states."""
    return [
        field.name
        for field in model._meta.get_fields()
        if field.name in after and not _same(before.get(field.name), after[field.name])
    ]


def field_changes(model: type[Model], before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Each field whose value differs, with its label and both values formatted for people."""
    changes = []
    for name in changed_names(model, before, after):
        field = model._meta.get_field(name)
        changes.append(
            FieldChange(
                name=name,
                label=field_label(model, name),
                before=display_value(field, before.get(name)),
                after=display_value(field, after[name]),
            )
        )
    return changes


def field_label(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    label = getattr(field, "verbose_name", None) or name.replace("_", " ")
    return str(label)[:1].upper() + str(label)[1:]


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, GEOSGeometry) or isinstance(after, GEOSGeometry):
        return before is not None and after is not None and before.equals_exact(after, 1e-9)
    if isinstance(before, list | tuple) and isinstance(after, list | tuple):
        return list(before) == list(after)
    if before in (None, "") and after in (None, ""):
        return True
    return before == after


def display_value(field: Field, value: Any) -> str:
    """A stored value as people read it: choice labels, local dates and numbers, a point's coordinates."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field.many_to_many or field.many_to_one or field.one_to_one:
        return _related_text(field, value)
    base_field = getattr(field, "base_field", None)
    if isinstance(value, list | tuple):
        return ", ".join(display_value(base_field or field, item) for item in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        # Without trailing zeros (12.5, not 12.5000), and 100 stays 100 rather than 1E+2.
        return formats.number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize())
    if isinstance(value, int) and field.name.endswith("_year"):
        return str(value)  # a year, not a quantity: 1987, never 1,987
    if isinstance(value, int | float):
        return formats.number_format(value)
    if isinstance(value, GEOSGeometry):
        return _geometry_text(value)
    return str(value)


def _geometry_text(geometry: GEOSGeometry) -> str:
    if geometry.geom_type == "Point":
        return gettext("%(latitude)s, %(longitude)s (latitude, longitude)") % {
            "latitude": formats.number_format(round(geometry.y, 5), 5),
            "longitude": formats.number_format(round(geometry.x, 5), 5),
        }
    return ngettext("%(kind)s of %(count)d point", "%(kind)s of %(count)d points", geometry.num_coords) % {
        "kind": geometry.geom_type,
        "count": geometry.num_coords,
    }


def _related_text(field: Field, value: Any) -> str:
    """A related record by its name (ids of records since deleted stay as ids)."""
    ids = list(value) if isinstance(value, list | tuple) else [value]
    related = field.related_model._default_manager.in_bulk(ids)
    return ", ".join(str(related.get(pk, f"#{pk}")) for pk in ids)
