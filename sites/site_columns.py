"""How an inventory's columns become mine-site fields: which column feeds which field, and the vocabularies.

Column names are guessed from common spellings unless the uploader maps them (`--map name=NAMA`).
Values are matched to our codes case-insensitively by code, by label or by a common synonym. A
row is rejected when its id, name, country or status cannot be placed; lesser values (an
unlisted commodity, a year such as "TBD") are approximated and counted in the report's warnings,
so a site is never lost over them.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from access.models import Country
from geodata.errors import IngestError
from sites.local_names import cleaned_local_names, language_codes
from sites.models import Commodity, MineType, SiteStatus
from sites.tenure import AssuranceKind, LicenceType, ResponsiblePartyKind, validate_currency

# Field -> the column names we look for when the uploader has not mapped it (lower case).
GUESSED_COLUMNS: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "site_id", "mine_id", "record_id", "id", "ref", "code"),
    "name": ("name", "site_name", "mine_name", "project", "nama", "ten_mo"),
    "country": ("country", "country_code", "iso2", "iso_a2", "iso3", "iso_a3", "negara"),
    "status": ("status", "site_status", "mine_status", "state"),
    "mine_type": ("mine_type", "mining_method", "method", "type"),
    "commodities": ("commodities", "commodity", "minerals", "mineral", "commod"),
    "admin_area": ("admin_area", "province", "provinsi", "region", "district"),
    "operator": ("operator", "owner", "company", "operator_owner"),
    "opened_year": ("opened_year", "opening_year", "year_opened", "start_year"),
    "closed_year": ("closed_year", "closing_year", "year_closed", "end_year"),
    "alternative_names": ("alternative_names", "other_names", "alias", "aliases"),
    "source_url": ("source_url", "url", "link"),
    # The name in each language of the registry, in its own script: name_th, name_km, …
    **{f"name_{code}": (f"name_{code}",) for code in language_codes()},
    # Tenure and liability (sites.tenure): read only where the file has the column.
    "licence_type": ("licence_type", "license_type", "tenure_type", "tenure"),
    "licence_number": ("licence_no", "licence_number", "license_no", "license_number", "permit_no"),
    "licence_holder": ("licence_holder", "license_holder", "permit_holder"),
    "licence_granted": ("licence_granted", "license_granted", "granted"),
    "licence_expiry": ("licence_expiry", "license_expiry", "licence_expires", "expiry"),
    "responsible_party": ("responsible_party", "liable_party"),
    "responsible_party_kind": ("responsible_kind", "responsible_party_kind", "liable_kind"),
    "assurance_kind": ("assurance_kind", "assurance", "bond_type"),
    "assurance_amount": ("assurance_amount", "bond_amount"),
    "assurance_currency": ("assurance_currency", "bond_currency"),
    "assurance_holder": ("assurance_holder", "bond_holder"),
    "assurance_expiry": ("assurance_expiry", "bond_expiry"),
}
REQUIRED_FIELDS = ("source_id", "name", "country", "status")
COORDINATE_FIELDS = ("longitude", "latitude")  # CSV only; mapped like the others

_COUNTRY_NAMES = {
    "brunei": Country.BRUNEI, "brn": Country.BRUNEI,
    "cambodia": Country.CAMBODIA, "khm": Country.CAMBODIA,
    "indonesia": Country.INDONESIA, "idn": Country.INDONESIA,
    "laos": Country.LAOS, "lao": Country.LAOS, "lao pdr": Country.LAOS,
    "malaysia": Country.MALAYSIA, "mys": Country.MALAYSIA,
    "myanmar": Country.MYANMAR, "burma": Country.MYANMAR, "mmr": Country.MYANMAR,
    "philippines": Country.PHILIPPINES, "the philippines": Country.PHILIPPINES, "phl": Country.PHILIPPINES,
    "singapore": Country.SINGAPORE, "sgp": Country.SINGAPORE,
    "thailand": Country.THAILAND, "tha": Country.THAILAND,
    "vietnam": Country.VIETNAM, "viet nam": Country.VIETNAM, "vnm": Country.VIETNAM,
    "timor-leste": Country.TIMOR_LESTE, "east timor": Country.TIMOR_LESTE, "tls": Country.TIMOR_LESTE,
}  # fmt: skip
_STATUS_WORDS = {
    "operating": SiteStatus.ACTIVE, "producing": SiteStatus.ACTIVE, "operational": SiteStatus.ACTIVE,
    "suspended": SiteStatus.CARE_AND_MAINTENANCE, "mothballed": SiteStatus.CARE_AND_MAINTENANCE,
    "inactive": SiteStatus.CARE_AND_MAINTENANCE, "idle": SiteStatus.CARE_AND_MAINTENANCE,
    "retired": SiteStatus.CLOSED, "decommissioned": SiteStatus.CLOSED,
    "derelict": SiteStatus.ABANDONED, "historic": SiteStatus.ABANDONED,
    "shelved": SiteStatus.PROPOSED, "cancelled": SiteStatus.PROPOSED,
    "planned": SiteStatus.PROPOSED, "prospect": SiteStatus.PROPOSED, "exploration": SiteStatus.PROPOSED,
    "reclaimed": SiteStatus.REHABILITATED, "remediated": SiteStatus.REHABILITATED,
}  # fmt: skip
_COMMODITY_WORDS = {
    "ni": Commodity.NICKEL, "cu": Commodity.COPPER, "sn": Commodity.TIN, "au": Commodity.GOLD,
    "ag": Commodity.SILVER, "fe": Commodity.IRON_ORE, "iron": Commodity.IRON_ORE, "pb": Commodity.LEAD,
    "zn": Commodity.ZINC, "mn": Commodity.MANGANESE, "cr": Commodity.CHROMITE, "chromium": Commodity.CHROMITE,
    "co": Commodity.COBALT, "w": Commodity.TUNGSTEN, "ree": Commodity.RARE_EARTHS,
    "rare earths": Commodity.RARE_EARTHS, "sand": Commodity.SAND_GRAVEL, "gravel": Commodity.SAND_GRAVEL,
    "aggregate": Commodity.SAND_GRAVEL, "lignite": Commodity.COAL, "bituminous": Commodity.COAL,
    "subbituminous": Commodity.COAL, "sub-bituminous": Commodity.COAL, "anthracite": Commodity.COAL,
    "gems": Commodity.GEMSTONES, "ruby": Commodity.GEMSTONES, "sapphire": Commodity.GEMSTONES,
}  # fmt: skip
_LIST_SEPARATORS = re.compile(r"[;,/|]+")
_LICENCE_WORDS = {
    "iup": LicenceType.PRODUCTION_LICENCE, "iup-op": LicenceType.PRODUCTION_LICENCE,
    "iup op": LicenceType.PRODUCTION_LICENCE, "iupk": LicenceType.PRODUCTION_LICENCE,
    "production": LicenceType.PRODUCTION_LICENCE, "mining licence": LicenceType.PRODUCTION_LICENCE,
    "mining license": LicenceType.PRODUCTION_LICENCE, "exploration": LicenceType.EXPLORATION_LICENCE,
    "iup eksplorasi": LicenceType.EXPLORATION_LICENCE, "lease": LicenceType.MINING_LEASE,
    "contract of work": LicenceType.CONCESSION, "kk": LicenceType.CONCESSION, "pkp2b": LicenceType.CONCESSION,
    "ipr": LicenceType.SMALL_SCALE_PERMIT, "small-scale": LicenceType.SMALL_SCALE_PERMIT,
    "small scale": LicenceType.SMALL_SCALE_PERMIT, "people's mining permit": LicenceType.SMALL_SCALE_PERMIT,
    "unlicensed": LicenceType.NONE,
}  # fmt: skip
_RESPONSIBLE_WORDS = {
    "company": ResponsiblePartyKind.OPERATOR, "owner": ResponsiblePartyKind.OPERATOR,
    "government": ResponsiblePartyKind.STATE, "none": ResponsiblePartyKind.NONE_KNOWN,
    "orphaned": ResponsiblePartyKind.NONE_KNOWN, "no liable owner": ResponsiblePartyKind.NONE_KNOWN,
}  # fmt: skip
_ASSURANCE_WORDS = {
    "guarantee": AssuranceKind.BANK_GUARANTEE, "cash": AssuranceKind.CASH_DEPOSIT,
    "deposit": AssuranceKind.CASH_DEPOSIT, "surety bond": AssuranceKind.BOND, "reclamation bond": AssuranceKind.BOND,
}  # fmt: skip
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass
class ColumnMap:
    """Which column feeds each field (original column names), and what was guessed rather than given."""

    columns: dict[str, str]
    guessed: list[str] = field(default_factory=list)

    def for_report(self) -> dict[str, str]:
        return dict(sorted(self.columns.items()))


def parse_map_options(options: list[str]) -> dict[str, str]:
    """`["name=NAMA", "country=NEGARA"]` -> {"name": "NAMA", ...}, refusing unknown fields."""
    known = set(GUESSED_COLUMNS) | set(COORDINATE_FIELDS)
    mapping = {}
    for option in options:
        site_field, sep, column = option.partition("=")
        site_field, column = site_field.strip().lower(), column.strip()
        if not sep or not column:
            raise IngestError(
                gettext("--map %(option)r: write it as FIELD=COLUMN, for example name=MINE_NAME.") % {"option": option}
            )
        if site_field not in known:
            raise IngestError(
                gettext("--map %(option)r: %(field)r is not a site field; use one of %(known)s.")
                % {"option": option, "field": site_field, "known": ", ".join(sorted(known))}
            )
        mapping[site_field] = column
    return mapping


def resolve_columns(columns: list[str], given: dict[str, str], file_name: str) -> ColumnMap:
    """Match the given mapping to the file's columns (case-insensitively) and guess the rest."""
    by_lower = {name.lower(): name for name in columns}
    by_plain = {plain_column_name(name): name for name in columns}
    resolved, guessed = {}, []
    for site_field, column in given.items():
        if site_field in COORDINATE_FIELDS:
            continue
        if column.lower() not in by_lower:
            raise IngestError(
                gettext("%(file)s has no column %(column)r (mapped to %(field)s); its columns: %(columns)s.")
                % {"file": file_name, "column": column, "field": site_field, "columns": ", ".join(columns)}
            )
        resolved[site_field] = by_lower[column.lower()]
    for site_field, candidates in GUESSED_COLUMNS.items():
        if site_field in resolved:
            continue
        found = next((by_plain[name] for name in candidates if name in by_plain), None)
        if found and found not in resolved.values():
            resolved[site_field], guessed = found, [*guessed, site_field]
    missing = [name for name in REQUIRED_FIELDS if name not in resolved]
    if missing:
        raise IngestError(
            gettext(
                "%(file)s: no column found for %(missing)s (its columns: %(columns)s). "
                "Map them with --map, for example --map %(first)s=COLUMN."
            )
            % {"file": file_name, "missing": ", ".join(missing), "columns": ", ".join(columns), "first": missing[0]}
        )
    return ColumnMap(columns=resolved, guessed=guessed)


def plain_column_name(name: str) -> str:
    """ "Mine-Type " -> "mine_type": how guessed names are compared."""
    return re.sub(r"\W+", "_", name.strip().lower()).strip("_")


# Whole sentences per year, for translators; gettext_noop marks them, _year translates them when it notes one.
_OPENED_YEAR_NOTE = gettext_noop("opened year %(text)r is not a year between 1800 and 2200: left empty")
_CLOSED_YEAR_NOTE = gettext_noop("closed year %(text)r is not a year between 1800 and 2200: left empty")


class RowProblem(ValueError):
    """Why one row cannot become a site."""


def site_values(attributes: dict[str, str], column_map: ColumnMap, notes: list[str]) -> dict:
    """The MineSite fields of one row; raises RowProblem; appends to `notes` what was approximated."""
    value = {name: attributes.get(column, "").strip() for name, column in column_map.columns.items()}
    if not value["source_id"]:
        raise RowProblem(
            gettext("no source id (column %(column)s is empty)") % {"column": column_map.columns["source_id"]}
        )
    if not value["name"]:
        raise RowProblem(gettext("no name (column %(column)s is empty)") % {"column": column_map.columns["name"]})
    opened = _year(value.get("opened_year"), _OPENED_YEAR_NOTE, notes)
    closed = _year(value.get("closed_year"), _CLOSED_YEAR_NOTE, notes)
    if opened and closed and closed < opened:
        notes.append(gettext("closing year before the opening year: closing year left empty"))
        closed = None
    return {
        **tenure_values(value),
        "source_record_id": value["source_id"][:100],
        "name": value["name"][:255],
        "country": _country(value["country"]),
        "status": _status(value["status"]),
        "source_status": value["status"][:50],
        "mine_type": _mine_type(value.get("mine_type", "")),
        "commodities": _commodities(value.get("commodities", ""), notes),
        "admin_area": value.get("admin_area", "")[:200],
        "operator": value.get("operator", "")[:255],
        "opened_year": opened,
        "closed_year": closed,
        "alternative_names": [
            name.strip()[:255] for name in value.get("alternative_names", "").split(";") if name.strip()
        ],
        "source_url": value.get("source_url", "")
        if value.get("source_url", "").startswith(("http://", "https://"))
        else "",
        # Only from a file with such columns: another inventory of the same sites keeps the names given before.
        **(
            {"local_names": cleaned_local_names({code: value.get(f"name_{code}", "") for code in language_codes()})}
            if any(f"name_{code}" in column_map.columns for code in language_codes())
            else {}
        ),
    }


def _country(text: str) -> str:
    key = text.strip().lower()
    if key.upper() in Country.values:
        return key.upper()
    labels = {str(label).lower(): code for code, label in Country.choices}
    found = labels.get(key) or _COUNTRY_NAMES.get(key)
    if not found:
        raise RowProblem(
            gettext("country %(text)r is not one of the ASEAN member states or Timor-Leste") % {"text": text}
            if text
            else gettext("no country")
        )
    return found


def _status(text: str) -> str:
    key = text.strip().lower()
    choices = {code: code for code in SiteStatus.values} | {
        str(label).lower(): code for code, label in SiteStatus.choices
    }
    found = choices.get(key.replace(" ", "_")) or choices.get(key) or _STATUS_WORDS.get(key)
    if not found:
        allowed = ", ".join(SiteStatus.values)
        raise RowProblem(
            gettext("status %(text)r is not one we know (%(allowed)s)") % {"text": text, "allowed": allowed}
            if text
            else gettext("no status")
        )
    return found


def _mine_type(text: str) -> str:
    key = text.strip().lower().replace("-", " ")
    choices = {code.replace("_", " "): code for code in MineType.values}
    choices |= {str(label).lower(): code for code, label in MineType.choices}
    choices |= {"surface": MineType.OPEN_PIT, "open cast": MineType.OPEN_PIT, "placer": MineType.ALLUVIAL}
    return choices.get(key, MineType.UNKNOWN)


def _commodities(text: str, notes: list[str]) -> list[str]:
    found: list[str] = []
    labels = {str(label).lower(): code for code, label in Commodity.choices}
    for word in (part.strip().lower() for part in _LIST_SEPARATORS.split(text)):
        if not word:
            continue
        code = labels.get(word) or (word.replace(" ", "_") if word.replace(" ", "_") in Commodity.values else None)
        code = code or _COMMODITY_WORDS.get(word)
        if code is None:
            notes.append(gettext("commodity %(word)r is not in the list: recorded as other") % {"word": word})
            code = Commodity.OTHER
        if code not in found:
            found.append(code)
    return found


def _year(text: str | None, note: str, notes: list[str]) -> int | None:
    """A year, or None (with a note) for words such as "TBD": a site is not lost over an unknown year."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1800 <= int(text) <= 2200:
        notes.append(gettext(note) % {"text": text})
        return None
    return int(text)


def tenure_values(value: dict[str, str]) -> dict:
    """The tenure fields of one row, only those whose column the file has; raises RowProblem on a bad value."""
    present = {name: text for name, text in value.items() if name in _TENURE_READERS}
    fields = {name: _TENURE_READERS[name](name, text) for name, text in present.items()}
    if fields.get("assurance_amount") is not None and not fields.get("assurance_currency"):
        raise RowProblem("assurance_amount without assurance_currency: give the amount's ISO 4217 currency")
    granted, expiry = fields.get("licence_granted"), fields.get("licence_expiry")
    if granted and expiry and expiry < granted:
        raise RowProblem(f"licence_expiry {expiry.isoformat()} is before licence_granted {granted.isoformat()}")
    return fields


def _choice(choices, synonyms: dict, empty: str):
    def read(name: str, text: str) -> str:
        key = text.strip().lower()
        if not key:
            return empty
        codes = {code: code for code in choices.values} | {str(label).lower(): code for code, label in choices.choices}
        found = codes.get(key.replace(" ", "_")) or codes.get(key) or synonyms.get(key)
        if not found:
            raise RowProblem(f"{name} {text!r} is not one we know ({', '.join(choices.values)})")
        return found

    return read


def _text_field(length: int):
    return lambda name, text: text[:length]


def _date(name: str, text: str) -> datetime.date | None:
    """An ISO date; a GeoPackage's date-time keeps its date."""
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            pass
    raise RowProblem(f"{name} {text!r} is not a date: write it as YYYY-MM-DD")


def _amount(name: str, text: str) -> Decimal | None:
    text = text.replace(" ", "")
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 14:
        raise RowProblem(f"{name} {text!r} is not an amount (a number of at most 14 digits before the point)")
    return amount.quantize(Decimal("0.01"))


def _currency(name: str, text: str) -> str:
    code = text.strip().upper()
    try:
        validate_currency(code)
    except ValidationError:
        raise RowProblem(f"{name} {text!r} is not an ISO 4217 currency code the registry records") from None
    return code


_TENURE_READERS = {
    "licence_type": _choice(LicenceType, _LICENCE_WORDS, LicenceType.UNKNOWN),
    "licence_number": _text_field(100),
    "licence_holder": _text_field(255),
    "licence_granted": _date,
    "licence_expiry": _date,
    "responsible_party": _text_field(255),
    "responsible_party_kind": _choice(ResponsiblePartyKind, _RESPONSIBLE_WORDS, ResponsiblePartyKind.UNKNOWN),
    "assurance_kind": _choice(AssuranceKind, _ASSURANCE_WORDS, ""),
    "assurance_amount": _amount,
    "assurance_currency": _currency,
    "assurance_holder": _text_field(255),
    "assurance_expiry": _date,
}
