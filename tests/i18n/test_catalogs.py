"""Every shipped language is complete, compiles, and uses its glossary's words for the domain's terms."""

import re

import pytest

from tests.i18n.catalogs import DOMAINS, catalog, entries, glossary, statistics, terms, translated_languages

PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{\{[^}]*\}\}|\{[a-z_]+\}")


@pytest.mark.parametrize("language", translated_languages())
@pytest.mark.parametrize("domain", DOMAINS)
def test_catalog_is_complete(language, domain):
    counts = statistics(catalog(language, domain))
    assert counts["translated"] > 0
    assert counts["fuzzy"] == 0, f"{language}/{domain}: {counts['fuzzy']} fuzzy translations"
    assert counts["untranslated"] == 0, f"{language}/{domain}: {counts['untranslated']} untranslated messages"


def test_every_language_has_the_same_messages():
    """A catalog made before the last extraction would pass the count check while missing messages."""
    for domain in DOMAINS:
        reference = {entry.msgid for entry in entries(catalog(translated_languages()[0], domain))}
        for language in translated_languages()[1:]:
            assert {entry.msgid for entry in entries(catalog(language, domain))} == reference, (language, domain)


@pytest.mark.parametrize("language", translated_languages())
def test_glossary_covers_every_term(language):
    words = glossary(language)
    missing = [term.key for term in terms() if not words.get(term.key, [""])[0]]
    assert not missing, f"{language} glossary lacks {missing}"


@pytest.mark.parametrize("language", translated_languages())
def test_translations_use_the_glossary(language):
    """Where a message names a checked term, its translation uses one of the glossary's forms for it.

    Placeholders are left out of the search: `%(reviewer)s` names a person, not the term.
    """
    words = glossary(language)
    checked = [term for term in terms() if term.checked]
    stray = []
    for domain in DOMAINS:
        for entry in entries(catalog(language, domain)):
            for term in checked:
                if term.match.search(PLACEHOLDER.sub("", entry.msgid)):
                    forms = [form.casefold() for form in words[term.key]]
                    for text in entry.msgstrs:
                        if text and not any(form in text.casefold() for form in forms):
                            stray.append(f"{term.english!r} in {entry.msgid!r} -> {text!r}")
    assert not stray, f"{language}: {len(stray)} translations leave the glossary:\n" + "\n".join(stray[:40])
