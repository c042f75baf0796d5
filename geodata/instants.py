"""Dates and date-times from query strings (RFC 3339, the ISO 8601 profile the OGC API names), in UTC.

Anything the grammar allows but Python or PostgreSQL cannot hold becomes a ValidationError that
says why: an offset of a day or more, or a moment that leaves the years 1 to 9999 once in UTC.
PostgreSQL itself refuses offsets beyond ±15:59, so every instant is converted to UTC here, before
it reaches a query.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
_OFFSET = r"(?P<offset>[Zz]|(?P<sign>[+-])(?P<offset_hour>\d{2}):(?P<offset_minute>\d{2}))"
_INSTANT = re.compile(rf"{_DATE}(?:[Tt]{_TIME}{_OFFSET}?)?")


def parse_instant(text: str, *, end: bool = False, name: str = "") -> datetime.datetime:
    """An RFC 3339 date-time (`2024-01-01T08:00:00+07:00`) or full date (`2024-01-01`) as an aware UTC datetime.

    A date stands for its whole day in UTC: its first moment, or with `end` its last one. As readers
    forgive, a date-time without seconds or without an offset is read too, the latter as UTC.
    """
    match = _INSTANT.fullmatch(text)
    if match is None:
        raise ValidationError(
            _named(
                name,
                gettext("“%(text)s” is not an RFC 3339 date (2024-01-31) or date-time (2024-01-31T08:00:00Z).")
                % {"text": text},
            )
        )
    parts = match.groupdict()
    try:
        day = datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise ValidationError(
            _named(name, gettext("“%(text)s” is not a day of the calendar.") % {"text": text})
        ) from None
    if parts["hour"] is None:
        return datetime.datetime.combine(day, datetime.time.max if end else datetime.time(), tzinfo=datetime.UTC)
    return _moment_in_utc(day, parts, text, name)


def _moment_in_utc(day: datetime.date, parts: dict, text: str, name: str) -> datetime.datetime:
    hour, minute, second = int(parts["hour"]), int(parts["minute"]), int(parts["second"] or 0)
    if hour > 23 or minute > 59 or second > 60:
        raise ValidationError(_named(name, gettext("“%(text)s” has no such time of day.") % {"text": text}))
    second = min(second, 59)  # a leap second is kept as the last second of its minute
    microsecond = int((parts["fraction"] or "0")[:6].ljust(6, "0"))
    offset = datetime.timedelta()
    if parts["offset"] not in (None, "Z", "z"):
        offset_hour, offset_minute = int(parts["offset_hour"]), int(parts["offset_minute"])
        if offset_hour > 23 or offset_minute > 59:
            raise ValidationError(
                _named(
                    name, gettext("the offset in “%(text)s” must be less than a day (at most ±23:59).") % {"text": text}
                )
            )
        offset = datetime.timedelta(hours=offset_hour, minutes=offset_minute) * (-1 if parts["sign"] == "-" else 1)
    local = datetime.datetime.combine(day, datetime.time(hour, minute, second, microsecond))
    try:
        return (local - offset).replace(tzinfo=datetime.UTC)
    except OverflowError:
        message = _named(
            name, gettext("“%(text)s” falls outside the years 1 to 9999 once converted to UTC.") % {"text": text}
        )
        raise ValidationError(message) from None


def _named(name: str, message: str) -> str:
    """The message, after the parameter's name when there is one ("updated_since: ...")."""
    return gettext("%(parameter)s: %(message)s") % {"parameter": name, "message": message} if name else message
