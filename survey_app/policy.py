"""What the partnership does with the results: the policy levers beside each issue, and the dates
when a state is listening (its advocacy calendar, also as an iCalendar feed).

Levers and dates hold issue codes (choices of a survey's ranked question) and state codes;
pages put labels on them in the reader's language.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import pgettext
from icalendar import Calendar, Event
from sqlalchemy import or_, select

from forms.survey import Choice
from forms.survey import Survey as SurveyDefinition

from . import surveys
from .extensions import db
from .i18n.locale import DEFAULT
from .models import AdvocacyDate, PolicyLever


def kind_labels() -> dict[str, str]:
    return {"federal": pgettext("staff", "Federal law"), "state_statute": pgettext("staff", "State law"),
            "state_essa_plan": pgettext("staff", "State ESSA plan"), "board_rule": pgettext("staff", "State board rule"),
            "district_policy": pgettext("staff", "District policy")}


def date_kind_labels() -> dict[str, str]:
    return {"comment_period": pgettext("staff", "Public comment period"),
            "board_meeting": pgettext("staff", "State board meeting"),
            "legislative_hearing": pgettext("staff", "Legislative hearing"),
            "district_budget_hearing": pgettext("staff", "District budget hearing"),
            "other": pgettext("staff", "Other")}


def verification_labels() -> dict[str, str]:
    return {"read": pgettext("staff", "Source read"), "not re-read": pgettext("staff", "Not re-read")}


def ranked_choices(definition: SurveyDefinition) -> tuple[Choice, ...]:
    """A survey's issues: the choices of the question its reports rank (none when they rank none)."""
    ranked = definition.questions.get(definition.report_rank or "")
    return tuple(ranked.choices) if ranked is not None else ()


def _ranking_definitions() -> list[SurveyDefinition]:
    """The newest definition of every survey that ranks issues, in the order the surveys were made."""
    found = (surveys.parsed(version) for version in surveys.newest_versions())
    return [definition for definition in found if definition.report_rank is not None]


def issue_options(language: str) -> dict[str, str]:
    """Issue codes levers can be attached to: the choices of every survey's ranked question,
    as its newest version words them in `language`."""
    options: dict[str, str] = {}
    for definition in _ranking_definitions():
        for choice in ranked_choices(definition):
            options.setdefault(choice.name, definition.text(choice.label, language))
    return options


def translation_languages() -> list[str]:
    """The languages of every survey that ranks issues, English (the language staff write in) left out."""
    found: dict[str, None] = {}
    for definition in _ranking_definitions():
        found.update(dict.fromkeys(definition.languages))
    return [code for code in found if code != DEFAULT]


def levers_for(issues: Iterable[str], state_code: str | None) -> dict[str, list[PolicyLever]]:
    """Levers per issue: the federal ones, then those of `state_code` (none of another state's)."""
    wanted = list(dict.fromkeys(issues))
    if not wanted:
        return {}
    query = (select(PolicyLever).where(PolicyLever.issue.in_(wanted))
             .where(or_(PolicyLever.state_code.is_(None), PolicyLever.state_code == state_code))
             .order_by(PolicyLever.state_code.is_not(None), PolicyLever.id))
    found: dict[str, list[PolicyLever]] = {issue: [] for issue in wanted}
    for lever in db.session.scalars(query):
        found[lever.issue].append(lever)
    return found


def levers_anywhere(issues: Iterable[str]) -> dict[str, list[PolicyLever]]:
    """Levers per issue in every state: the federal ones first, then each state's own."""
    wanted = list(dict.fromkeys(issues))
    found: dict[str, list[PolicyLever]] = {issue: [] for issue in wanted}
    query = (select(PolicyLever).where(PolicyLever.issue.in_(wanted))
             .order_by(PolicyLever.state_code.is_not(None), PolicyLever.state_code, PolicyLever.id))
    for lever in db.session.scalars(query):
        found[lever.issue].append(lever)
    return found


def all_levers() -> list[PolicyLever]:
    return list(db.session.scalars(select(PolicyLever).order_by(PolicyLever.issue, PolicyLever.state_code.is_not(None),
                                                                PolicyLever.state_code, PolicyLever.id)))


def upcoming(state_codes: Sequence[str] | None, today: date | None = None) -> list[AdvocacyDate]:
    """Dates still ahead (or under way), soonest first; every state's when `state_codes` is None."""
    today = today or date.today()
    query = select(AdvocacyDate).where(or_(AdvocacyDate.starts_on >= today, AdvocacyDate.ends_on >= today))
    if state_codes is not None:
        query = query.where(AdvocacyDate.state_code.in_(state_codes))
    return list(db.session.scalars(query.order_by(AdvocacyDate.starts_on, AdvocacyDate.id)))


def feed_token(state_code: str) -> str:
    """The secret part of a state's calendar feed address. Calendar apps fetch feeds without
    logging in, so the address itself is the key; it changes when SECRET_KEY does."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"advocacy-calendar:{state_code}".encode(), hashlib.sha256).hexdigest()[:32]


def token_matches(state_code: str, token: str) -> bool:
    # As bytes: compare_digest refuses str with characters outside ASCII, which anyone can put in the address.
    return hmac.compare_digest(feed_token(state_code).encode(), token.encode("utf-8", "surrogateescape"))


@dataclass(frozen=True)
class FeedText:
    """Words of the feed in the reader's language."""

    calendar_name: str
    kinds: dict[str, str]
    issues: dict[str, str]
    issues_heading: str


def ics_feed(entries: Iterable[AdvocacyDate], state_code: str, text: FeedText) -> bytes:
    """The dates as an iCalendar file (RFC 5545): all-day events, one per date."""
    calendar = Calendar()
    calendar.add("prodid", "-//Family Voices survey service//advocacy calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", text.calendar_name)
    for entry in entries:
        if entry.state_code != state_code:
            continue
        event = Event()
        event.add("uid", f"advocacy-date-{entry.id}@family-voices")
        event.add("summary", f"{text.kinds.get(entry.kind, entry.kind)}: {entry.title}")
        event.add("dtstart", entry.starts_on)
        event.add("dtend", (entry.ends_on or entry.starts_on) + timedelta(days=1))
        event.add("dtstamp", entry.created_at)
        if entry.issues:
            event.add("description", text.issues_heading + " "
                      + "; ".join(text.issues.get(code, code) for code in entry.issues))
        if entry.link:
            event.add("url", entry.link)
        calendar.add_component(event)
    return calendar.to_ical()


def shared_issues(top_by_state: dict[str, list[str]], own_state: str) -> dict[str, list[str]]:
    """For each issue among `own_state`'s top ones, the other states that have it among theirs."""
    return {issue: [state for state, issues in top_by_state.items() if state != own_state and issue in issues]
            for issue in top_by_state.get(own_state, [])}
