"""What the server records for a survey's `start`, `end` and `today` rows, in place of the phone.

Families fear what is kept about them, so each row keeps the least that answers its question:
`start` and `end` the minute (UTC) the person began and sent the survey, which gives how long it
took and when surveys are answered; `today` only the day it was sent. Nothing is read from the
browser or the device, and a paper form keyed in by a partner has none of them.
"""
from __future__ import annotations

from datetime import datetime

from .survey import Survey


def started(survey: Survey, moment: datetime) -> dict[str, str]:
    """The values of the `start` rows, for a response begun at `moment` (UTC)."""
    return _recorded(survey, moment, ("start",))


def sent(survey: Survey, moment: datetime) -> dict[str, str]:
    """The values of the `end` and `today` rows, for a response sent at `moment` (UTC)."""
    return _recorded(survey, moment, ("end", "today"))


def _recorded(survey: Survey, moment: datetime, kinds: tuple[str, ...]) -> dict[str, str]:
    written = {"start": moment.strftime("%Y-%m-%dT%H:%M"), "end": moment.strftime("%Y-%m-%dT%H:%M"),
               "today": moment.date().isoformat()}
    return {question.name: written[question.type] for question in survey.questions.values()
            if question.type in kinds}
