"""What a reviewer sees of one language: every survey text and interface string beside
its English, the glossary terms it uses, and whether a native speaker has reviewed it.
A text counts as reviewed while the translation a reviewer approved (or staff accepted)
is still the one in use; a language is reviewed when all its texts are."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from flask import current_app
from sqlalchemy import or_, select

from forms.xlsform import stored_to_raw

from .. import policy, policy_texts, surveys, version_cache
from ..extensions import db
from ..i18n.glossary import Entry, Glossary, read_glossary
from ..i18n.translation_texts import INTERFACE, POLICY, Text, catalog_path, interface_texts, read_catalog, survey_texts
from ..models import Survey, SurveyVersion, TranslationReview


@dataclass(frozen=True)
class ReviewItem:
    text: Text
    review: TranslationReview | None
    terms: tuple[Entry, ...]     # the glossary's approved words for terms the English uses
    off_glossary: tuple[str, ...] = ()   # terms whose approved word the translation lacks

    @property
    def reviewed(self) -> bool:
        return (self.review is not None and self.review.status in ("approved", "accepted")
                and tuple(self.review.translation) == self.text.translation)

    @property
    def proposed(self) -> bool:
        return self.review is not None and self.review.status == "proposed"

    @property
    def anchor(self) -> str:
        return f"{self.text.kind}-{hashlib.sha256(self.text.key.encode()).hexdigest()[:12]}"


def translations_dir() -> Path:
    return Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])


def glossary() -> Glossary:
    path = translations_dir() / "glossary.csv"
    return _glossary(str(path), path.stat().st_mtime_ns)


# Texts are read once per survey version (in the app's `version_cache`), catalog file and glossary
# file: the keys hold what changes them (a version's hash, a file's modification time).
@lru_cache(maxsize=4)
def _glossary(path: str, modified: int) -> Glossary:
    return read_glossary(Path(path))


def _survey_texts(version: SurveyVersion, language: str) -> tuple[Text, ...]:
    return version_cache.cached(("review_texts", version.id, version.definition_hash, language),
                                lambda: tuple(survey_texts(stored_to_raw(version.definition), language)))


@lru_cache(maxsize=32)
def _interface_texts(directory: str, language: str, modified: int) -> tuple[Text, ...]:
    return tuple(interface_texts(Path(directory), language))


def _texts(version: SurveyVersion, language: str) -> tuple[Text, ...]:
    directory = translations_dir()
    modified = catalog_path(directory, language).stat().st_mtime_ns
    return (_survey_texts(version, language)
            + _interface_texts(str(directory), language, modified))


def _reviews(survey: Survey, language: str) -> dict[tuple[str, str, str], TranslationReview]:
    rows = db.session.scalars(select(TranslationReview).where(
        TranslationReview.language == language,
        or_(TranslationReview.survey_id == survey.id, TranslationReview.kind.in_((INTERFACE, POLICY)))))
    return {(row.kind, row.context, row.english): row for row in rows}


def _interface_reviews(language: str) -> list[TranslationReview]:
    return list(db.session.scalars(select(TranslationReview).where(
        TranslationReview.language == language, TranslationReview.kind == INTERFACE)))


def items(survey: Survey, version: SurveyVersion, language: str, with_glossary: bool = True) -> list[ReviewItem]:
    """Survey texts first, then interface strings, then the policy words of the survey's issues
    (survey_app/policy_texts.py); interface strings show an accepted change in place of the
    catalog's text, since the catalog takes it only at the next merge."""
    reviews = _reviews(survey, language)
    words = glossary() if with_glossary else Glossary()
    result = []
    issues = [choice.name for choice in policy.ranked_choices(surveys.parsed(version))]
    for text in (*_texts(version, language), *policy_texts.review_texts(issues, language)):
        review = reviews.get((text.kind, text.context, text.english[0]))
        if text.kind == INTERFACE and review is not None and review.status == "accepted":
            text = replace(text, translation=tuple(review.translation))
        terms = tuple(entry for term in words.terms_in(" ".join(text.english))
                      if (entry := words.entry(term, language)) is not None)
        off = tuple(words.missing_terms(text.english, text.translation, language)) if text.translated else ()
        result.append(ReviewItem(text, review, terms, off))
    return result


def progress(survey: Survey, version: SurveyVersion, language: str) -> tuple[int, int]:
    """(reviewed, total) texts of the language."""
    found = items(survey, version, language, with_glossary=False)
    return sum(1 for item in found if item.reviewed), len(found)


def find_item(survey: Survey, version: SurveyVersion, language: str, kind: str, context: str,
              english: str) -> ReviewItem | None:
    for item in items(survey, version, language):
        if item.text.kind == kind and item.text.context == context and item.text.english[0] == english:
            return item
    return None


def survey_change_po(version: SurveyVersion, review: TranslationReview) -> tuple[dict, bytes]:
    """The newest definition, flat, and a `.po` file holding the accepted change, in the
    form `survey-po-import` reads."""
    catalog = Catalog(locale=None, charset="utf-8")
    catalog.add(review.english, (review.proposal or [""])[0], context=review.context)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100)
    return stored_to_raw(version.definition), buffer.getvalue()


def interface_po(language: str) -> bytes:
    """The language's interface catalog with every accepted change applied, to replace
    `translations/<folder>/LC_MESSAGES/messages.po`."""
    catalog = read_catalog(translations_dir(), language)
    for review in _interface_reviews(language):
        if review.status != "accepted":
            continue
        message = catalog.get(review.english, context=review.context or None)
        if message is None:
            continue
        forms = tuple(review.translation)
        message.string = forms if isinstance(message.string, tuple) else forms[0]
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_previous=False)
    return buffer.getvalue()
