"""Each language uses one approved word for each term families meet everywhere."""
from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.cli.survey_files import DEFAULT_SURVEY_FILE, read_definition
from survey_app.i18n.glossary import SOURCE_LANGUAGE, read_glossary
from survey_app.i18n.locale import LANGUAGES
from survey_app.i18n.translation_texts import interface_texts, survey_texts

TRANSLATIONS = Path("translations")
GLOSSARY = read_glossary(TRANSLATIONS / "glossary.csv")
NON_ENGLISH = [language.code for language in LANGUAGES if language.code != "en"]
TERMS = ("issue", "question", "English Learner", "interpreter", "survey", "anonymous", "kindergarten",
         "preschool", "bilingual", "dual-language", "special education", "grade")


def test_glossary_has_every_term_in_every_language():
    assert set(GLOSSARY.terms) >= set(TERMS)
    gaps = [(term, code) for term in GLOSSARY.terms for code in NON_ENGLISH
            if GLOSSARY.entry(term, code) is None or not GLOSSARY.entry(term, code).approved]
    assert gaps == []
    unknown = {code for _term, code in GLOSSARY.entries} - set(NON_ENGLISH) - {SOURCE_LANGUAGE}
    assert unknown == set()


@pytest.mark.parametrize("code", NON_ENGLISH)
def test_glossary_terms_are_translated_as_approved(code):
    texts = survey_texts(read_definition(DEFAULT_SURVEY_FILE), code) + interface_texts(TRANSLATIONS, code, staff=True)
    assert sum(1 for text in texts if GLOSSARY.terms_in(" ".join(text.english))) > 30
    wrong = [f"{text.context} {text.english[0]!r}: {term} should be {GLOSSARY.entry(term, code).approved_text!r}"
             for text in texts if text.translated
             for term in GLOSSARY.missing_terms(text.english, text.translation, code)]
    assert wrong == []


def test_glossary_flags_question_word_used_for_issue():
    english = ("Choose at least one issue.",)
    assert GLOSSARY.missing_terms(english, ("请至少选择一个问题。",), "zh-Hans") == ["issue"]
    assert GLOSSARY.missing_terms(english, ("请至少选择一个事项。",), "zh-Hans") == []


def test_glossary_matches_whole_english_words_only():
    assert GLOSSARY.terms_in("Grades 6 to 8") == ["grade"]
    assert GLOSSARY.terms_in("Tissue and upgrade") == []
    assert SOURCE_LANGUAGE == "en" and GLOSSARY.terms_in("Bilingual and dual-language programs") == [
        "bilingual", "dual-language"]


def test_glossary_a_placeholder_name_is_not_a_term():
    assert GLOSSARY.terms_in("%(question)s (optional)") == []
    assert "question" in GLOSSARY.terms_in("Answer this question.")
