"""Reading surveys: a survey and its newest version (`get_or_404` for every staff, partner and
review page), its parsed definition (once per version and app, in `version_cache`), and the
respondent's pages' short-lived copy of a survey (`public_survey`)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache
from flask import Flask, abort, current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import defer, joinedload

from forms import piping
from forms.loading import load_survey
from forms.survey import Survey as SurveyDefinition
from forms.text_coverage import translation_coverage

from . import version_cache
from .extensions import db
from .i18n import locale
from .models import Partner, Response, Survey, SurveyVersion


def newest_version(slug: str) -> SurveyVersion | None:
    # The definition is large and parsed once per version (see `parsed`): load it only when needed.
    return db.session.scalar(
        select(SurveyVersion).join(Survey).where(Survey.slug == slug).order_by(SurveyVersion.version.desc()).limit(1)
        .options(defer(SurveyVersion.definition))
    )


def newest_versions(*, definitions: bool = False) -> list[SurveyVersion]:
    """Every survey's newest version, with its survey, in one statement, in the order the surveys
    were made; surveys without a version are left out. The large definitions come only when asked
    for: `parsed` reads one once per version."""
    newest = (select(SurveyVersion.survey_id, func.max(SurveyVersion.version).label("version"))
              .group_by(SurveyVersion.survey_id).subquery())
    query = (select(SurveyVersion)
             .join(newest, and_(SurveyVersion.survey_id == newest.c.survey_id,
                                SurveyVersion.version == newest.c.version))
             .options(joinedload(SurveyVersion.survey)).order_by(SurveyVersion.survey_id))
    if not definitions:
        query = query.options(defer(SurveyVersion.definition))
    return list(db.session.scalars(query))


def find_survey(slug: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def survey_and_newest_version(slug: str) -> tuple[Survey, SurveyVersion] | None:
    """A survey with its newest version, or None when there is no such survey (or no version yet)."""
    survey = find_survey(slug)
    version = newest_version(slug) if survey is not None else None
    return None if survey is None or version is None else (survey, version)


def get_or_404(slug: str, *, published: bool = False) -> tuple[Survey, SurveyVersion]:
    """The survey a staff, partner or review page is for, with its newest version: a 404 when there is
    no such survey or it has no version yet, and with `published`, when it is still a draft (a draft
    is staff's alone). The respondent's pages read the per-worker copy instead (`public_survey`)."""
    found = survey_and_newest_version(slug)
    if found is None or (published and found[0].status == "draft"):
        abort(404)
    return found


def parsed(version: SurveyVersion) -> SurveyDefinition:
    """The version's definition, parsed once per app (`version_cache`)."""
    return version_cache.cached(("parsed", version.id, version.definition_hash),
                                lambda: load_survey(version.definition))


def page_references(survey: PublicSurvey) -> tuple[tuple[str, ...], ...]:
    """For each page of the survey's newest version, the answers that change it beyond its own
    (`forms.piping.page_references`): worked out once per version and app (`version_cache`), as
    every page a respondent opens asks for them."""
    definition = survey.definition
    return version_cache.cached(("page_references", survey.version_id),
                                lambda: tuple(piping.page_references(definition, index)
                                              for index in range(len(definition.pages))))


def _complete(definition: dict) -> frozenset[str]:
    complete = set()
    for code in definition_languages(definition):
        done, total = translation_coverage(definition, code)
        if done == total:
            complete.add(code)
    return frozenset(complete)


def definition_languages(definition: dict) -> tuple[str, ...]:
    return load_survey(definition).languages


def complete_languages(version: SurveyVersion) -> frozenset[str]:
    """Languages in which every text of this version is translated."""
    return version_cache.cached(("complete_languages", version.id, version.definition_hash),
                                lambda: _complete(version.definition))


def offered_languages(survey: Survey, version: SurveyVersion) -> tuple[str, ...]:
    """What respondents may choose: switched on by staff (or not switched off), fully
    translated in the survey and in the interface. A survey language the service has no
    catalog for is offered when its survey text is complete; its buttons and messages come
    from the closest catalog, or English. The default language is always offered."""
    default = parsed(version).default_language
    translated = complete_languages(version)
    complete = translated & set(locale.available_codes())
    survey_only = {code for code in translated if code not in locale.BY_CODE}
    wanted = set(survey.languages) if survey.languages is not None else complete | survey_only
    with_catalog = tuple(code for code in locale.available_codes() if code in complete & wanted and code != default)
    return (default, *with_catalog, *sorted(survey_only & wanted - {default}))


@dataclass(frozen=True)
class PublicSurvey:
    """What the respondent's pages need to know about a survey and its newest version."""
    id: int
    slug: str
    status: str
    public_results: bool
    version_id: int
    definition: SurveyDefinition
    offered: tuple[str, ...]


class PublicSurveys:
    """Each worker keeps the surveys its respondents are answering for a few seconds
    (`SURVEY_CACHE_SECONDS`), so a page view does not read the survey, its newest
    version and its languages again. A change made through `storage` is seen at once
    by the worker that made it, and by the others when their copy expires."""

    def __init__(self, seconds: float, timer: Callable[[], float] = time.monotonic) -> None:
        self._kept: TTLCache = TTLCache(maxsize=256, ttl=seconds, timer=timer)
        self._lock = threading.Lock()

    def get(self, slug: str) -> PublicSurvey | None:
        with self._lock:
            kept = self._kept.get(slug)
        if kept is None:
            kept = _read_public_survey(slug)
            if kept is not None:
                with self._lock:
                    self._kept[slug] = kept
        return kept

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()


def _read_public_survey(slug: str) -> PublicSurvey | None:
    found = survey_and_newest_version(slug)
    if found is None:
        return None
    survey, version = found
    return PublicSurvey(id=survey.id, slug=survey.slug, status=survey.status, public_results=survey.public_results,
                        version_id=version.id, definition=parsed(version), offered=offered_languages(survey, version))


def init_app(app: Flask) -> None:
    app.extensions["public_surveys"] = PublicSurveys(app.config["SURVEY_CACHE_SECONDS"])
    version_cache.init_app(app)


def public_survey(slug: str) -> PublicSurvey | None:
    return current_app.extensions["public_surveys"].get(slug)


def forget_public_surveys() -> None:
    """Called after every change to a survey, its versions, languages or status."""
    current_app.extensions["public_surveys"].forget()


def partner_by_code(code: str | None) -> Partner | None:
    if not code:
        return None
    return db.session.scalar(select(Partner).where(Partner.code == code.strip().lower(), Partner.active.is_(True)))


def response_counts(partner_id: int | None = None) -> list[tuple[str, str, int]]:
    """(slug, status, responses) for every survey; only one partner's responses when given."""
    joined = Response.survey_version_id == SurveyVersion.id
    if partner_id is not None:
        joined = and_(joined, Response.partner_id == partner_id)
    rows = db.session.execute(
        select(Survey.slug, Survey.status, func.count(Response.id))
        .outerjoin(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .outerjoin(Response, joined)
        .group_by(Survey.id, Survey.slug, Survey.status)
        .order_by(Survey.slug)
    ).all()
    return [(slug, status, count) for slug, status, count in rows]
