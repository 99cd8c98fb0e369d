"""The translators' glossary (`translations/glossary.csv`): for each term families meet
everywhere, the approved translation in each language, and a note.

A row with language `en` lists the English forms that count as using the term. The
`approved` column may list several forms separated by `|` (inflections, or a stem
such as Polish `spraw` for sprawa/sprawy/spraw): a translation uses the term when one
of them appears in it. Case, and Arabic short-vowel marks, do not count."""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable

SOURCE_LANGUAGE = "en"
# Arabic-script short vowels and the dagger alif: written in some texts, left out in most.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")
# A placeholder's name is not a word of the text: `%(question)s` says nothing about questions.
_PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{[^}]*\}")


@dataclass(frozen=True)
class Entry:
    term: str
    language: str
    approved: tuple[str, ...]
    note: str = ""

    @property
    def approved_text(self) -> str:
        return " | ".join(self.approved)


def comparable(text: str) -> str:
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)).casefold()


@dataclass(frozen=True)
class Glossary:
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)

    @cached_property
    def terms(self) -> list[str]:
        return [term for term, language in self.entries if language == SOURCE_LANGUAGE]

    @cached_property
    def _english_patterns(self) -> dict[str, re.Pattern[str]]:
        """One pattern per term: any of its English forms as a whole word."""
        return {term: re.compile("|".join(rf"(?<![\w-]){re.escape(form)}(?![\w-])"
                                          for form in self.entries[(term, SOURCE_LANGUAGE)].approved), re.IGNORECASE)
                for term in self.terms}

    def entry(self, term: str, language: str) -> Entry | None:
        return self.entries.get((term, language))

    def for_language(self, language: str) -> list[Entry]:
        return [entry for (_term, code), entry in self.entries.items() if code == language]

    def terms_in(self, english: str) -> list[str]:
        """Terms whose English forms occur in `english` as whole words."""
        words = _PLACEHOLDER.sub(" ", english)
        return [term for term, pattern in self._english_patterns.items() if pattern.search(words)]

    def missing_terms(self, english: Iterable[str], translation: Iterable[str], language: str) -> list[str]:
        """Terms the English uses whose approved translation is absent from any
        translated form (plural forms are checked one by one)."""
        found = {term for text in english for term in self.terms_in(text)}
        used = [term for term in self.terms if term in found]
        missing = []
        for term in used:
            entry = self.entry(term, language)
            if entry is None:
                continue
            forms = [comparable(form) for form in entry.approved]
            if any(text and not any(form in comparable(text) for form in forms) for text in translation):
                missing.append(term)
        return missing


def read_glossary(path: Path) -> Glossary:
    entries: dict[tuple[str, str], Entry] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            approved = tuple(form.strip() for form in row["approved"].split("|") if form.strip())
            entry = Entry(row["term"].strip(), row["language"].strip(), approved, (row.get("note") or "").strip())
            entries[(entry.term, entry.language)] = entry
    return Glossary(entries)
