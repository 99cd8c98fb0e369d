"""Injection payloads through every parameter of every route: the database holds
what it held before (apart from legitimate inserts such as the audit log), and no
request fails with a server error."""
from __future__ import annotations


import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from survey_app.extensions import db
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token
from tests.survey_app.conftest import ANY_CONVERTER

PAYLOADS = ["' OR '1'='1", "1; DROP TABLE responses; --", "\" OR 1=1 --", "x' UNION SELECT password_hash FROM users --",
            "<script>alert(1)</script>", "../../etc/passwd", "%00", "${7*7}{{7*7}}"]
QUERY_NAMES = ("lang", "ref", "start", "end", "by", "issue", "before", "next", "language")
FORM_NAMES = ("email", "password", "role", "state", "top_issues", "one_change", "code", "name", "languages",
              "tags", "action", "language", "website")
# Inserted by legitimate requests: audit events (log-ins, downloads) and survey drafts.
GROWS = {"audit_events", "drafts"}


def counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.mark.parametrize("role", ["anonymous", "partner_a", "staff", "admin"])
def test_injection_every_parameter_leaves_data_unchanged(app, sessions, role):
    clients, ids = sessions
    filler = Respondent(app.test_client())
    filler.start("?ref=mira")
    for answers in FULL_ANSWERS:
        filler.answer(**answers)
    before = counts()
    client = clients[role]
    token = csrf_token(client.get("/s/family-voices").text)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        for payload in PAYLOADS:
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                if isinstance(converter, IntegerConverter):
                    values[name] = 2**62  # beyond any INTEGER column
                elif isinstance(converter, AnyConverter):
                    values[name] = ANY_CONVERTER.search(rule.rule).group(1).split(",")[0].strip().strip("'\"")
                else:
                    values[name] = payload
            with app.test_request_context():
                url = url_for(rule.endpoint, **values, **{q: payload for q in QUERY_NAMES if q not in values})
            if "GET" in rule.methods:
                reply = client.get(url)
            else:
                reply = client.post(url, data={"csrf_token": token, **{f: payload for f in FORM_NAMES}})
            reply.close()
            if reply.status_code >= 500:
                failures.append(f"{url}: {reply.status_code}")
    after = counts()
    assert failures == []
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert set(changed) <= GROWS, changed
    assert after["responses"] == before["responses"] == 1
