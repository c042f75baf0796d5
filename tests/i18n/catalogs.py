"""Reading the shipped translation catalogs and glossaries, for the tests that hold them complete."""

import ast
import csv
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
GLOSSARY = LOCALE / "glossary"
DOMAINS = ("django", "djangojs")


def translated_languages() -> list[str]:
    """Every shipped language but English, the language the messages are written in."""
    return [code for code, _name in settings.LANGUAGES if code != "en"]


def catalog(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def statistics(po: Path) -> dict[str, int]:
    """msgfmt's own count of translated, fuzzy and untranslated messages; raises on a broken catalog.

    `--check` also refuses a translation whose placeholders differ from its message's.
    """
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    if result.returncode:
        raise AssertionError(f"{po.relative_to(LOCALE)} does not compile:\n{result.stderr}")
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr):
        counts[kind] = int(number)
    return counts


@dataclass
class Entry:
    msgid: str
    msgstrs: list[str]
    fuzzy: bool


def entries(po: Path) -> list[Entry]:
    """The messages of a .po file, header left out: enough of the format for checking words.

    makemessages writes one message per block, blocks apart by an empty line; strings are C-quoted,
    which Python's literals read alike.
    """
    found = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields, field, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = "fuzzy" in line
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[field] += ast.literal_eval(line)
            else:
                field, _, rest = line.partition(" ")
                fields[field] = ast.literal_eval(rest)
        if fields.get("msgid"):
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            found.append(Entry(fields["msgid"], strings, fuzzy))
    return found


@dataclass(frozen=True)
class Term:
    key: str
    english: str
    match: re.Pattern
    checked: bool


def terms() -> list[Term]:
    with open(GLOSSARY / "terms.csv", encoding="utf-8", newline="") as handle:
        return [
            Term(row["key"], row["english"], re.compile(row["match"], re.IGNORECASE), row["checked"] == "yes")
            for row in csv.DictReader(handle)
        ]


def glossary(language: str) -> dict[str, list[str]]:
    """term key -> the forms a translation may use (the term first, then its inflections)."""
    with open(GLOSSARY / f"{language}.csv", encoding="utf-8", newline="") as handle:
        return {row["key"]: [row["term"], *filter(None, row["forms"].split("|"))] for row in csv.DictReader(handle)}
