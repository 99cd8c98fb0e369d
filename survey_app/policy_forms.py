"""The forms staff and partner users fill in for policy levers and advocacy dates."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_pgettext as _p
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from .policy import date_kind_labels, kind_labels, verification_labels

URL_PATTERN = r"^https?://[^\s]+$"
URL_MESSAGE = _p("staff", "Enter a web address that starts with https:// or http://.")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LeverForm(FlaskForm):
    issue = SelectField(_p("staff", "Issue"), validators=[InputRequired(_p("staff", "Choose the issue."))])
    state_code = SelectField(_p("staff", "Where it applies"))
    kind = SelectField(_p("staff", "Kind of provision"), validators=[InputRequired()])
    lever = StringField(_p("staff", "Provision"), filters=[_strip],
                        description=_p("staff", "Its name and section, such as ESSA Title I §1112(e)(3)."),
                        validators=[InputRequired(_p("staff", "Enter the provision.")),
                                    Length(max=300, message=_p("staff", "Write 300 characters or fewer."))])
    provides = TextAreaField(_p("staff", "What it gives families"), filters=[_strip],
                             validators=[InputRequired(_p("staff", "Say what it gives families.")),
                                         Length(max=2000, message=_p("staff", "Write 2,000 characters or fewer."))])
    source = StringField(_p("staff", "Source"), filters=[_strip],
                         description=_p("staff", "The citation, such as 20 U.S.C. 6312(e)(3)."),
                         validators=[InputRequired(_p("staff", "Enter the source.")),
                                     Length(max=500, message=_p("staff", "Write 500 characters or fewer."))])
    source_url = StringField(_p("staff", "Link to the source (optional)"), filters=[_strip],
                             validators=[Optional(), Length(max=500), Regexp(URL_PATTERN, message=URL_MESSAGE)])
    verification = SelectField(_p("staff", "Checked against the source"), validators=[InputRequired()])
    as_of = DateField(_p("staff", "As of (optional)"), validators=[Optional()],
                      description=_p("staff", "The date the source says this, year-month-day."))

    def __init__(self, *args: Any, issues: dict[str, str], states: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issue.choices = [SelectChoice("", _p("staff", "Choose an issue"))] + [
            SelectChoice(code, label) for code, label in issues.items()]
        self.state_code.choices = [SelectChoice("", _p("staff", "Every state (federal)"))] + [
            SelectChoice(code, name) for code, name in states.items()]
        self.kind.choices = [SelectChoice(code, label) for code, label in kind_labels().items()]
        self.verification.choices = [SelectChoice(code, label) for code, label in verification_labels().items()]

    def validate_kind(self, field: SelectField) -> None:
        if (field.data == "federal") != (not self.state_code.data):
            raise ValidationError(_p("staff", "A federal provision applies in every state; any other kind "
                                              "belongs to one state. Choose them to match."))

    def values(self) -> dict[str, Any]:
        return {"issue": self.issue.data, "state_code": self.state_code.data or None, "kind": self.kind.data,
                "lever": self.lever.data, "provides": self.provides.data, "source": self.source.data,
                "source_url": self.source_url.data or "", "verification": self.verification.data,
                "as_of": self.as_of.data}


class AdvocacyDateForm(FlaskForm):
    state_code = SelectField(_p("staff", "State"), validators=[InputRequired(_p("staff", "Choose the state."))])
    kind = SelectField(_p("staff", "What it is"), validators=[InputRequired()])
    title = StringField(_p("staff", "Title"), filters=[_strip],
                        description=_p("staff", "Such as: Comment period on the state ESSA plan amendment."),
                        validators=[InputRequired(_p("staff", "Enter a title.")),
                                    Length(max=200, message=_p("staff", "Write 200 characters or fewer."))])
    starts_on = DateField(_p("staff", "Date, or first day"), description=_p("staff", "Year-month-day."),
                          validators=[InputRequired(_p("staff", "Enter the date."))])
    ends_on = DateField(_p("staff", "Last day (optional)"), description=_p("staff", "For a comment period."),
                        validators=[Optional()])
    link = StringField(_p("staff", "Link (optional)"), filters=[_strip],
                       validators=[Optional(), Length(max=500), Regexp(URL_PATTERN, message=URL_MESSAGE)])
    issues = SelectMultipleField(_p("staff", "Issues it concerns (optional)"), validators=[Optional()])

    def __init__(self, *args: Any, issues: dict[str, str], states: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state_code.choices = [SelectChoice(code, name) for code, name in states.items()]
        if len(states) > 1:
            self.state_code.choices.insert(0, SelectChoice("", _p("staff", "Choose a state")))
        self.kind.choices = [SelectChoice(code, label) for code, label in date_kind_labels().items()]
        self.issues.choices = [SelectChoice(code, label) for code, label in issues.items()]

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_p("staff", "The last day cannot be before the first day."))

    def values(self) -> dict[str, Any]:
        return {"state_code": self.state_code.data, "kind": self.kind.data, "title": self.title.data,
                "starts_on": self.starts_on.data, "ends_on": self.ends_on.data, "link": self.link.data or "",
                "issues": self.issues.data or []}


class IssueLineForm(FlaskForm):
    line = TextAreaField(_p("staff", "What families can ask for, in plain English"), filters=[_strip],
                         description=_p("staff", "One short sentence a parent understands at once, such as: Schools must "
                                                 "give you papers in a language you understand. Translators then "
                                                 "translate it on the review pages."),
                         # DataRequired: a sentence of spaces is stripped to nothing, and is no sentence.
                         validators=[DataRequired(_p("staff", "Write the sentence.")),
                                     Length(max=300, message=_p("staff", "Write 300 characters or fewer."))])
