"""A small campaign whose report figures are worked out by hand, shared by the report,
export, comment, fact sheet, results page and summary command tests.

    state  respondents  top issues chosen                                  day
    MN     12           9 x [language_access, safety]                      2026-10-05
                        1 x [language_access, mental_health]
                        2 x [safety, mental_health]
    NY     20           20 x [language_access, bilingual_programs]         2026-10-01
    TN      4           4 x [language_access, safety]                      2026-10-01
    WA      3           3 x [language_access, safety]                      2026-10-01

With a minimum of 10: TN and WA are suppressed as states (two hidden states, so neither can
be worked out from ALL). In MN, safety 11/12 and language_access 10/12 are published, mental
health (3) and every issue nobody chose (0) are suppressed. ALL has 39 respondents.

The fixtures that load it (`users`, `campaign`, `staff`, `partner_client`) are in conftest.py;
`cells`, `row` and `text_of` read the figures back from a report page.
"""
from __future__ import annotations

import html as html_module
import re
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from survey_app import surveys
from survey_app.extensions import db
from survey_app.models import Answer, Partner, Response, new_uuid

SLUG = "family-voices"
XSS = "<script>alert('x')</script> Más intérpretes"
FORMULA = "=cmd|' /C calc'!A0"
MN_DAY = datetime(2026, 10, 5, 12, 0)
OTHER_DAY = datetime(2026, 10, 1, 12, 0)


def add_responses(state: str, n: int, issues: list[str], *, day: datetime, language: str = "en",
                  partner: str | None = None, channel: str = "web", one_change: str | None = None) -> list[str]:
    """`n` complete responses written directly, so every count is known exactly: two statements,
    one for the responses and one for their answers, in the order given."""
    version = surveys.newest_version(SLUG)
    partner_id = db.session.scalar(select(Partner.id).where(Partner.code == partner)) if partner else None
    values = [("role", "parent"), ("state", state), ("home_languages", "es"),
              *(("top_issues", issue) for issue in issues),
              ("school_communication", "3"), ("interpreter_offered", "never")]
    if one_change:
        values.append(("one_change", one_change))
    ids = [new_uuid() for _ in range(n)]
    db.session.execute(insert(Response), [
        {"id": response_id, "survey_version_id": version.id, "partner_id": partner_id, "language": language,
         "channel": channel, "submitted_at": day + timedelta(minutes=i)} for i, response_id in enumerate(ids)])
    db.session.execute(insert(Answer), [{"response_id": response_id, "question": question, "value": value}
                                        for response_id in ids for question, value in values])
    db.session.commit()
    return ids


def add_campaign() -> None:
    add_responses("MN", 9, ["language_access", "safety"], day=MN_DAY, partner="caal")
    add_responses("MN", 1, ["language_access", "mental_health"], day=MN_DAY, language="es", one_change=XSS)
    add_responses("MN", 2, ["safety", "mental_health"], day=MN_DAY, language="so", one_change=FORMULA)
    add_responses("NY", 20, ["language_access", "bilingual_programs"], day=OTHER_DAY, language="zh-Hans",
                  one_change="我们需要更多的翻译。")
    add_responses("TN", 4, ["language_access", "safety"], day=OTHER_DAY, one_change="TN-ONLY comment")
    add_responses("WA", 3, ["language_access", "safety"], day=OTHER_DAY)


def cells(html: str, marker: str) -> str:
    """The page from `marker` to the end of the table that follows it."""
    start = html.index(marker)
    return html[start:html.index("</table>", start)]


def text_of(html: str) -> str:
    """The words of `html`, its tags and runs of white space each made one space."""
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def row(html: str, label: str) -> str:
    """The text of the table row whose header cell is `label`."""
    match = re.search(r"<tr>\s*(?:<td>[^<]*</td>\s*)?<th scope=\"row\">(?:<a[^>]*>)?" + re.escape(label)
                      + r"(.*?)</tr>", html, re.S)
    assert match, f"no row {label!r}"
    return text_of(match.group(0)).strip()
