"""Policy levers beside each issue and the advocacy calendar, through the staff area and the
partner portal; the calendar feed parsed back by the library that wrote it."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from survey_app import policy, storage
from survey_app.cli.survey_files import DATA
from survey_app.extensions import db
from survey_app.models import AdvocacyDate, Partner, PolicyLever
from survey_app.storage import read_partners_csv
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
SOON = date.today() + timedelta(days=10)


def log_in(client, email: str) -> None:
    page = client.get("/login")
    reply = client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    assert reply.status_code == 302


@pytest.fixture
def levers(app):
    assert storage.load_policy_levers(read_partners_csv(Path(DATA / "policy_levers.csv"))) == 17
    assert storage.load_policy_levers(read_partners_csv(Path(DATA / "policy_levers.csv"))) == 0  # only once
    return app


@pytest.fixture
def staff(levers):
    storage.create_user("staff@example.org", PASSWORD, "staff")
    client = levers.test_client()
    log_in(client, "staff@example.org")
    return client


@pytest.fixture
def mira(levers):
    """A partner user of MIRA, in Massachusetts."""
    partner = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    assert partner.state_code == "MA"
    storage.create_user("mira@example.org", PASSWORD, "partner", partner)
    client = levers.test_client()
    log_in(client, "mira@example.org")
    return client


def post_form(client, path: str, **data):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data}, follow_redirects=True)


def test_policy_federal_levers_are_listed_with_their_verification(staff):
    page = staff.get("/staff/levers")
    assert page.status_code == 200
    assert "ESSA Title I §1112(e)(3)" in page.text
    assert "Not re-read" in page.text and "Source read" in page.text
    # Issues are named as the survey words them, not by code.
    assert '<h2 id="issue-language_access">Interpreters and school information in my language</h2>' in page.text


def test_policy_a_state_lever_appears_only_in_its_state(staff):
    reply = post_form(staff, "/staff/levers/new", issue="language_access", state_code="MN", kind="state_statute",
                      lever="Minn. Stat. 124D.59", provides="Schools explain programs to parents in their language.",
                      source="Minnesota Statutes 2024, 124D.59", source_url="https://www.revisor.mn.gov/",
                      verification="read", as_of="2024-07-01")
    assert "The provision was saved." in reply.text
    in_mn = [lever.lever for lever in policy.levers_for(["language_access"], "MN")["language_access"]]
    in_ca = [lever.lever for lever in policy.levers_for(["language_access"], "CA")["language_access"]]
    assert "Minn. Stat. 124D.59" in in_mn and "Minn. Stat. 124D.59" not in in_ca
    assert in_mn[:len(in_ca)] == in_ca  # federal ones first, in both


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "federal", "state_code": "MN"}, "A federal provision applies in every state"),
    ({"source_url": "javascript:alert(1)"}, "Enter a web address that starts with https://"),
    ({"lever": ""}, "Enter the provision."),
])
def test_policy_lever_form_explains_what_to_fix_and_keeps_the_rest(staff, changes, message):
    fields = {"issue": "safety", "state_code": "MN", "kind": "board_rule", "lever": "Board rule 7",
              "provides": "Safe schools.", "source": "Board minutes", "verification": "read", **changes}
    reply = post_form(staff, "/staff/levers/new", **fields)
    assert message in reply.text
    assert "Safe schools." in reply.text  # what was typed is still there
    assert db.session.scalar(select(func.count()).select_from(PolicyLever)) == 17


def test_policy_partner_adds_dates_for_their_own_state_only(mira):
    reply = post_form(mira, "/partner/calendar", state_code="MA", kind="comment_period",
                      title="Comment period on the ESSA plan amendment", starts_on=SOON.isoformat(),
                      ends_on=(SOON + timedelta(days=30)).isoformat(), issues=["language_access", "newcomers"])
    assert "The date was added." in reply.text
    assert "Comment period on the ESSA plan amendment" in reply.text
    refused = post_form(mira, "/partner/calendar", state_code="CA", kind="board_meeting", title="Elsewhere",
                        starts_on=SOON.isoformat())
    assert "Not a valid choice" in refused.text
    assert [entry.state_code for entry in db.session.scalars(select(AdvocacyDate))] == ["MA"]


def test_policy_partner_cannot_delete_another_states_date(mira, staff):
    post_form(staff, "/staff/calendar", state_code="MN", kind="board_meeting", title="MN board",
              starts_on=SOON.isoformat())
    entry = db.session.scalar(select(AdvocacyDate))
    page = mira.get("/partner/calendar")
    assert "MN board" not in page.text
    reply = mira.post(f"/partner/calendar/{entry.id}/delete", data={"csrf_token": csrf_token(page.text)})
    assert reply.status_code == 404
    assert db.session.get(AdvocacyDate, entry.id) is not None


def test_policy_calendar_feed_parses_back_and_holds_only_its_state(app, staff):
    for state, title in (("MA", "MA hearing"), ("MN", "MN board"), ("MA", "MA budget")):
        post_form(staff, "/staff/calendar", state_code=state, kind="legislative_hearing", title=title,
                  starts_on=SOON.isoformat(), issues=["safety"])
    post_form(staff, "/staff/calendar", state_code="MA", kind="other", title="Long past",
              starts_on="2020-01-01")
    with app.test_request_context():
        token = policy.feed_token("MA")
    client = app.test_client()
    assert client.get(f"/partner/calendar/MA/{'0' * 32}.ics").status_code == 404
    assert client.get(f"/partner/calendar/MN/{token}.ics").status_code == 404  # one state's key only
    feed = client.get(f"/partner/calendar/MA/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = Calendar.from_ical(feed.data).walk("VEVENT")
    assert sorted(str(event["summary"]) for event in events) == ["Legislative hearing: MA budget",
                                                                 "Legislative hearing: MA hearing"]
    assert all(event["dtstart"].dt == SOON for event in events)
    assert str(events[0]["description"]) == "Issues: Safety at school, including fear of immigration enforcement"


@pytest.mark.parametrize("path", ["/staff/levers", "/staff/levers/new", "/staff/calendar"])
def test_policy_staff_pages_are_for_staff_only(mira, path):
    assert mira.get(path).status_code == 403
    assert mira.application.test_client().get(path).status_code == 302  # anonymous: to the log-in page


def add_responses(state: str, n: int, issues: list[str]) -> None:
    from survey_app import surveys
    from survey_app.models import Answer, Response, new_uuid
    version = surveys.newest_version("family-voices")
    for _ in range(n):
        response = Response(id=new_uuid(), survey_version_id=version.id, language="en", channel="web")
        response.answers = [Answer(question="state", value=state), Answer(question="role", value="parent")]
        response.answers += [Answer(question="top_issues", value=code) for code in issues]
        db.session.add(response)
    db.session.commit()


def test_policy_levers_are_beside_the_top_issues_of_the_report_and_overview(app, staff):
    add_responses("MN", 12, ["language_access", "safety", "newcomers"])
    add_responses("CA", 12, ["mental_health", "safety", "newcomers"])
    post_form(staff, "/staff/levers/new", issue="language_access", state_code="MN", kind="state_statute",
              lever="Minn. Stat. 124D.59", provides="Programs explained.", source="Minn. Stat.", verification="read")
    post_form(staff, "/staff/levers/new", issue="safety", state_code="CA", kind="state_statute",
              lever="Cal. Educ. Code 234.7", provides="Safe haven schools.", source="Cal. Educ. Code", verification="read")
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    report = staff.get("/staff/reports/family-voices/MN")
    assert report.status_code == 200
    levers = report.text[report.text.index('id="levers"'):report.text.index('id="comparison"')]
    assert "Minn. Stat. 124D.59" in levers and "ESSA Title I §1112(e)(4)" in levers
    assert "Cal. Educ. Code 234.7" not in levers  # another state's lever
    assert "Not re-read" in levers  # the federal newcomers lever was not re-read: shown as a mark
    overview = staff.get("/staff/reports/family-voices")
    section = overview.text[overview.text.index('id="levers"'):]
    assert "Minn. Stat. 124D.59" in section and "Cal. Educ. Code 234.7" in section
    assert "(Minnesota)" in section and "(California)" in section


def test_policy_partners_find_others_working_on_the_same_issue(app, mira):
    add_responses("MA", 12, ["language_access", "safety", "newcomers"])
    add_responses("MN", 12, ["language_access", "mental_health", "public_data"])
    add_responses("CA", 12, ["mental_health", "safety", "special_education"])
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    home = mira.get("/partner/")
    assert "/partner/connections/family-voices" in home.text
    page = mira.get("/partner/connections/family-voices")
    assert page.status_code == 200
    sections = {heading: body for heading, body in
                (part.split("</h2>", 1) for part in page.text.split("<h2>")[1:])}
    language = sections["Interpreters and school information in my language"]
    assert "Minnesota" in language and "California" not in language
    assert "Coalition of Asian American Leaders" in language and "Minnesota Education Equity Partnership" in language
    assert 'href="https://www.caalmn.org"' in language
    assert "California" in sections["Safety at school, including fear of immigration enforcement"]
    newcomers = sections["Support for newcomers and students who missed school"]
    assert "No other state has this among its top three issues yet." in newcomers


def test_policy_a_brief_puts_levers_quotes_and_the_partner_beside_a_date(app, staff, mira):
    add_responses("MA", 12, ["language_access", "safety", "newcomers"])
    post_form(staff, "/staff/levers/new", issue="language_access", state_code="MA", kind="state_statute",
              lever="M.G.L. c. 71A", provides="Language opportunity for our children.", source="M.G.L.",
              verification="read")
    post_form(mira, "/partner/calendar", state_code="MA", kind="board_meeting", title="BESE meeting",
              starts_on=SOON.isoformat(), issues=["language_access"])
    entry = db.session.scalar(select(AdvocacyDate))
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    calendar = mira.get("/partner/calendar")
    assert f"/partner/briefs/family-voices/{entry.id}" in calendar.text
    now = calendar.text.split("Top issues in your state now:", 1)[1].split("</p>", 1)[0]
    assert "Interpreters and school information in my language" in now and "Safety at school" in now
    brief = mira.get(f"/partner/briefs/family-voices/{entry.id}")
    assert brief.status_code == 200
    assert "State board meeting: <bdi>BESE meeting</bdi>" in brief.text
    assert "M.G.L. c. 71A" in brief.text and "ESSA Title I §1112(e)(4)" in brief.text
    assert "Prepared by Massachusetts Immigrant and Refugee Advocacy Coalition (MIRA)." in brief.text
    assert "data:image/svg+xml;base64," in brief.text  # the chart, without the staff-only chart address
    assert "/staff/" not in brief.text
    spanish = mira.get(f"/partner/briefs/family-voices/{entry.id}?language=es")
    assert "Intérpretes e información de la escuela en mi idioma" in spanish.text
    # Another state's date is not the partner's to brief on.
    post_form(staff, "/staff/calendar", state_code="MN", kind="board_meeting", title="MN board",
              starts_on=SOON.isoformat())
    other = db.session.scalar(select(AdvocacyDate).where(AdvocacyDate.state_code == "MN"))
    assert mira.get(f"/partner/briefs/family-voices/{other.id}").status_code == 404
    staff_brief = staff.get(f"/staff/briefs/family-voices/MA/{entry.id}?partner=mira")
    assert "Prepared by Massachusetts Immigrant and Refugee Advocacy Coalition (MIRA)." in staff_brief.text
    assert staff.get(f"/staff/briefs/family-voices/MN/{entry.id}").status_code == 404
    pdf = mira.get(f"/partner/briefs/family-voices/{entry.id}.pdf?language=ar")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f'filename="family-voices-MA-brief-{entry.id}-ar.pdf"' in pdf.headers["Content-Disposition"]
