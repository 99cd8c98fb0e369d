"""A brief in Arabic and in Karen, as a PDF: its text read back out of the file holds the
survey's Arabic and Karen words (its title, the issues) and the translated lever, so the PDF
draws those scripts as text, not as empty boxes or pictures."""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from survey_app import storage
from survey_app.cli.survey_files import DATA
from survey_app.extensions import db
from survey_app.models import PolicyLever, User
from survey_app.storage import read_partners_csv
from tests.survey_app.report_fixtures import SLUG

# What the first federal lever on language access provides, translated (drafts, like the catalogs).
LEVER = {
    "ar": "معلومات للأهل بصيغة، وبقدر الإمكان بلغة، يستطيعون فهمها",
    "ksw": "တၢ်ဂ့ၢ်တၢ်ကျိၤ လၢ မိၢ်ပၢ် အဂီၢ် လၢ ကျိာ် လၢအဝဲသ့ၣ် နာ်ပၢၢ်သ့ ဖဲ အမၤန့ၢ်သ့အခါ",
}
# The survey's own words in each language: its title and the two issues Minnesota publishes.
WORDS = {
    "ar": ["أصوات العائلات", "مترجمون ومعلومات المدرسة بلغتي", "الأمان في المدرسة، ومن ذلك الخوف"],
    "ksw": ["ဟံၣ်ဖိဃီဖိ အကလုၢ်", "ပှၤကိးထံကျိာ် ဒီး ကၠိ အတၢ်ဂ့ၢ်တၢ်ကျိၤ လၢ ယကျိာ်", "တၢ်ပူၤဖျဲး လၢကၠိ"],
}


def squeezed(text: str) -> str:
    """Text compared as read: PDF readers split lines and clusters with spaces, and may give
    Arabic letters as their presentation forms."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture
def brief_id(staff) -> int:
    assert storage.load_policy_levers(read_partners_csv(Path(DATA / "policy_levers.csv"))) == 17
    lever = db.session.scalar(select(PolicyLever).where(PolicyLever.issue == "language_access")
                              .order_by(PolicyLever.id))
    for language, text in LEVER.items():
        storage.save_policy_text(f"lever:{lever.id}", language, text, lever.provides, None)
    user = db.session.scalar(select(User).where(User.email == "staff@example.org"))
    entry = storage.add_advocacy_date({"state_code": "MN", "starts_on": date.today() + timedelta(days=5),
                                       "kind": "board_meeting", "title": "State board of education",
                                       "issues": ["language_access"]}, user)
    return entry.id


@pytest.mark.parametrize("language", ["ar", "ksw"])
def test_brief_pdf_text_holds_every_script(staff, brief_id, language):
    reply = staff.get(f"/staff/briefs/{SLUG}/MN/{brief_id}.pdf?language={language}")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    text = squeezed("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.data)).pages))
    for words in [*WORDS[language], LEVER[language]]:
        assert squeezed(words) in text, f"{words!r} is not in the PDF's text"
    # The English around them is there too: the sheet mixes scripts, each drawn as text.
    assert squeezed("Where the law gives families a lever") in text


@pytest.mark.parametrize("language", ["ar", "ksw"])
def test_brief_page_marks_each_text_with_its_language(staff, brief_id, language):
    html = staff.get(f"/staff/briefs/{SLUG}/MN/{brief_id}?language={language}").text
    assert f'<bdi lang="{language}">{LEVER[language]}</bdi>' in html
    assert f'<dt lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
