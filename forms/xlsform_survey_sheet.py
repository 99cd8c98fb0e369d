"""The survey sheet of an XLSForm as the flat definition's rows: types in every spelling pyxform
allows, groups inside pages, `or_other`, and the refusals and notices for each row."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pyxform import aliases
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from .normalising import truthy
from .expressions import ExpressionError, parse
from .repeats import MAX_INSTANCES
from .xlsform_cells import (MEDIA_KINDS, Notices, XLSFormError, at_path, language_keys, media_keys, text_of,
                           written_header)
from .xlsform_refusals import SUPPORTED_TYPES, column_refusal, type_refusal

_BEGIN_END = re.compile(r"^(?P<edge>begin|end)[ _]+(?P<control>.+)$")
_SELECT = re.compile(
    r"^(?P<command>" + "|".join(re.escape(alias) for alias in sorted(aliases.select, key=len, reverse=True))
    + r") +(?P<list_name>\S+)(?: +(?P<other>or_other|or specify other|or other))?$")
_FROM_FILE = re.compile(r"^(?P<command>select_one_from_file|select_multiple_from_file|select one from file|"
                        r"select multiple from file) +(?P<file>\S+)$")
# The text columns of a survey row, by pyxform's path to them, and the definition's column.
TEXT_COLUMNS = {("label",): "label", ("hint",): "hint", ("bind", "jr:constraintMsg"): "constraint_message",
          ("bind", "jr:requiredMsg"): "required_message"}
RULE_COLUMNS = {("bind", "relevant"): "relevant", ("bind", "constraint"): "constraint",
                ("bind", "calculate"): "calculation", ("default",): "default", ("choice_filter",): "choice_filter"}
# Recorded by the server, not the phone: see forms/metadata.py.
TIMESTAMPS = ("start", "end", "today")
# A group is shown as one page anyway.
_PAGE_APPEARANCES = ("field-list", "table-list")


class SurveySheet:
    """The survey sheet's rows as the flat definition's rows. A page is an outermost group; a group
    inside it adds its condition to each of its questions, and its label becomes a note."""

    def __init__(self, language: str, notices: Notices, headers: Mapping[tuple[str, ...], str]) -> None:
        self.language = language
        self.headers = headers
        self.notices = notices
        self.rows: list[dict[str, Any]] = []
        self.numbers: list[int] = []
        self.groups: list[str | None] = []  # the relevant of each open group inside a page
        self.in_repeat = False  # a repeat is open: its groups are its pages
        self.other_lists: set[str] = set()  # choice lists that `or_other` adds "other" to
        self.media_cells: dict[str, str] = {}  # each media file's first cell, for messages
        # Choice lists read from a CSV file beside the form: list name -> (file name, the cell naming it).
        self.file_lists: dict[str, tuple[str, str]] = {}
        self.choice_columns: set[str] = set()  # columns of the choices sheet that choice filters read

    def read(self, rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
        for row in rows:
            self._row(row)
        return self.rows, self.numbers

    def _row(self, row: dict[str, Any]) -> None:
        number = row["__row"]
        where = f"survey sheet, row {number}"
        written = " ".join(text_of(row.get("type")).split())
        if not written:
            return
        kind, list_name = _type(written, row, where)
        from_file = _FROM_FILE.match(written)
        if from_file and list_name:
            self.file_lists.setdefault(list_name, (from_file["file"], f'{where}, column "type"'))
        name = text_of(row.get("name"))
        if kind in ("begin_group", "end_group"):
            self._group(kind, row, name, number, where)
            return
        if kind in ("begin_repeat", "end_repeat"):
            self._repeat(kind, row, name, number, where)
            return
        if kind in TIMESTAMPS:
            if not name:
                raise XLSFormError(f'{where}, column "name": a {kind} row needs a name.')
            self.notices.add(f'survey sheet, type "{written}": recorded by this service, not the phone, to the '
                             + ("day." if kind == "today" else "minute, in UTC."), number)
            self._add({"type": kind, "name": name}, number)
            return
        or_other = kind.endswith("_or_other")
        kind = kind.removesuffix("_or_other")
        flat: dict[str, Any] = {"type": f"{kind} {list_name}" if list_name else kind,
                                "name": name or f"note_{number}"}
        self._columns(row, flat, where, number, kind)
        relevant = self._inner_relevant(flat.get("relevant"))
        if relevant:
            flat["relevant"] = relevant
        self._add(flat, number)
        if or_other and list_name:
            self._add_other(flat, list_name, number)

    def _add_other(self, question: dict[str, Any], list_name: str, number: int) -> None:
        """`or_other`, as pyxform expands it: a choice "other" and a text question shown when it is chosen.
        pyxform writes their texts in English only, and so does this service; they are then missing in
        the survey's other languages, which the language table shows."""
        self.other_lists.add(list_name)
        name = question["name"]
        follow_up = {"type": "text", "name": f"{name}_other", f"label::{self.language}": "Specify other.",
                     "relevant": f"selected(${{{name}}}, 'other')"}
        if question.get("relevant"):
            follow_up["relevant"] = f"({question['relevant']}) and ({follow_up['relevant']})"
        self._add(follow_up, number)
        self.notices.add('survey sheet, type "or_other": a choice "other" (labelled "Other") and a question '
                         f'"{name}_other" were added, in the default language only; translate them for the other '
                         "languages by writing them into the form.", number)

    def _repeat(self, kind: str, row: dict[str, Any], name: str, number: int, where: str) -> None:
        """A repeat at the top of the form: its groups are pages, laid out once per instance."""
        if kind == "end_repeat":
            if self.groups:
                raise XLSFormError(f"{where}: the repeat ends before the group above it does. Add an end_group "
                                   "row before this row.")
            self.in_repeat = False
            self._add({"type": "end_repeat"}, number)
            return
        if self.groups or self.in_repeat:
            inside = "another repeat" if self.in_repeat and not self.groups else "a group"
            raise XLSFormError(f'{where}, column "type": a repeat inside {inside} is not supported here. Move the '
                               "repeat out, so that it begins and ends outside every group and repeat; its own "
                               "questions can still be grouped into pages.")
        flat: dict[str, Any] = {"type": "begin_repeat", "name": name}
        self._columns(row, flat, where, number, "begin_repeat")
        count = text_of(at_path(row, ("control", "jr:count")))
        if not count:
            raise XLSFormError(f'{where}, column "repeat_count": the repeat "{name}" has no count. Write in '
                               "repeat_count how many times to ask its questions: a number, or an earlier answer "
                               f"such as ${{children}} (at most {MAX_INSTANCES}).")
        flat["repeat_count"] = count
        self.in_repeat = True
        self._add(flat, number)

    def _group(self, kind: str, row: dict[str, Any], name: str, number: int, where: str) -> None:
        depth = len(self.groups)
        if kind == "end_group":
            if self.groups:
                self.groups.pop()
            if depth <= 1:
                self._add({"type": "end_group"}, number)
            return
        flat: dict[str, Any] = {"type": "begin_group"}
        if name:
            flat["name"] = name
        self._columns(row, flat, where, number, kind)
        if depth == 0:
            self.groups.append(None)
            self._add(flat, number)
            return
        # A group inside a page: its questions stay on the page, each shown only when the group applies.
        self.groups.append(flat.get("relevant"))
        texts = {key: value for key, value in flat.items() if key.startswith("label::")}
        if texts:
            note = {"type": "note", "name": name or f"group_{number}", **texts}
            relevant = self._inner_relevant(None)
            if relevant:
                note["relevant"] = relevant
            self._add(note, number)

    def _inner_relevant(self, own: str | None) -> str | None:
        conditions = [condition for condition in (*self.groups[1:], own) if condition]
        if len(conditions) <= 1:
            return conditions[0] if conditions else None
        return " and ".join(f"({condition})" for condition in conditions)

    def _add(self, flat: dict[str, Any], number: int) -> None:
        self.rows.append(flat)
        self.numbers.append(number)

    def _columns(self, row: dict[str, Any], flat: dict[str, Any], where: str, number: int, kind: str) -> None:
        for path, column in TEXT_COLUMNS.items():
            value = at_path(row, path)
            if value:
                flat.update(language_keys(column, value, self.language, where, "::".join(path)))
        for path, column in RULE_COLUMNS.items():
            value = at_path(row, path)
            if isinstance(value, dict):
                written = written_header(self.headers, path, value)
                raise XLSFormError(f'{where}, column "{written}": "{column}" is the same in every language. Name '
                                   f'the column "{column}".')
            if text_of(value):
                flat[column] = text_of(value)
        required = text_of(at_path(row, ("bind", "required")))
        if required:
            if required.lower() not in {key.lower() for key in aliases.yes_no} | {"1", "0"}:
                flat["required"] = required
            elif truthy(required):
                flat["required"] = "yes"
        if flat.get("choice_filter"):
            self.choice_columns.update(_filter_columns(flat["choice_filter"]))
        for path, value in _other_columns(row):
            column = written_header(self.headers, path, value)
            if path[0] == "media" and path[1:] and path[1] in MEDIA_KINDS and kind not in ("begin_group",
                                                                                           "begin_repeat"):
                flat.update(media_keys(path, value, self.language, where, self.headers, self.media_cells))
                continue
            if path == ("control", "jr:count") and kind == "begin_repeat":
                continue
            refusal = column_refusal(path, text_of(value) if not isinstance(value, dict) else "x", kind)
            if refusal is not None:
                problem, action = refusal
                raise XLSFormError(f'{where}, column "{column}": {problem}. {action}')
            if path == ("control", "appearance"):
                if kind not in ("begin_group", "begin_repeat") or text_of(value) not in _PAGE_APPEARANCES:
                        self.notices.add(f'survey sheet, column "appearance": "{text_of(value)}" is ignored; the '
                                     "question is shown the usual way.", number)
            elif value not in (None, "", {}):
                self.notices.add(f'survey sheet, column "{column}": ignored, as this service does not use it.',
                                 number)


def _type(written: str, row: Mapping[str, Any], where: str) -> tuple[str, str | None]:
    """The definition's type and choice list for a type as written, or a refusal naming the row."""
    lowered = written.lower()
    edge = _BEGIN_END.match(lowered)
    if edge:
        control = aliases.control.get(edge["control"].strip())
        if edge["control"].startswith("loop over"):
            control = "loop"
        if control in ("group", "repeat"):
            return f"{edge['edge']}_{control}", None
        raise XLSFormError(type_refusal(control or "repeat", written, where))
    select = _SELECT.match(written)
    from_file = _FROM_FILE.match(written)
    if from_file:
        if not from_file["file"].lower().endswith(".csv"):
            raise XLSFormError(f'{where}, column "type": "{written}": choices are read from a .csv file here (with '
                               'a "name" column and a "label" column per language). Save the list as .csv.')
        kind = "select_one" if from_file["command"].replace(" ", "_") == "select_one_from_file" else "select_multiple"
        return kind, file_list_name(from_file["file"])
    if select:
        command = aliases.select[select["command"]]
        if select["command"] in aliases.select_from_file or command not in ("select one", "select all that apply"):
            raise XLSFormError(type_refusal(select["command"].replace(" ", "_"), written, where))
        kind = "select_one" if command == "select one" else "select_multiple"
        return (f"{kind}_or_other" if select["other"] else kind), select["list_name"]
    known = aliases._type_alias_map.get(written, written)
    spec = QUESTION_TYPE_DICT.get(known) or QUESTION_TYPE_DICT.get(lowered) or {}
    kind = _kind(known if known in QUESTION_TYPE_DICT else lowered, spec)
    if kind in SUPPORTED_TYPES or kind in TIMESTAMPS:
        return kind, None
    raise XLSFormError(type_refusal(kind, written, where))


def file_list_name(file_name: str) -> str:
    """The choice list a CSV file's choices are stored as: `schools.csv` -> `schools`."""
    stem = re.sub(r"[^\w]+", "_", file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("_")
    return stem if stem and not stem[0].isdigit() else f"list_{stem}"


def _kind(written: str, spec: Mapping[str, Any]) -> str:
    """pyxform's many names for a type (`q int`, `add date prompt`, `get start time`) as one kind."""
    bind = spec.get("bind", {})
    preload = bind.get("jr:preload")
    params = bind.get("jr:preloadParams")
    if preload == "timestamp":
        return str(params)
    if preload == "date":
        return "today"
    if preload == "property":
        return "device"
    data_type = bind.get("type")
    tag = spec.get("control", {}).get("tag")
    if data_type in ("geopoint", "geotrace", "geoshape") or written in ("osm",):
        return "location"
    if written == "audit":
        return "device"
    if data_type in ("binary", "barcode"):
        return "media"
    if tag == "input" and data_type == "string":
        return "note" if bind.get("readonly") else "text"
    if tag == "input":
        return {"int": "integer", "decimal": "decimal", "date": "date", "time": "time"}.get(str(data_type),
                                                                                           str(data_type))
    if written in ("calculate", "hidden", "q calculate", "add calculate prompt"):
        return "calculate"
    return {"trigger": "acknowledge", "odk:rank": "rank", "int": "range"}.get(str(tag or data_type), written)


def _filter_columns(choice_filter: str) -> frozenset[str]:
    """The choices sheet columns a choice filter reads; a filter that cannot be read is refused later,
    with the row."""
    try:
        return parse(choice_filter, choice_columns=True).columns - {"name"}
    except ExpressionError:
        return frozenset()


def _other_columns(row: Mapping[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """The row's columns other than those read above, each as its path and value."""
    handled = {("type",), ("name",), ("__row",), *TEXT_COLUMNS, *RULE_COLUMNS, ("bind", "required")}
    found: list[tuple[tuple[str, ...], Any]] = []
    for key, value in row.items():
        if isinstance(value, dict) and key in ("bind", "control", "media", "instance"):
            found.extend(((key, sub), inner) for sub, inner in value.items() if (key, sub) not in handled)
        elif (key,) not in handled:
            found.append(((key,), value))
    return found
