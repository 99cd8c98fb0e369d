"""Every route of the app, requested as anonymous, partner A, partner B, staff and
admin. Each route's policy is in one table; a new route without an entry fails."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token
from tests.survey_app.conftest import ANY_CONVERTER

PASSWORD = "a long enough password"
ROLES = ("anonymous", "partner_a", "partner_b", "staff", "admin")
PUBLIC = dict.fromkeys(ROLES, True)
STAFF = {"anonymous": False, "partner_a": False, "partner_b": False, "staff": True, "admin": True}
ADMIN = {**STAFF, "staff": False}
PARTNER = {"anonymous": False, "partner_a": True, "partner_b": True, "staff": False, "admin": False}

# endpoint -> who may use it
POLICY = {
    "static": PUBLIC, "health.healthz": PUBLIC,
    "auth.login": PUBLIC, "auth.logout": PUBLIC,  # requested last: it ends the session
    "auth.set_language": PUBLIC,  # the log-in page has the staff language menu too
    "public.home": PUBLIC, "public.start": PUBLIC, "public.begin": PUBLIC, "public.page": PUBLIC,
    "public.thanks": PUBLIC, "public.again": PUBLIC, "public.privacy": PUBLIC, "public.contact": PUBLIC,
    "public.contact_saved": PUBLIC, "public.kiosk_reset": PUBLIC, "public.results": PUBLIC,
    "public.results_index": PUBLIC, "public.media": PUBLIC,
    "partner.home": PARTNER, "partner.flyer": PARTNER, "partner.qr_png": PARTNER, "partner.qr_svg": PARTNER,
    "partner.responses": PARTNER, "partner.download_csv": PARTNER, "partner.download_xlsx": PARTNER,
    "partner.enter": PARTNER, "partner.kiosk": PARTNER, "partner.paper": PARTNER, "partner.paper_form": PARTNER,
    "partner.partner_overview": PARTNER, "partner.set_target": PARTNER,
    "staff.home": STAFF, "staff.audit_log": STAFF, "staff.contact_list": ADMIN,
    "staff.comments": STAFF, "staff.comment_note": STAFF,
    "staff.export_breakdown": STAFF, "staff.export_codebook": STAFF, "staff.export_responses_csv": STAFF,
    "staff.export_responses_xlsx": STAFF, "staff.export_summary": STAFF, "staff.factsheet": STAFF,
    "staff.partners": STAFF, "staff.partner_new": STAFF, "staff.partner_edit": STAFF, "staff.partner_users": STAFF,
    "staff.partner_user_active": STAFF, "staff.public_results_switch": STAFF,
    "staff.report_chart": STAFF, "staff.report_overview": STAFF, "staff.report_questions": STAFF,
    "staff.report_state": STAFF,
    "staff.survey_detail": STAFF, "staff.survey_languages": STAFF, "staff.survey_preview": STAFF,
    "review.index": STAFF, "review.language": STAFF, "review.interface_po": STAFF, "review.recordings": STAFF,
    "staff.survey_status": ADMIN, "staff.survey_xlsform": STAFF, "staff.surveys_index": STAFF,
    "staff.export_responses_stat": STAFF, "staff.factsheet_pdf": STAFF, "staff.quote_translation": STAFF,
    "staff.levers": STAFF, "staff.lever_edit": STAFF, "staff.lever_delete": STAFF, "staff.calendar": STAFF,
    "staff.calendar_delete": STAFF, "staff.brief": STAFF, "staff.brief_pdf": STAFF,
    "staff.issue_lines": STAFF, "staff.issue_line_edit": STAFF,
    "partner.calendar": PARTNER, "partner.calendar_delete": PARTNER, "partner.connections": PARTNER,
    "partner.partner_brief": PARTNER, "partner.partner_brief_pdf": PARTNER,
    # Calendar apps cannot log in: the feed's address carries its key (a wrong key answers 404).
    "partner.calendar_feed": PUBLIC,
}


def sample_values(rule, ids) -> dict:
    values = {"slug": "family-voices", "state": "MN", "language_code": "es", "number": 1, "answer_id": 1,
              "filename": "site.css", "partner_id": ids["partner"], "user_id": ids["user"],
              "lever_id": 1, "date_id": 1, "state_code": "MA", "token": "0" * 32,
              "issue": "language_access", "name": "0" * 64 + ".mp3"}
    for options, name in ANY_CONVERTER.findall(rule.rule):
        values[name] = options.split(",")[0].strip().strip("'\"")
    return {name: values[name] for name in rule.arguments}


def denied(reply) -> bool:
    return reply.status_code in (401, 403) or (reply.status_code == 302 and "/login" in reply.location)


def test_authorization_every_route_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(POLICY) == set(), "add the new route to POLICY"
    assert set(POLICY) - endpoints == set(), "a route in POLICY no longer exists"


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, sessions, role):
    clients, ids = sessions
    client = clients[role]
    token = csrf_token(client.get("/login").text) if role == "anonymous" else None
    problems = []
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "auth.logout")
    for rule in rules:
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **sample_values(rule, ids))
        method = "GET" if "GET" in rule.methods else "POST"
        if method == "POST":
            if token is None:
                token = csrf_token(client.get("/s/family-voices").text)
            reply = client.post(url, data={"csrf_token": token})
        else:
            reply = client.get(url)
        reply.close()
        allowed = POLICY[rule.endpoint][role]
        if rule.endpoint == "auth.logout":
            allowed = reply.status_code < 500  # logging out redirects to the log-in page for everyone
        if reply.status_code >= 500:
            problems.append(f"{method} {url}: {reply.status_code}")
        elif rule.endpoint == "auth.logout":
            continue
        elif allowed and denied(reply):
            problems.append(f"{method} {url}: {role} was refused ({reply.status_code})")
        elif not allowed and not denied(reply):
            problems.append(f"{method} {url}: {role} was let in ({reply.status_code})")
    assert problems == []
