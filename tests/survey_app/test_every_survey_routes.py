"""Every route Family Voices goes through, walked for each loaded survey: Family Voices and
School Meals (tests/data/school-meals.yaml: English, Spanish and Somali, a title written once,
its own report settings and a skip chain). The table is checked against `app.url_map`, so a
route that works for one survey only, or a new route missing here, fails."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app import storage, surveys
from survey_app.cli.survey_files import read_definition
from survey_app.extensions import db
from survey_app.models import AdvocacyDate, Answer, Partner, Response, Survey, User, new_uuid
from tests.conftest import PASSWORD, Respondent, csrf_token, log_in
from tests.survey_app.report_fixtures import add_campaign

SCHOOL_MEALS = Path(__file__).resolve().parent.parent / "data" / "school-meals.yaml"
DAY = datetime(2026, 11, 2, 9, 0)


@dataclass(frozen=True)
class SurveyCase:
    slug: str
    group: str  # a group of its report_group question, with enough responses to be shown
    ranked_label: str  # a choice of its ranked question, as the reports must show it
    titles: tuple[str, ...]  # in English, and as Spanish pages show it
    comment: str  # a comment some respondent of `group` wrote
    breakdown: str  # one of its declared breakdowns
    answers: tuple[dict, ...]  # one dict per page, to walk the public survey


CASES = {
    "family-voices": SurveyCase(
        "family-voices", "NY", "Bilingual and dual-language programs", ("Family Voices", "Voces de las Familias"),
        "我们需要更多的翻译。", "role",
        ({"role": "parent", "state": "MN"}, {"grade_bands": ["k5"], "child_el": "yes"}, {"home_languages": ["so"]},
         {"top_issues": ["language_access", "safety"]},
         {"school_communication": "2", "interpreter_offered": "sometimes", "one_change": "More interpreters."})),
    "school-meals": SurveyCase(
        # Its title is written once: Spanish pages show it in English.
        "school-meals", "lincoln", "Too little time to eat", ("School Meals", "School Meals"),
        "Longer lunch breaks please", "grade",
        ({"school": "lincoln", "grade": "middle"}, {"eats_lunch": "yes", "likes_lunch": "no", "lunch_change": "Hot food"},
         {"meal_problems": ["cost"]})),
}

# endpoint -> who requests it. "flow": a POST that the walk makes as a user would (with the
# form's token); every other endpoint is requested with GET and must answer 200.
WHO = {
    "public.start": "anonymous", "public.begin": "flow", "public.page": "respondent", "public.thanks": "respondent",
    "public.again": "flow", "public.contact": "respondent", "public.contact_saved": "respondent",
    "public.kiosk_reset": "respondent", "public.results": "anonymous", "public.results_index": "anonymous",
    "partner.enter": "partner", "partner.flyer": "partner", "partner.kiosk": "partner", "partner.paper": "partner",
    "partner.paper_form": "partner", "partner.partner_overview": "partner", "partner.qr_png": "partner",
    "partner.qr_svg": "partner", "partner.responses": "partner", "partner.download_csv": "partner",
    "partner.download_xlsx": "partner", "partner.set_target": "flow",
    "staff.comments": "staff", "staff.comment_note": "flow", "staff.export_breakdown": "staff",
    "staff.export_codebook": "staff", "staff.export_responses_csv": "staff", "staff.export_responses_xlsx": "staff",
    "staff.export_summary": "staff", "staff.factsheet": "staff", "staff.public_results_switch": "flow",
    "staff.report_chart": "staff", "staff.report_overview": "staff", "staff.report_questions": "staff",
    "staff.report_state": "staff", "staff.survey_detail": "staff", "staff.survey_languages": "admin",
    "staff.survey_preview": "staff", "staff.survey_status": "flow", "staff.survey_xlsform": "staff",
    "staff.export_responses_stat": "staff", "staff.factsheet_pdf": "staff", "staff.quote_translation": "flow",
    "review.language": "staff", "review.recordings": "staff",
    "staff.brief": "staff", "staff.brief_pdf": "staff", "partner.partner_brief": "partner",
    "partner.partner_brief_pdf": "partner", "partner.connections": "partner",
}
# What a page must show for each survey, beyond answering 200.
SHOWS_RANKED = {"staff.report_overview", "staff.report_state", "partner.partner_overview", "public.results"}
SHOWS_TITLE = {"public.start", "partner.paper_form", "staff.survey_detail"}
# Fact sheets exist for US states only (the survey's groups must be states with published figures).
STATES_ONLY = {"staff.factsheet", "staff.factsheet_pdf", "staff.brief", "staff.brief_pdf", "partner.partner_brief",
               "partner.partner_brief_pdf", "partner.connections"}
ANY = re.compile(r"<any\(([^)]*)\):(\w+)>")


def survey_rules(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if "slug" in rule.arguments),
                  key=lambda rule: (rule.endpoint, rule.rule))


def add_meals(n: int, school: str, problems: list[str], comment: str | None = None, language: str = "en") -> None:
    version = surveys.newest_version("school-meals")
    partner_id = db.session.scalar(select(Partner.id).where(Partner.code == "mira"))
    for i in range(n):
        response = Response(id=new_uuid(), survey_version_id=version.id, partner_id=partner_id, language=language,
                            channel="web", submitted_at=DAY + timedelta(minutes=i))
        values = [("school", school), ("grade", "elementary"), ("eats_lunch", "yes"), ("likes_lunch", "no"),
                  *(("meal_problems", problem) for problem in problems)]
        if comment:
            values.append(("lunch_change", comment))
        response.answers = [Answer(question=q, value=v) for q, v in values]
        db.session.add(response)
    db.session.commit()


@pytest.fixture
def walk(app):
    """Both surveys with responses, public results on, and a client per role."""
    storage.load_survey(read_definition(SCHOOL_MEALS))
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("staff@example.org", PASSWORD, "staff")
    storage.create_user("admin@example.org", PASSWORD, "admin")
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    add_campaign()
    add_meals(12, "lincoln", ["too_little_time", "cost"], comment="Longer lunch breaks please")
    add_meals(11, "roosevelt", ["too_little_time", "halal_options"], language="so")
    for survey in db.session.scalars(select(Survey)):
        storage.set_public_results(survey, True)
    staff_user = db.session.scalar(select(User).where(User.email == "staff@example.org"))
    for state in ("NY", "MA"):
        storage.add_advocacy_date({"state_code": state, "starts_on": DAY.date() + timedelta(days=400),
                                   "kind": "board_meeting", "title": f"Meeting in {state}"}, staff_user)
    clients = {"anonymous": app.test_client(), "respondent": app.test_client()}
    for role, email in (("staff", "staff@example.org"), ("admin", "admin@example.org"),
                        ("partner", "mira@example.org")):
        clients[role] = app.test_client()
        log_in(clients[role], email)
    return clients


def comment_id(slug: str, text: str) -> int:
    return db.session.scalar(select(Answer.id).where(Answer.value == text))


def urls(app, rule, case: SurveyCase) -> list[str]:
    """The rule's addresses for one survey: each of its `any(...)` options."""
    # A brief is for a date in the state: staff's in the case's group, a partner's in its own state (MA).
    date_state = "MA" if rule.endpoint.startswith("partner.") else case.group
    values = {"slug": case.slug, "state": case.group, "language_code": "es", "number": 1,
              "answer_id": comment_id(case.slug, case.comment),
              "date_id": db.session.scalar(select(AdvocacyDate.id).where(AdvocacyDate.state_code == date_state))
              or db.session.scalar(select(AdvocacyDate.id))}  # a group that is no state has no dates: 404
    choices = [[(name, option.strip().strip("'\"")) for option in options.split(",")]
               for options, name in ANY.findall(rule.rule)]
    combos = [dict(pairs) for pairs in zip(*choices)] if choices else [{}]
    with app.test_request_context():
        from flask import url_for

        query = {"breakdown": case.breakdown} if rule.endpoint == "staff.export_breakdown" else {}
        return [url_for(rule.endpoint, **{name: values[name] for name in rule.arguments if name in values},
                        **combo, **query) for combo in combos]


def test_every_survey_routes_table_matches_the_app(app):
    endpoints = {rule.endpoint for rule in survey_rules(app)}
    assert endpoints - set(WHO) == set(), "add the new survey route to WHO and walk it for every survey"
    assert set(WHO) - endpoints == set(), "a route in WHO no longer exists"


def answer_survey(client, case: SurveyCase) -> str:
    """Start the survey, answer every page, and return the thank-you page."""
    respondent = Respondent(client, case.slug)
    page = respondent.start()
    assert page.status_code == 200
    for answers in case.answers:
        page = respondent.answer(**answers)
        assert page.status_code == 200, page.text[:300]
    assert respondent.path == f"/s/{case.slug}/thanks", respondent.page.text[:500]
    return page.text


@pytest.mark.parametrize("slug", sorted(CASES))
def test_every_survey_routes_answer_with_content(app, walk, slug):
    case = CASES[slug]
    clients = walk
    thanks = answer_survey(clients["respondent"], case)
    assert "Your answers have been saved." in thanks
    problems = []
    for rule in survey_rules(app):
        who = WHO[rule.endpoint]
        if who == "flow":
            continue
        for url in urls(app, rule, case):
            reply = clients[who].get(url)
            status = reply.status_code
            if rule.endpoint in STATES_ONLY and slug == "school-meals":
                expected = 404
            elif rule.endpoint == "public.contact" or rule.endpoint == "public.contact_saved":
                expected = status if status in (200, 302, 404) else 200  # offered only with a CONTACT_KEY
            elif rule.endpoint == "public.kiosk_reset":
                expected = 302  # back to the start page
            elif rule.endpoint == "public.page":
                expected = status if status in (200, 302) else 200  # after submitting, back to the start
            else:
                expected = 200
            if status != expected:
                problems.append(f"GET {url} as {who}: {status}")
                continue
            text = reply.get_data(as_text=True) if reply.mimetype.startswith("text/") else ""
            if rule.endpoint in SHOWS_RANKED and case.ranked_label not in text:
                problems.append(f"GET {url}: no {case.ranked_label!r}")
            if rule.endpoint in SHOWS_TITLE and not any(title in text for title in case.titles):
                problems.append(f"GET {url}: no title {case.titles!r}")
            if rule.endpoint == "staff.comments" and case.comment not in text:
                problems.append(f"GET {url}: no comment {case.comment!r}")
    assert problems == [], "\n".join(problems)


def test_every_survey_routes_staff_and_partner_posts(app, walk):
    """The POST routes, for each survey, with the page's own token."""
    staff, admin = walk["staff"], walk["admin"]
    for case in CASES.values():
        report = staff.get(f"/staff/reports/{case.slug}")
        token = csrf_token(report.text)
        reply = staff.post(f"/staff/reports/{case.slug}/public-results", data={"csrf_token": token,
                                                                            "public_results": "on"})
        assert reply.status_code == 302
        state = quote(case.group)
        answer = comment_id(case.slug, case.comment)
        group = case.group
        comments = staff.get(f"/staff/comments/{case.slug}/{group}")
        assert comments.status_code == 200 and case.comment in comments.text
        tags = "cost" if case.slug == "school-meals" else "safety"
        reply = staff.post(f"/staff/comments/{case.slug}/{group}/{answer}",
                           data={"csrf_token": csrf_token(comments.text), "tags": tags, "star": "1"})
        assert reply.status_code == 302, (state, reply.status_code)
        detail = admin.get(f"/staff/surveys/{case.slug}")
        reply = admin.post(f"/staff/surveys/{case.slug}/close", data={"csrf_token": csrf_token(detail.text)})
        assert reply.status_code == 302
        reply = admin.post(f"/staff/surveys/{case.slug}/publish", data={"csrf_token": csrf_token(detail.text)})
        assert reply.status_code == 302


def test_every_survey_routes_school_meals_report_uses_its_settings(app, walk):
    staff = walk["staff"]
    assert "<h1>Top issues in every state</h1>" in staff.get("/staff/reports/family-voices").text
    assert "<h1>Answers to every question</h1>" in staff.get("/staff/question-tables/school-meals").text
    html = staff.get("/staff/reports/school-meals/lincoln?breakdown=grade").text
    assert "Lincoln Elementary" in html and "Too little time to eat" in html
    # Its groups are schools, not states: no state wording, no fact sheet.
    assert "Compared with the other groups" in html and "other states" not in html
    assert "/staff/factsheets/" not in html
    assert "Which grade is your child in?" in html  # the declared breakdown, named by its question
    summary = staff.get("/staff/exports/school-meals/summary.csv").text
    assert "lincoln,Lincoln Elementary,too_little_time,Too little time to eat,12,12," in summary


ODD = st.one_of(st.text(max_size=20), st.sampled_from(["", "ALL", "MN", "lincoln", "0", "-1", "9" * 30, "%00",
                                                       "<script>", "2026-02-30", "by", "x" * 500]))
QUERY = st.dictionaries(st.sampled_from(["start", "end", "by", "breakdown", "top", "question", "issue", "page",
                                         "starred", "lang", "ref", "f.language", "f.role", "f.state", "f.x"]), ODD,
                        max_size=5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=10_000), slug=st.sampled_from(sorted(CASES)), query=QUERY)
def test_every_survey_routes_odd_queries_never_fail(app, walk, index, slug, query):
    rules = [rule for rule in survey_rules(app) if WHO[rule.endpoint] != "flow"]
    rule = rules[index % len(rules)]
    for url in urls(app, rule, CASES[slug]):
        path, _, own = url.partition("?")
        reply = walk[WHO[rule.endpoint]].get(path, query_string={**dict(parse_qsl(own)), **query})
        assert reply.status_code < 500, f"GET {url}?{query}: {reply.status_code}"
