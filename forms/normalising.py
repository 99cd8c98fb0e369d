"""Survey definitions shaped like XLSForm: a `survey` list of questions, a `choices` list and
`settings`, with per-language text in `label::<lang>` columns.

`normalise()` turns that flat, spreadsheet-like form (as read from YAML or a worksheet) into the
nested form stored in the database, and rejects a broken definition with a `DefinitionError`
naming the question and the problem; `definition_hash()` fingerprints the stored form.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Mapping

from .loading import NO_COUNT, load_survey
from .survey import (GROUP_TYPES, MEDIA, QUESTION_TYPES, REPORT_SETTINGS, SETTINGS_MEDIA, SETTINGS_TRANSLATED,
                     TRANSLATED, DefinitionError)

SETTINGS_COLUMNS = (*SETTINGS_TRANSLATED, "review", *SETTINGS_MEDIA)
ROW_COLUMNS = {"type", "name", "required", "relevant", "constraint", "calculation", "default", "choice_filter",
               "repeat_count", *TRANSLATED, *MEDIA}
NOT_REQUIRED = {"no", "false", "0", "false()"}
FORM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,78}$")
# `label::en` or, as ODK writes it, `label::English (en)`
LANGUAGE_COLUMN = re.compile(r"^(?P<column>[a-z_]+)::(?:[^()]*\((?P<code>[^()]+)\)|(?P<bare>[^()]+))$")


def split_column(key: str) -> tuple[str, str | None]:
    match = LANGUAGE_COLUMN.match(key.strip())
    if not match:
        return key.strip(), None
    return match["column"], (match["code"] or match["bare"]).strip()


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"yes", "true", "1", "true()"}


def _translations(row: Mapping[str, Any], columns: tuple[str, ...], where: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for key, value in row.items():
        column, code = split_column(str(key))
        if column in columns:
            if code is None:
                raise DefinitionError(f"{where}: column '{key}' needs a language, for example '{column}::en'.")
            if value is not None and str(value).strip():
                found.setdefault(column, {})[code] = str(value).strip()
    return found


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check a flat XLSForm-shaped definition and return its stored form."""
    if not isinstance(raw, Mapping) or not {"settings", "survey", "choices"} <= set(raw):
        raise DefinitionError("A definition needs three parts: settings, survey and choices.")
    settings = dict(raw["settings"] or {})
    form_id = str(settings.get("form_id", "")).strip()
    if not FORM_ID.match(form_id):
        raise DefinitionError(
            "settings: form_id must be lower-case letters, digits and hyphens, "
            f"for example 'family-voices' (found {form_id!r})."
        )
    texts = _translations(settings, SETTINGS_COLUMNS, "settings")
    default_language = str(settings.get("default_language") or "en").strip()
    normal_settings: dict[str, Any] = {
        "form_id": form_id,
        "version": str(settings.get("version", "")).strip(),
        "default_language": default_language,
        "title": texts.get("form_title", {}),
        "description": texts.get("description", {}),
        "review": texts.get("review", {}),
    }
    for column in ("duration", "thanks", "invitation", *SETTINGS_MEDIA):
        if texts.get(column):
            normal_settings[column] = texts[column]
    for column in REPORT_SETTINGS:
        words = str(settings.get(column) or "").split()
        if words:
            normal_settings[column] = words if column == "report_breakdowns" else " ".join(words)

    # As pyxform allows: the same code twice in a list, told apart by the columns a choice filter reads.
    duplicates = truthy(settings.get("allow_choice_duplicates") or False)
    if duplicates:
        normal_settings["allow_choice_duplicates"] = True
    choices: dict[str, list[dict[str, Any]]] = {}
    for number, row in enumerate(raw["choices"] or [], start=1):
        where = f"choices row {number}"
        list_name = str(row.get("list_name", "")).strip()
        name = str(row.get("name", "")).strip()
        if not list_name or not name:
            raise DefinitionError(f"{where}: every choice needs a list_name and a name.")
        texts = _translations(row, ("label", *MEDIA), where)
        if not duplicates and any(existing["name"] == name for existing in choices.get(list_name, [])):
            raise DefinitionError(f"{where}: choice '{name}' appears twice in list '{list_name}'.")
        choice: dict[str, Any] = {"name": name, "label": texts.get("label", {})}
        choice.update({column: texts[column] for column in MEDIA if texts.get(column)})
        columns = {str(key): str(value).strip() for key, value in row.items()
                   if key not in ("list_name", "name") and split_column(str(key))[0] not in ("label", *MEDIA)
                   and value is not None and str(value).strip()}
        if columns:
            choice["columns"] = columns
        choices.setdefault(list_name, []).append(choice)

    rows: list[dict[str, Any]] = []
    for number, row in enumerate(raw["survey"] or [], start=1):
        rows.append(_normalise_row(row, number, choices))
    definition = {"settings": normal_settings, "survey": rows, "choices": choices}
    load_survey(definition)  # the remaining checks need the whole survey
    return definition


def _normalise_row(row: Mapping[str, Any], number: int, choices: Mapping[str, Any]) -> dict[str, Any]:
    written = str(row.get("type", "")).strip()
    for control in ("group", "repeat"):
        written = written.replace(f"begin {control}", f"begin_{control}").replace(f"end {control}", f"end_{control}")
    type_words = written.split()
    name = str(row.get("name", "") or "").strip()
    where = f"survey row {number}" + (f" ('{name}')" if name else "")
    if not type_words:
        raise DefinitionError(f"{where}: the type is empty.")
    kind = type_words[0]
    if kind not in QUESTION_TYPES | GROUP_TYPES:
        raise DefinitionError(
            f"{where}: type '{kind}' is not supported. Use one of: "
            + ", ".join(sorted(QUESTION_TYPES | GROUP_TYPES)) + "."
        )
    for key in row:
        column, _ = split_column(str(key))
        if column not in ROW_COLUMNS:
            raise DefinitionError(f"{where}: column '{key}' is not supported.")
    normal: dict[str, Any] = {"type": kind}
    if name:
        normal["name"] = name
    if kind in ("select_one", "select_multiple"):
        if len(type_words) != 2:
            raise DefinitionError(f"{where}: write the choice list after the type, as in '{kind} role'.")
        if type_words[1] not in choices:
            raise DefinitionError(f"{where}: the choice list '{type_words[1]}' is not in the choices.")
        normal["list_name"] = type_words[1]
    elif len(type_words) != 1:
        raise DefinitionError(f"{where}: type '{row.get('type')}' has extra words.")
    normal.update(_translations(row, (*TRANSLATED, *MEDIA), where))
    required = row.get("required", False)
    if isinstance(required, str) and required.strip() and not truthy(required) \
            and required.strip().lower() not in NOT_REQUIRED:
        normal["required"] = required.strip()
    elif truthy(required):
        normal["required"] = True
    for column in ("relevant", "constraint", "calculation", "default", "choice_filter", "repeat_count"):
        if row.get(column) not in (None, ""):
            normal[column] = str(row[column]).strip()
    if kind == "begin_repeat" and "repeat_count" not in normal:
        raise DefinitionError(f"{where}: {NO_COUNT}")
    return normal


def definition_hash(definition: Mapping[str, Any]) -> str:
    """A fingerprint of the content; a changed wording or choice gives a new one."""
    encoded = json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()
