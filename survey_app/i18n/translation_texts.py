"""Every translated text of one language, beside its English: the survey's texts (as
`survey-po-export` writes them, so their contexts are the same) and the interface
catalog. The glossary check and the reviewers' pages both read texts from here."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from forms import translation_files

from .locale import BY_CODE

SURVEY, INTERFACE = "survey", "interface"
# Policy words kept in the database (survey_app/policy_texts.py): issue lines and lever texts.
POLICY = "policy"
STAFF_CONTEXT = "staff"


@dataclass(frozen=True)
class Text:
    kind: str                       # SURVEY, INTERFACE or POLICY
    context: str                    # msgctxt: `survey:role:label`, "staff", or "" for none
    english: tuple[str, ...]        # msgid, and msgid_plural for a count
    translation: tuple[str, ...]    # msgstr, one per plural form; "" where untranslated

    @property
    def key(self) -> str:
        """Unique within a language and kind: the English can change under a context."""
        return f"{self.context}\x04{self.english[0]}"

    @property
    def translated(self) -> bool:
        return all(self.translation)


def _texts(kind: str, catalog: Catalog) -> list[Text]:
    texts = []
    for message in catalog:
        if not message.id:
            continue
        english = tuple(message.id) if isinstance(message.id, (tuple, list)) else (str(message.id),)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        texts.append(Text(kind, message.context or "", english, tuple(str(s or "") for s in strings)))
    return texts


def survey_texts(raw_definition: Mapping[str, Any], language: str) -> list[Text]:
    """The survey's texts in `language`, from a flat (XLSForm-shaped) definition."""
    return _texts(SURVEY, read_po(io.BytesIO(translation_files.export_po(raw_definition, language))))


def catalog_path(translations_dir: Path, language: str) -> Path:
    return translations_dir / BY_CODE[language].folder / "LC_MESSAGES" / "messages.po"


def read_catalog(translations_dir: Path, language: str) -> Catalog:
    with catalog_path(translations_dir, language).open("rb") as handle:
        return read_po(handle)


def interface_texts(translations_dir: Path, language: str, staff: bool = False) -> list[Text]:
    """The interface catalog's entries; staff-page entries (which may stay English) only if asked."""
    return [text for text in _texts(INTERFACE, read_catalog(translations_dir, language))
            if staff or text.context != STAFF_CONTEXT]
