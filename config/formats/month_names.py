"""The month names dates are written with, for the languages Django ships no catalogue of (fil, lo, tet).

Django translates month names from its own catalogues; for Filipino, Lao and Tetun the registry's
catalogues carry them. Nothing imports these: the markers only let makemessages find the words, with
the same message ids Django uses, so its date filters pick up our translations.
"""

from django.utils.translation import gettext_noop

MONTHS = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
