"""The registry's English date style ("1 Mar 2024", unambiguous across the region); other languages keep Django's."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
