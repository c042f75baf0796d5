"""A site's names in the languages of the registry, in their own scripts: {"th": "เหมืองดอยงาม", "km": "…"}.

Kept on the site as one JSON object (with its history), so the list's search reads one row per site and a
trigram index on all the names together answers a substring of any of them, which Thai, Khmer, Lao and
Burmese need: they write no spaces between words.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Func, TextField
from django.utils.translation import gettext as _

MAX_LENGTH = 255


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def validate_local_names(value) -> None:
    """Keys are the registry's language codes, values non-empty names of at most 255 characters."""
    if not isinstance(value, dict):
        raise ValidationError(_("Give the names as an object of language code to name."), code="invalid")
    codes = language_codes()
    for code, name in value.items():
        if code not in codes:
            raise ValidationError(
                _("“%(code)s” is not a language of the registry; use one of %(codes)s."),
                code="invalid",
                params={"code": code, "codes": ", ".join(codes)},
            )
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_LENGTH:
            raise ValidationError(
                _("The name in “%(code)s” must be text of 1 to %(max)d characters."),
                code="invalid",
                params={"code": code, "max": MAX_LENGTH},
            )


def cleaned_local_names(names: dict[str, str]) -> dict[str, str]:
    """Names stripped, empty ones left out: what a form or an import row stores."""
    return {code: name.strip()[:MAX_LENGTH] for code, name in names.items() if name and name.strip()}


def local_names_text() -> Func:
    """All of a site's local names as one text, through the immutable SQL function of the migration adding them,
    so that it can be indexed (the same expression in the index and in the search)."""
    return Func(F("local_names"), function="registry_local_names_text", output_field=TextField())


def name_for_reader(local_names: dict[str, str], main_name: str, language: str) -> str:
    """The site's name in `language`, when it has one that differs from its main name; else ""."""
    name = (local_names or {}).get(language, "")
    return name if name != main_name else ""
