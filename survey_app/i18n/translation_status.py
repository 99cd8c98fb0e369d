"""How complete each language is: interface catalogs and survey texts, with the
review status translators record in each catalog's header comment."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from babel.messages.pofile import read_po

from forms.text_coverage import MissingText, missing_texts, translation_coverage

from .locale import BY_CODE, LANGUAGES, Language, interface_code, language_for

# A lone "%" counts too: a translation that adds one breaks the page's %-formatting.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif%]|%")
REVIEW = re.compile(r"^#\s*Review-Status:\s*(?P<status>.+)$", re.MULTILINE)


STAFF_CONTEXT = "staff"


@dataclass(frozen=True)
class CatalogStatus:
    """Counts cover what respondents see; staff and partner pages (context "staff")
    are counted apart, since an untranslated staff page shows English to staff only."""

    language: Language
    translated: int
    total: int
    broken: tuple[str, ...]   # msgids whose placeholders differ from the translation
    review: str
    staff_translated: int = 0
    staff_total: int = 0

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def catalog_status(translations_dir: Path, language: Language) -> CatalogStatus:
    path = translations_dir / language.folder / "LC_MESSAGES" / "messages.po"
    if language.code == "en":
        return CatalogStatus(language, 1, 1, (), "source text")
    try:
        stat = path.stat()
    except FileNotFoundError:
        return CatalogStatus(language, 0, 1, (), "missing")
    # Every app reads all catalogs when it starts (the tests start hundreds); a changed file has a new key.
    return _read_catalog_status(path, language, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _read_catalog_status(path: Path, language: Language, _mtime_ns: int, _size: int) -> CatalogStatus:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    counts = {False: [0, 0], True: [0, 0]}   # staff? -> [translated, total]
    broken: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        staff = message.context == STAFF_CONTEXT
        counts[staff][1] += 1
        singular = message.id if isinstance(message.id, str) else message.id[0]
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ("",))
        if all(strings) and not message.fuzzy:
            counts[staff][0] += 1
            if any(placeholders(s) != placeholders(singular) for s in strings):
                broken.append(singular)
    review = REVIEW.search(catalog.header_comment or "")
    return CatalogStatus(language, counts[False][0], counts[False][1], tuple(broken),
                         review["status"].strip() if review else "unknown", counts[True][0], counts[True][1])


def survey_review(definition: Mapping[str, Any], language: str) -> str:
    return definition["settings"].get("review", {}).get(language, "")


def survey_placeholder_problems(definition: Mapping[str, Any], language: str) -> list[str]:
    """Texts whose ${...} references differ between the default language and `language`."""
    source = definition["settings"]["default_language"]
    problems = []
    reference = re.compile(r"\$\{\w+\}")
    rows = list(definition["survey"]) + [c for items in definition["choices"].values() for c in items]
    for row in rows:
        for column, texts in row.items():
            if isinstance(texts, dict) and texts.get(language) and texts.get(source):
                if sorted(reference.findall(texts[source])) != sorted(reference.findall(texts[language])):
                    problems.append(f"{row.get('name', '?')}:{column}")
    return problems


def report(translations_dir: Path, definitions: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], bool]:
    """Lines to print, and whether every language a survey offers is complete."""
    lines: list[str] = []
    ok = True
    for language in LANGUAGES:
        ui = catalog_status(translations_dir, language)
        line = (f"{language.code:8} {language.english_name:22} interface {ui.share:6.1%} "
                f"({ui.translated}/{ui.total}), staff pages {ui.staff_translated}/{ui.staff_total}, "
                f"review: {ui.review}")
        lines.append(line)
        if ui.broken:
            ok = False
            lines.extend(f"    broken placeholder: {msgid!r}" for msgid in ui.broken)
        for slug, definition in definitions.items():
            done, total = translation_coverage(definition, language.code)
            offered = done > 0 and ui.translated > 0
            status = survey_review(definition, language.code) or ("source text" if language.code == "en" else "-")
            lines.append(f"    survey {slug}: {done / total if total else 1:6.1%} ({done}/{total}) review: {status}")
            problems = survey_placeholder_problems(definition, language.code)
            if offered and (done < total or ui.translated < ui.total or problems):
                ok = False
                lines.append(f"    GAP: {language.english_name} is offered for {slug} but is not complete"
                             + (f"; placeholders differ in {', '.join(problems)}" if problems else ""))
    return lines, ok


@dataclass(frozen=True)
class LanguageStatus:
    """One language of one survey version: its survey text, the interface around it,
    and the review status translators recorded."""

    code: str
    language: Language
    # For a code the service has no catalog for: the language whose buttons and messages are shown with it.
    interface: Language | None
    survey_done: int
    survey_total: int
    ui_done: int | None
    ui_total: int | None
    review: str
    complete: bool
    missing: tuple[MissingText, ...] = ()  # what respondents must read that is not translated

    @property
    def offerable(self) -> bool:
        """Whether families can be offered it: every text they must read to answer is translated,
        and the service's buttons and messages exist in it or in the closest language it has
        (staff may still switch it off)."""
        return not self.missing and (self.ui_total is not None or self.interface is not None)


def survey_language_status(definition: Mapping[str, Any], codes: Iterable[str],
                           catalogs: Mapping[str, CatalogStatus]) -> list[LanguageStatus]:
    rows = []
    for code in codes:
        done, total = translation_coverage(definition, code)
        catalog = catalogs.get(code)
        review = definition["settings"].get("review", {}).get(code) or (catalog.review if catalog else "")
        interface = None if code in BY_CODE else BY_CODE[interface_code(code)]
        if interface is None:
            complete = (done == total and catalog is not None and catalog.translated == catalog.total
                        and not catalog.broken)
        else:
            complete = done == total
        rows.append(LanguageStatus(code, language_for(code), interface, done, total,
                                   catalog.translated if catalog else None, catalog.total if catalog else None,
                                   review, complete, tuple(missing_texts(definition, code))))
    return rows


def offer_lines(statuses: Iterable[LanguageStatus], shown: int = 20) -> list[str]:
    """For each language of a survey file: whether families will be offered it and, if not, why
    (the missing texts by sheet, row and column, the first `shown` of them)."""
    lines = []
    for status in statuses:
        name = status.language.english_name if status.language else status.code
        if status.offerable:
            lines.append(f"  {status.code} ({name}): families will be offered it.")
            continue
        if status.language is None or status.ui_total is None:
            lines.append(f"  {status.code} ({name}): not offered: this service has no buttons and messages "
                         "in this language.")
            continue
        lines.append(f"  {status.code} ({name}): not offered: {len(status.missing)} texts families must read "
                     "are not translated:")
        lines.extend(f"    {text}" for text in status.missing[:shown])
        if len(status.missing) > shown:
            lines.append(f"    and {len(status.missing) - shown} more")
    return lines
