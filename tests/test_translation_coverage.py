"""Every text a visitor reads is marked for translation: the main pages, rendered in a pseudo-language.

The pseudo-language "xx" is a real gettext catalog, made the way translators' catalogs are: makemessages
extracts the project's messages into a temporary locale folder, and every translation is the English
text between ⟦ and ⟧ (placeholders kept, so values are filled in as usual). Django's own messages
(month names, form errors, the sign-in form's labels) come from its English catalogs, bracketed too.
A page is then read as a visitor reads it: any word left outside the brackets, other than the test's
own data and a few names that are the same in every language, was never marked.
"""

import ast
import os
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from access.models import Role
from geodata.models import Layer, LayerStatus
from remediation.models import HazardType
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_member, make_visit

pytestmark = [pytest.mark.django_db, pytest.mark.translation]

PSEUDO = "xx"
OPEN, CLOSE = "⟦", "⟧"
# The test's own records: names that are plainly data, so that what is left on a page is the page's text.
SITE_NAME = "Data Site Alpha"
FIXTURE_VALUES = (
    SITE_NAME,
    "Data Operator Beta",
    "Data Province Gamma",
    "Data Layer Delta",
    "Data Agency Epsilon",
    "Data Note Zeta",
    "Data Person Eta",
    "data-officer",
    "data-uploader",
)
# Words that are the same in every language: formats, standards, units and symbols.
SAME_IN_EVERY_LANGUAGE = {
    "GeoPackage",
    "GeoJSON",
    "CSV",
    "KML",
    "JSON",
    "PDF",
    "API",
    "OGC",
    "EPSG",
    "WGS",
    "UTC",
    "pH",
    "NTU",
    "ha",
    "m",
    "km",
    "mm",
    "L",
    "mg",
    "µS",
    "cm",
    "g",
    "t",
    "ppm",
    "kcal",
    "kg",
    "MB",
    "KB",
    "m²",
    "m³",
    "UTF",  # encodings: UTF-8, Windows-1252
    "Windows",
}
# Attributes people read (or hear from a screen reader).
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# The folders whose messages translators get (makemessages leaves out tests, benchmarks and static copies).
SOURCE_FOLDERS = ("access", "config", "geodata", "remediation", "sites", "templates")
SKIPPED_ELEMENTS = {"script", "style", "textarea", "code", "pre", "svg"}


# --- the pseudo catalog ------------------------------------------------------------------------------


def _po_entries(path: Path):
    """(context, msgid, plural) of each entry of a .po file; enough of the format for makemessages' output."""
    entry, key = {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if "msgid" in entry:
                yield entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")
                entry, key = {}, None
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, text = line.partition(" ")
        key = key.split("[")[0]
        if key in ("msgctxt", "msgid", "msgid_plural"):
            if key == "msgctxt" and "msgid" in entry:
                yield entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")
                entry = {}
            entry[key] = ast.literal_eval(text)
        else:
            key = "msgstr"
            entry[key] = ast.literal_eval(text)


def _write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo file (the layout of CPython's Tools/i18n/msgfmt.py)."""
    keys = sorted(messages)
    ids = b"".join(key.encode() + b"\0" for key in keys)
    strings = b"".join(messages[key].encode() + b"\0" for key in keys)
    start = 7 * 4 + 16 * len(keys)
    id_offsets, string_offsets, position = [], [], 0
    for key in keys:
        id_offsets += [len(key.encode()), start + position]
        position += len(key.encode()) + 1
    position = 0
    for key in keys:
        string_offsets += [len(messages[key].encode()), start + len(ids) + position]
        position += len(messages[key].encode()) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    table = struct.pack(f"{len(id_offsets)}i", *id_offsets) + struct.pack(f"{len(string_offsets)}i", *string_offsets)
    path.write_bytes(header + table + ids + strings)


def _bracketed(catalogs: list[Path]) -> dict[str, str]:
    messages = {"": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"}
    for catalog in catalogs:
        for context, msgid, plural in _po_entries(catalog):
            if not msgid:
                continue
            key = f"{context}\x04{msgid}" if context else msgid
            if plural:
                messages[f"{key}\0{plural}"] = f"{OPEN}{msgid}{CLOSE}\0{OPEN}{plural}{CLOSE}"
            else:
                messages[key] = f"{OPEN}{msgid}{CLOSE}"
    return messages


@pytest.fixture(scope="session")
def pseudo_locale(tmp_path_factory) -> Path:
    """A locale folder holding the pseudo-language's catalog of the project's and Django's messages."""
    # makemessages writes each file's messages to the locale folder beside it, so it reads the project
    # through links from a folder of its own: the catalog is made there, never in the project.
    work = tmp_path_factory.mktemp("messages")
    locale = work / "locale"
    sources = work / "project"
    sources.mkdir()
    for name in SOURCE_FOLDERS:
        (sources / name).symlink_to(Path(settings.BASE_DIR) / name, target_is_directory=True)
    (sources / "static").mkdir()
    (sources / "static" / "js").symlink_to(Path(settings.BASE_DIR) / "static" / "js", target_is_directory=True)
    started_in = os.getcwd()
    os.chdir(work)
    try:
        with override_settings(LOCALE_PATHS=[str(locale)]):
            call_command("makemessages", locale=[PSEUDO], symlinks=True, verbosity=0)
            call_command("makemessages", locale=[PSEUDO], domain="djangojs", symlinks=True, verbosity=0)
    finally:
        os.chdir(started_in)
    folder = locale / PSEUDO / "LC_MESSAGES"
    django_root = Path(django.__file__).parent
    djangos = [django_root / "conf/locale/en/LC_MESSAGES/django.po"]
    djangos += sorted(django_root.glob("contrib/*/locale/en/LC_MESSAGES/django.po"))
    _write_mo(folder / "django.mo", _bracketed([folder / "django.po", *djangos]))
    _write_mo(folder / "djangojs.mo", _bracketed([folder / "djangojs.po"]))
    return locale


@pytest.fixture
def pseudo_client(client, settings, pseudo_locale):
    settings.LOCALE_PATHS = [str(pseudo_locale)]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = PSEUDO
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = PSEUDO
    with translation.override(PSEUDO):
        yield client


# --- reading a page as a visitor ---------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The page's text nodes and read attributes, outside scripts, styles, code and the language menu."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.append(tag)
            return
        # The language menu and the choice of an e-mail language name each language in that language, on purpose.
        own_names = (tag == "details" and "language-menu" in (attrs.get("class") or "")) or (
            tag == "select" and attrs.get("name") == "language"
        )
        if tag in SKIPPED_ELEMENTS or own_names:
            self._skipping.append(tag)
            return
        read = [name for name in READ_ATTRIBUTES if attrs.get(name)]
        if tag in ("input", "button") and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            read.append("value")
        self.attributes += [(tag, name, attrs[name]) for name in read]

    def handle_endtag(self, tag):
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data.strip())


def _unmarked_words(text: str) -> list[str]:
    for value in FIXTURE_VALUES:
        text = text.replace(value, " ")
    inner = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while True:
        shorter = inner.sub(" ", text)
        if shorter == text:
            break
        text = shorter
    return [word for word in re.findall(r"[^\W\d_]+", text) if word not in SAME_IN_EVERY_LANGUAGE]


def unmarked_text(html: str) -> list[str]:
    """What a visitor reads that is not between the pseudo-language's brackets, with where it was."""
    page = _VisibleText()
    page.feed(html)
    found = []
    # The texts are joined before the brackets are matched: a sentence with a link spans several nodes.
    lines = "\n".join(page.texts)
    if _unmarked_words(lines):
        for line in page.texts:
            if _unmarked_words(line) and not (OPEN in line or CLOSE in line):
                found.append(f"text: {line!r}")
        if not found:
            found.append(f"text (across elements): {_unmarked_words(lines)}")
    found += [f"<{tag} {name}={value!r}>" for tag, name, value in page.attributes if _unmarked_words(value)]
    return found


# --- the pages ---------------------------------------------------------------------------------------


@pytest.fixture
def records(db):
    site = make_site(name=SITE_NAME, operator="Data Operator Beta", admin_area="Data Province Gamma", opened_year=1990)
    hazard = make_hazard(site, notes="Data Note Zeta", hazard_type=HazardType.OPEN_SHAFT, is_published=True)
    measure = make_measure(site, description="Data Note Zeta", is_published=True)
    measure.hazards.add(hazard)
    make_visit(site, measure=measure, observations="Data Note Zeta", is_published=True)
    layer = Layer.objects.create(
        title="Data Layer Delta",
        agency="Data Agency Epsilon",
        country="ID",
        status=LayerStatus.READY,
        is_published=True,
    )
    return {"site": site, "layer": layer}


def _page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.content.decode()


def _assert_marked(client, urls: list[str]) -> None:
    problems = {url: unmarked_text(_page(client, url)) for url in urls}
    problems = {url: found for url, found in problems.items() if found}
    assert not problems, "Text not marked for translation:\n" + "\n".join(
        f"{url}: {found}" for url, found in problems.items()
    )


def test_the_pseudo_language_is_active_so_marked_text_is_bracketed(pseudo_client, records):
    html = _page(pseudo_client, "/sites/")
    assert f"{OPEN}Mine sites{CLOSE}" in html
    assert unmarked_text("<p>Plain English</p>") == ["text: 'Plain English'"]


def test_public_pages_have_no_unmarked_text(pseudo_client, records):
    site, layer = records["site"], records["layer"]
    _assert_marked(
        pseudo_client,
        [
            "/",
            "/sites/",
            f"/sites/{site.pk}/",
            "/layers/",
            f"/layers/{layer.pk}/",
            "/reports/",
            f"/sites/{site.pk}/report/",
            "/accounts/login/",
            "/no-such-page/",
        ],
    )


def test_pages_of_people_who_record_have_no_unmarked_text(pseudo_client, records):
    site = records["site"]
    member = make_member("data-officer", Role.ENVIRONMENTAL_OFFICER, "ID", first_name="Data Person Eta")
    for role in (Role.SURVEY_UPLOADER, Role.REVIEWER):
        member.memberships.create(role=role, country="ID")
    pseudo_client.force_login(member)
    _assert_marked(
        pseudo_client,
        [
            f"/sites/{site.pk}/",
            "/layers/upload/",
            "/sites/import/",
            f"/remediation/sites/{site.pk}/hazards/new/",
            f"/remediation/sites/{site.pk}/measures/new/",
            f"/remediation/sites/{site.pk}/visits/new/",
            f"/remediation/sites/{site.pk}/evidence/new/",
            "/remediation/dashboard/",
            "/review/",
            "/review/?kind=hazards",
            "/review/changes/",
            "/quality/?country=ID",
            "/remediation/public-reports/",
            "/accounts/notifications/",
            f"/layers/{records['layer'].pk}/",
        ],
    )
