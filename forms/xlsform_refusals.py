"""What an XLSForm may ask for that this service refuses, and what the message tells the author to do.

Some things are refused because they cannot run here (loops over a choice list, choices from files,
answers set by other answers); some because they must not be collected from the families who answer:
where they live, their faces and voices, and the identifiers of their phones.
"""
from __future__ import annotations

SUPPORTED_TYPES = ("text", "integer", "decimal", "date", "time", "select_one", "select_multiple", "note",
                   "calculate", "start", "end", "today", "begin_group", "end_group", "begin_repeat", "end_repeat")

_GENERIC_ACTION = "Remove the row or change its type."
_PRIVACY = "this service does not collect it from families"
_TYPE_ADVICE: dict[str, tuple[str, str]] = {
    "location": (
        "locations can show where a family lives, and " + _PRIVACY,
        "Remove the row, or ask for the place with select_one (a list of places) or text."),
    "media": ("photos, recordings, files and scans can identify a family, and " + _PRIVACY, "Remove the row."),
    "device": ("phone and account identifiers (device id, phone number, SIM, user name, email) identify the person "
               "answering, and " + _PRIVACY, "Remove the row."),
    "loop": ("loops over a choice list are not supported",
             "Use begin_repeat with a repeat_count, and ask which choice each instance is about."),
    "rank": ("ranking is not supported", 'Use select_multiple with a constraint such as "count-selected(.) <= 3".'),
    "range": ("sliders are not supported",
              'Use integer with a constraint such as ". >= 1 and . <= 10", or select_one with a list of values.'),
    "acknowledge": ("tick-to-confirm questions are not supported",
                    "Use select_one with a single choice and make it required."),
    "dateTime": ("a date with a time is not supported", "Ask for the date with date and the time with time."),
    **dict.fromkeys(("select_one_external", "xml-external", "csv-external"), (
        "choices that depend on an external data file are not supported yet",
        "Copy the choices onto the choices sheet, or use select_one_from_file with a .csv beside the form.")),
}
_CLEAR = "Clear the cell, or remove the column."
_COLUMN_ADVICE: dict[tuple[str, ...], tuple[str, str]] = {
    ("trigger",): ("answers set by other answers are not supported", _CLEAR),
    ("control", "jr:count"): ("repeat_count belongs on a begin_repeat row", _CLEAR),
}


def type_refusal(kind: str, written: str, where: str) -> str:
    """The message for a row whose type (`kind`, as written `written`) is refused."""
    reason, action = _TYPE_ADVICE.get(kind, ("", _GENERIC_ACTION))
    return (f'{where}, column "type": "{written}" is not supported{": " + reason if reason else ""}. '
            f"Supported types: {', '.join(SUPPORTED_TYPES)}. {action}")


def column_refusal(path: tuple[str, ...], value: str, kind: str) -> tuple[str, str] | None:
    """(problem, what to do) for a column whose value would change what the question asks; None when
    the column can be ignored."""
    if path[0] == "media":
        return ("video is not shown to respondents; a recording of the text goes in an "
                '"audio::<language>" column and a picture in an "image::<language>" column'), _CLEAR
    if path == ("bind", "readonly"):
        return None if value.lower() in ("no", "false", "false()", "0") else (
            "read-only questions are not supported", _CLEAR)
    return _COLUMN_ADVICE.get(path)
