"""What a reviewer sees of one language: every survey text and interface string beside
its English, the glossary terms it uses, and whether a native speaker has reviewed it.
A text counts as reviewed while the translation a reviewer approved (or staff accepted)
is still the one in use; a language is reviewed when all its texts are."""
from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
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
from ..models import SurveyVersion, TranslationReview

# Interface strings and policy words belong to no survey: a review of one counts in every survey.
SHARED = (INTERFACE, POLICY)


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


def _reviews(survey_ids: Sequence[int],
             languages: Sequence[str]) -> dict[tuple[int | None, str, str, str, str], TranslationReview]:
    """The reviews of these surveys' texts in these languages, read in one statement, by survey (None
    for interface strings and policy words, which every survey shares), language, kind, context and English."""
    rows = db.session.scalars(select(TranslationReview).where(
        TranslationReview.language.in_(list(languages)),
        or_(TranslationReview.survey_id.in_(list(survey_ids)), TranslationReview.kind.in_(SHARED))))
    return {(None if row.kind in SHARED else row.survey_id, row.language, row.kind, row.context, row.english): row
            for row in rows}


def _review_key(text: Text, survey_id: int, language: str) -> tuple[int | None, str, str, str, str]:
    return None if text.kind in SHARED else survey_id, language, text.kind, text.context, text.english[0]


def _interface_reviews(language: str) -> list[TranslationReview]:
    return list(db.session.scalars(select(TranslationReview).where(
        TranslationReview.language == language, TranslationReview.kind == INTERFACE)))


def _item(text: Text, review: TranslationReview | None, words: Glossary, language: str) -> ReviewItem:
    if text.kind == INTERFACE and review is not None and review.status == "accepted":
        text = replace(text, translation=tuple(review.translation))
    terms = tuple(entry for term in words.terms_in(" ".join(text.english))
                  if (entry := words.entry(term, language)) is not None)
    off = tuple(words.missing_terms(text.english, text.translation, language)) if text.translated else ()
    return ReviewItem(text, review, terms, off)


def items_of(versions: Sequence[SurveyVersion], languages: Sequence[str],
             with_glossary: bool = True) -> dict[tuple[int, str], list[ReviewItem]]:
    """Each version's texts in each language, by version id and language: survey texts first, then
    interface strings, then the policy words of the survey's issues (survey_app/policy_texts.py).
    Interface strings show an accepted change in place of the catalog's text, since the catalog takes
    it only at the next merge. The database is read once for all versions and languages."""
    if not versions or not languages:
        return {}
    reviews = _reviews([version.survey_id for version in versions], languages)
    words = glossary() if with_glossary else Glossary()
    issues = {version.id: [choice.name for choice in policy.ranked_choices(surveys.parsed(version))]
              for version in versions}
    policy_words = policy_texts.review_words((code for codes in issues.values() for code in codes), languages)
    found = {}
    for version in versions:
        for language in languages:
            texts = (*_texts(version, language), *policy_words.texts(issues[version.id], language))
            found[(version.id, language)] = [
                _item(text, reviews.get(_review_key(text, version.survey_id, language)), words, language)
                for text in texts]
    return found


def items(version: SurveyVersion, language: str) -> list[ReviewItem]:
    """One language's texts of one version, with the glossary terms they use."""
    return items_of([version], [language])[(version.id, language)]


def progress(versions: Sequence[SurveyVersion], languages: Sequence[str]) -> dict[tuple[int, str], tuple[int, int]]:
    """(reviewed, total) texts of each version in each language, by version id and language."""
    return {key: (sum(1 for item in found if item.reviewed), len(found))
            for key, found in items_of(versions, languages, with_glossary=False).items()}


def find_item(version: SurveyVersion, language: str, kind: str, context: str, english: str) -> ReviewItem | None:
    for item in items(version, language):
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
