"""Staff filter a report by chosen answers (any select question, multiple-choice ones
included, the answers' language, partner, channel): the figures are those of the matching families, small groups stay
suppressed, and no two filters can be subtracted to show what a few families answered."""
from __future__ import annotations

import pandas as pd

from survey_app.reporting.filters import withheld_groups
from tests.conftest import log_in
from tests.survey_app.report_fixtures import MN_DAY, OTHER_DAY, SLUG, add_responses, cells, row, text_of


def test_report_filter_by_language_shows_only_those_families(staff):
    html = staff.get(f"/staff/reports/{SLUG}", query_string={"f.language": "zh-Hans"}).text
    # Only New York's 20 answered in Chinese; everyone else answered in languages this filter does not split cleanly.
    assert row(html, "New York").startswith("New York 20 2026-10-01 to 2026-10-01")
    assert row(html, "All states").startswith("All states 20 ")
    assert "Responses in these dates: 20." in text_of(html)
    notice = text_of(html[html.index("Only the families who gave these answers:"):])
    assert "Language of the answers: 简体中文 (Chinese (Simplified))" in notice or "Language of the answers: " in notice
    assert "Left out under this filter" in notice and "Minnesota" in notice
    assert "Downloads are not filtered" in notice
    # The form keeps the ticked answer, and the state links carry the filter on.
    assert 'name="f.language" value="zh-Hans" checked' in html
    assert f"/staff/reports/{SLUG}/NY?f.language=zh-Hans" in html


def test_report_filter_cannot_single_out_a_few_families_by_difference(staff):
    # Every Minnesota family is a parent: that filter keeps all 12.
    parents = staff.get(f"/staff/reports/{SLUG}", query_string={"f.role": "parent"}).text
    assert row(parents, "Minnesota").startswith("Minnesota 12 ")
    # "Parents who answered in English" would be 9: 12 - 9 would then be the three families who
    # answered in Spanish or Somali. Minnesota is left out rather than shown.
    english = staff.get(f"/staff/reports/{SLUG}", query_string={"f.role": "parent", "f.language": "en"}).text
    assert row(english, "Minnesota") == "Minnesota suppressed suppressed suppressed suppressed suppressed"
    assert "Minnesota" in text_of(english[english.index("Left out under this filter"):english.index("</div>",
                                                                                       english.index("Left out"))])
    state = staff.get(f"/staff/reports/{SLUG}/MN", query_string={"f.role": "parent", "f.language": "en"}).text
    assert "Minnesota: top issues" in state
    assert "91.7%" not in state and " 9 " not in text_of(cells(state, 'id="issues-caption"'))


def test_report_filter_total_below_the_minimum_is_hidden(staff):
    html = staff.get(f"/staff/reports/{SLUG}", query_string={"f.language": "so"}).text
    assert "Responses in these dates: suppressed ." in text_of(html)
    assert row(html, "All states") == "All states suppressed suppressed suppressed suppressed suppressed"


def test_report_filter_clean_split_shows_both_parts(staff):
    # Minnesota gets 10 more families who answered in Spanish through a kiosk: by channel, its
    # families are 12 online and 10 at the kiosk, both large enough to show.
    add_responses("MN", 10, ["bilingual_programs"], day=MN_DAY, channel="kiosk")
    add_responses("NY", 10, ["safety"], day=OTHER_DAY, channel="kiosk")
    kiosk = staff.get(f"/staff/reports/{SLUG}", query_string={"f.channel": "kiosk"}).text
    assert row(kiosk, "Minnesota").startswith("Minnesota 10 ")
    assert row(kiosk, "New York").startswith("New York 10 ")
    assert row(kiosk, "All states").startswith("All states 20 ")
    web = staff.get(f"/staff/reports/{SLUG}", query_string={"f.channel": "web"}).text
    assert row(web, "Minnesota").startswith("Minnesota 12 ")
    # Tennessee and Washington are too small to split at all: left out of the total too.
    assert row(web, "All states").startswith("All states 32 ")
    # The breakdown of a state by channel under a channel filter is still the same families.
    state = staff.get(f"/staff/reports/{SLUG}/MN",
                      query_string={"f.channel": "kiosk", "breakdown": "channel"}).text
    assert "Bilingual and dual-language programs" in cells(state, 'id="issues-caption"')
    assert "10 100.0%" in text_of(cells(state, 'id="issues-caption"'))


def test_report_filter_applies_to_every_question_table(staff):
    add_responses("MN", 10, ["bilingual_programs"], day=MN_DAY, channel="kiosk")
    html = staff.get(f"/staff/question-tables/{SLUG}", query_string={"by": "", "f.channel": "kiosk"}).text
    assert "Responses in these dates: 10." in text_of(html)
    table = text_of(cells(html, 'id="caption-top_issues"'))
    assert "n = 10" in table and "n = 49" not in table
    # The grouping form carries the filter along.
    assert '<input type="hidden" name="f.channel" value="kiosk">' in html


def test_report_filter_unknown_answers_are_left_out_with_a_message(staff):
    page = staff.get(f"/staff/reports/{SLUG}", query_string={"f.language": ["zh-Hans", "xx"], "f.nope": "1"})
    assert page.status_code == 200
    html = text_of(page.text)
    assert "A question in the filter is not in this survey; it was left out." in html
    assert "An answer chosen for “Language of the answers” is not in this survey" in html
    assert row(page.text, "All states").startswith("All states 20 ")


def test_report_filter_form_offers_every_select_question(staff):
    html = staff.get(f"/staff/reports/{SLUG}").text
    start = html.index('<form method="get"')
    form = html[start:html.index("</form>", start)]
    for column in ("language", "partner", "channel", "role", "state", "interpreter_offered"):
        assert f'name="f.{column}"' in form
    assert 'class="choice-input" type="checkbox"' in form
    # Multiple-choice questions too, the ranked one included, with what ticking several answers means.
    for column in ("home_languages", "top_issues"):
        assert f'name="f.{column}"' in form
    questions = {part.split('name="f.', 1)[1].split('"', 1)[0]: part
                 for part in form.split('<details class="filter-question"')[1:]}
    hint = "those who chose any of the ticked answers count"
    assert hint in questions["home_languages"] and hint in questions["top_issues"]
    assert hint not in questions["role"] and hint not in questions["language"]


def test_report_filter_chart_follows_the_filter(staff):
    whole = staff.get(f"/staff/reports/{SLUG}/NY/chart.svg").text
    filtered = staff.get(f"/staff/reports/{SLUG}/NY/chart.svg", query_string={"f.language": "so"}).text
    assert "New York: 20 respondents" in whole
    assert "suppressed" in filtered and "20 respondents" not in filtered


def test_report_filter_is_not_offered_to_partners(partner_client):
    html = partner_client.get(f"/partner/overview/{SLUG}", query_string={"f.language": "zh-Hans"}).text
    assert 'name="f.language"' not in html
    assert row(html, "Minnesota").startswith("Minnesota 12 ")


def test_report_filter_needs_staff(client, campaign):
    log_in(client, "mira@example.org")
    assert client.get(f"/staff/reports/{SLUG}", query_string={"f.language": "en"}).status_code == 403


def test_withheld_groups_names_each_group_with_a_small_combination():
    frame = pd.DataFrame({"state": ["MN"] * 12 + ["NY"] * 20 + [None] * 10,
                          "language": ["en"] * 9 + ["es"] * 3 + ["zh"] * 10 + ["ar"] * 20})
    assert withheld_groups(frame, ["language"], "state", 10) == {"MN"}
    assert withheld_groups(frame, ["language"], None, 10) == {None}
    assert withheld_groups(frame[frame["state"] != "MN"], ["language"], None, 10) == set()
    assert withheld_groups(frame, ["language"], "state", 3) == set()


def test_report_filter_breakdown_that_would_split_off_a_few_families_is_suppressed(staff):
    add_responses("MN", 10, ["bilingual_programs"], day=MN_DAY, channel="kiosk")
    # By channel Minnesota splits cleanly (12 online, 10 at the kiosk); crossed with the answers'
    # language it does not (1 online in Spanish, 2 in Somali): that breakdown is suppressed.
    state = staff.get(f"/staff/reports/{SLUG}/MN", query_string={"f.channel": "kiosk", "breakdown": "language"}).text
    assert "10 100.0%" in text_of(cells(state, 'id="issues-caption"'))
    assert "Under this filter the breakdown of Minnesota is suppressed" in state
    breakdown = text_of(cells(state, 'id="breakdown-caption"'))
    assert "10 " not in breakdown.replace("n = ", "")
    by_role = staff.get(f"/staff/reports/{SLUG}/MN", query_string={"f.channel": "kiosk", "breakdown": "role"}).text
    assert "Under this filter the breakdown" not in by_role


def _multiple_choice_campaign() -> None:
    # On top of the campaign: Minnesota 10 at a kiosk who chose bilingual programs only, New York
    # 10 at a kiosk who chose safety and mental health.
    add_responses("MN", 10, ["bilingual_programs"], day=MN_DAY, channel="kiosk")
    add_responses("NY", 10, ["safety", "mental_health"], day=OTHER_DAY, channel="kiosk")


def test_report_filter_by_a_multiple_choice_answer_counts_those_who_chose_it(staff):
    _multiple_choice_campaign()
    html = staff.get(f"/staff/reports/{SLUG}", query_string={"f.top_issues": "bilingual_programs"}).text
    # Minnesota: 10 chose it, 12 did not. New York: 20 chose it, 10 did not. Tennessee (4) and
    # Washington (3) cannot be split at all and are left out, of the total too.
    assert row(html, "Minnesota").startswith("Minnesota 10 ")
    assert row(html, "New York").startswith("New York 20 ")
    assert row(html, "All states").startswith("All states 30 ")
    notice = text_of(html[html.index("Only the families who gave these answers:"):])
    assert "Bilingual and dual-language programs" in notice and "Tennessee" in notice and "Washington" in notice
    # What else did they choose: the state report ranks the issues of those 20 New York families,
    # all of whom also chose language access; the 10 who chose safety are not among them.
    state = text_of(cells(staff.get(f"/staff/reports/{SLUG}/NY", query_string={"f.top_issues": "bilingual_programs"})
                          .text, 'id="issues-caption"'))
    assert "Interpreters and school information in my language 20 100.0%" in state
    assert "Bilingual and dual-language programs 20 100.0%" in state
    assert "immigration enforcement suppressed" in state and "Mental health and emotional support suppressed" in state


def test_report_filter_several_multiple_choice_answers_keep_those_who_chose_any(staff):
    _multiple_choice_campaign()
    ticked = {"f.top_issues": ["bilingual_programs", "mental_health"]}
    html = staff.get(f"/staff/reports/{SLUG}", query_string=ticked).text
    # New York: 20 chose bilingual programs, 10 mental health, none both: 30 chose either.
    assert row(html, "New York").startswith("New York 30 ")
    # Minnesota would be 13 (10 + 3 who chose mental health): 13 minus the 10 of the filter
    # above is the 3 families who chose mental health. Minnesota is left out instead.
    assert row(html, "Minnesota") == "Minnesota suppressed suppressed suppressed suppressed suppressed"
    assert row(html, "All states").startswith("All states 30 ")
    # The form keeps both ticks; the question table page follows the same filter.
    assert 'name="f.top_issues" value="bilingual_programs" checked' in html
    assert 'name="f.top_issues" value="mental_health" checked' in html
    tables = staff.get(f"/staff/question-tables/{SLUG}", query_string={"by": "", **ticked}).text
    # Everyone as one group: 30 + 10 + 3 chose either (the three in Minnesota are among 59 families
    # whose combinations of these two answers are 30, 13 and 16).
    assert "Responses in these dates: 43." in text_of(tables)


def test_report_filter_multiple_choice_with_a_single_choice_filter_must_match_both(staff):
    _multiple_choice_campaign()
    html = staff.get(f"/staff/reports/{SLUG}",
                     query_string={"f.channel": "kiosk", "f.top_issues": "mental_health"}).text
    # New York: 10 at the kiosk chose mental health, 20 online did not.
    assert row(html, "New York").startswith("New York 10 ")
    # Minnesota: 3 online chose mental health, a combination too small to show.
    assert row(html, "Minnesota") == "Minnesota suppressed suppressed suppressed suppressed suppressed"
    assert row(html, "All states").startswith("All states 10 ")


def test_report_filter_by_a_multiple_choice_answer_of_fewer_than_ten_is_withheld(staff):
    # In the campaign alone, 3 Minnesota families chose mental health and 9 did not.
    html = staff.get(f"/staff/reports/{SLUG}", query_string={"f.top_issues": "mental_health"}).text
    assert row(html, "Minnesota") == "Minnesota suppressed suppressed suppressed suppressed suppressed"
    assert "Responses in these dates: suppressed ." in text_of(html)
    state = staff.get(f"/staff/reports/{SLUG}/MN", query_string={"f.top_issues": "mental_health"}).text
    assert "100.0%" not in text_of(cells(state, 'id="issues-caption"'))
