"""Reading a stored definition into a `Survey`: its questions checked and grouped into pages, a
group on a page of its own, a `repeat` laid out once for each instance, and the settings that name
questions checked against them. A broken definition raises a `DefinitionError` naming where.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from .expressions import Constant, Reference
from .question_rows import instance_texts, read_expression, read_question
from .repeats import MAX_INSTANCES, MAX_LAID_OUT, Repeat, all_of, at_least, count_of, instance_name
from .survey import RESPONSE_COLUMNS, TRANSLATED, Choice, DefinitionError, Page, Question, Survey

# As XLSForm allows: a letter or `_` first, then letters, digits, `_`, `.` and `-`.
NAME = re.compile(r"^[^\W\d][\w.\-]*$")
NO_COUNT = ("a repeat needs a repeat_count: how many times to ask its questions, a number or an earlier answer "
            "such as ${children}.")


def choice_lists(definition: Mapping[str, Any]) -> dict[str, tuple[Choice, ...]]:
    """The choices of a stored definition, by list name, in list order."""
    return {
        list_name: tuple(Choice(c["name"], c.get("label", {}), audio=c.get("audio", {}), image=c.get("image", {}),
                                columns=c.get("columns", {}))
                         for c in items)
        for list_name, items in (definition.get("choices") or {}).items()
    }


def load_survey(definition: Mapping[str, Any]) -> Survey:
    """The survey of a stored definition (as `normalise()` returns it)."""
    settings = definition["settings"]
    default_language = settings["default_language"]
    choices = choice_lists(definition)
    pages: list[Page] = []
    seen: set[str] = set()  # the stored names of the questions read so far: what expressions may use
    used: set[str] = set()  # the names as written, which must differ
    repeats: dict[str, Repeat] = {}
    group: dict[str, Any] | None = None
    repeat: dict[str, Any] | None = None
    # The open repeat's pages, before they are laid out once per instance: (group row, rows, where).
    template: list[tuple[Mapping[str, Any] | None, list[tuple[Mapping[str, Any], str]], str]] = []
    loose: list[Any] = []

    def close_loose() -> None:
        if loose and repeat is not None:
            template.append((None, list(loose), ""))
        elif loose:
            pages.append(Page(f"page_{len(pages) + 1}", {}, tuple(loose)))
        loose.clear()

    current: list[Any] = []
    before_group: set[str] = set()
    for number, row in enumerate(definition["survey"], start=1):
        name = row.get("name", "")
        where = f"survey row {number}" + (f" ('{name}')" if name else "")
        if row["type"] == "begin_repeat":
            if group is not None:
                raise DefinitionError(f"{where}: a repeat inside a group is not supported; close the group above "
                                      "first, or put the group inside the repeat.")
            if repeat is not None:
                raise DefinitionError(f"{where}: repeats inside repeats are not supported; close the repeat "
                                      "above first, or ask about each person in one repeat.")
            close_loose()
            _check_name(name, where, used)
            used.add(name)
            repeat, template = {**row, "where": where}, []
            continue
        if row["type"] == "end_repeat":
            if repeat is None:
                raise DefinitionError(f"{where}: end_repeat without a begin_repeat above it.")
            if group is not None:
                raise DefinitionError(f"{where}: the group '{group.get('name')}' has no end_group before the "
                                      "end of the repeat.")
            close_loose()
            if not template:
                raise DefinitionError(f"{repeat['where']}: the repeat '{repeat.get('name')}' has no questions.")
            pages.extend(_laid_out(repeat, template, choices, seen, repeats, default_language, pages))
            repeat = None
            continue
        if row["type"] == "begin_group":
            if group is not None:
                raise DefinitionError(f"{where}: groups inside groups are not supported; close the group above first.")
            close_loose()
            group, current, before_group = {**row, "where": where}, [], set(seen)
            continue
        if row["type"] == "end_group":
            if group is None:
                raise DefinitionError(f"{where}: end_group without a begin_group above it.")
            if not current:
                raise DefinitionError(f"{where}: the group '{group.get('name')}' has no questions.")
            if repeat is not None:
                template.append((group, list(current), group["where"]))
            else:
                pages.append(Page(
                    group.get("name") or f"page_{len(pages) + 1}",
                    group.get("label", {}),
                    tuple(current),
                    read_expression(group.get("relevant"), "relevant", where, before_group, repeats),
                ))
            group = None
            continue
        _check_name(name, where, used)
        used.add(name)
        if repeat is not None:
            (current if group is not None else loose).append((row, where))
            continue
        question = read_question(row, where, choices, seen, default_language, repeats)
        seen.add(question.name)
        chunk = current if group is not None else loose
        if group is not None and _needs_new_page(question, chunk):
            pages.append(Page(group.get("name") or f"page_{len(pages) + 1}", group.get("label", {}),
                              tuple(current),
                              read_expression(group.get("relevant"), "relevant", where, before_group, repeats)))
            current = []
            chunk = current
        elif group is None and _needs_new_page(question, chunk):
            close_loose()
        chunk.append(question)
    if group is not None:
        raise DefinitionError(f"group '{group.get('name')}' has no end_group.")
    if repeat is not None:
        raise DefinitionError(f"repeat '{repeat.get('name')}' has no end_repeat.")
    close_loose()
    if not pages:
        raise DefinitionError("The survey has no questions.")
    languages = _languages(definition, default_language)
    questions = {q.name: q for page in pages for q in page.questions}
    return Survey(
        form_id=settings["form_id"],
        version_label=settings.get("version", ""),
        default_language=default_language,
        title=settings.get("title", {}),
        description=settings.get("description", {}),
        pages=tuple(pages),
        languages=languages,
        duration=settings.get("duration", {}),
        thanks=settings.get("thanks", {}),
        invitation=settings.get("invitation", {}),
        description_audio=settings.get("description_audio", {}),
        thanks_audio=settings.get("thanks_audio", {}),
        description_image=settings.get("description_image", {}),
        thanks_image=settings.get("thanks_image", {}),
        report_rank=_report_question(settings, "report_rank", questions, ("select_one", "select_multiple")),
        report_group=_report_question(settings, "report_group", questions, ("select_one",)),
        report_breakdowns=_report_breakdowns(settings, questions),
        repeats=tuple(repeats.values()),
    )


def _report_question(settings: Mapping[str, Any], column: str, questions: Mapping[str, Question],
                     types: tuple[str, ...]) -> str | None:
    name = settings.get(column)
    if not name:
        return None
    question = questions.get(name)
    if question is None:
        raise DefinitionError(f"settings: {column} names '{name}', which is not a question of the survey.")
    if question.type not in types:
        wanted = "a select_one question" if types == ("select_one",) else "a select_one or select_multiple question"
        raise DefinitionError(f"settings: {column} names '{name}', a {question.type} question; "
                              f"it must name {wanted}.")
    return str(name)


def _report_breakdowns(settings: Mapping[str, Any], questions: Mapping[str, Question]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(settings.get("report_breakdowns", ())))
    for name in names:
        if name in RESPONSE_COLUMNS:
            continue
        question = questions.get(name)
        if question is None or not question.is_select:
            found = f"a {question.type} question" if question else "not a question of the survey"
            raise DefinitionError(
                f"settings: report_breakdowns names '{name}', which is {found}; it takes select questions "
                f"and {', '.join(RESPONSE_COLUMNS)}, separated by spaces.")
    return names


def _check_name(name: str, where: str, used: set[str]) -> None:
    if not NAME.match(name):
        raise DefinitionError(f"{where}: the name must start with a letter or _ and use only letters, digits, _, . and -.")
    if name in used:
        raise DefinitionError(f"{where}: the name '{name}' is used twice.")


def _needs_new_page(question: Question, page: list[Question]) -> bool:
    """Whether `question` goes on a new page: its choices or its default depend on an answer given
    on the page so far, or whether it is shown on a value worked out on it. The server shows the
    right choices and the right default only once those answers are sent, and a calculated value
    is only known then; a question whose `relevant` names an answer of its page stays, as a
    follow-up, and `required` and `constraint` are checked when the page is sent anyway."""
    on_page = {other.name for other in page}
    calculated = {other.name for other in page if other.type == "calculate"}
    return bool(
        (question.choice_filter and question.choice_filter.references & on_page)
        or (question.default_expression and question.default_expression.references & on_page)
        or (question.relevant and question.relevant.references & calculated))


def _laid_out(repeat_row: Mapping[str, Any], template: list[tuple[Mapping[str, Any] | None,
              list[tuple[Mapping[str, Any], str]], str]], choices: Mapping[str, tuple[Choice, ...]],
              seen: set[str], repeats: dict[str, Repeat], default_language: str, pages: list[Page]) -> list[Page]:
    """The repeat's pages, once for each instance, its questions named `name[number]`. With a count
    that is an answer, `MAX_INSTANCES` instances are laid out, each shown when the count reaches it;
    the count question (when the count is one) takes no larger number. Adds the repeat to `repeats`
    and its questions to `seen`, and may set the count question's `most` in `pages`."""
    name, where = repeat_row["name"], repeat_row["where"]
    source = str(repeat_row.get("repeat_count") or "")
    if not source:
        raise DefinitionError(f"{where}: {NO_COUNT}")
    fixed = count_of(source)
    if fixed is not None and not 1 <= fixed <= MAX_INSTANCES:
        raise DefinitionError(f"{where}: the repeat_count is {fixed}; write a number from 1 to {MAX_INSTANCES}, "
                              f"or an earlier answer such as ${{children}} (at most {MAX_INSTANCES} are asked).")
    counted = None if fixed is not None else read_expression(source, "repeat_count", where, seen, repeats)
    relevant = read_expression(repeat_row.get("relevant"), "relevant", where, seen, repeats)
    names = frozenset(row["name"] for _group, rows, _where in template for row, _where_row in rows)
    if len(names) * (fixed or MAX_INSTANCES) > MAX_LAID_OUT:
        raise DefinitionError(f"{where}: the repeat '{name}' has {len(names)} questions, asked up to "
                              f"{fixed or MAX_INSTANCES} times; at most {MAX_LAID_OUT} can be laid out. Ask "
                              "fewer questions for each child, or a smaller count.")
    repeat = Repeat(name, names, counted.tree if counted else Constant(float(fixed or 0)), fixed or MAX_INSTANCES)
    if counted is not None and isinstance(counted.tree, Reference):
        _cap_count_question(pages, counted.tree.name)
    repeats[name] = repeat
    laid_out: list[Page] = []
    for number in range(1, repeat.instances + 1):
        inside = (repeat, number)
        for group, rows, group_where in template:
            conditions = [(relevant.source, relevant.tree)] if relevant else []
            if counted is not None:
                conditions.append((f"({source}) >= {number}", at_least(counted.tree, number)))
            before = set(seen)
            # As outside a repeat, a question whose choices or default depend on an answer of its
            # page so far, or shown on a value worked out on it, starts the instance's next page.
            chunks: list[list[Question]] = [[]]
            for row, row_where in rows:
                question = read_question(row, row_where, choices, seen, default_language, repeats, inside)
                seen.add(question.name)
                if _needs_new_page(question, chunks[-1]):
                    chunks.append([])
                chunks[-1].append(question)
            own = read_expression((group or {}).get("relevant"), "relevant", group_where, before, repeats, inside)
            if own is not None:
                conditions.append((own.source, own.tree))
            page_name = (group or {}).get("name") or name
            label = instance_texts((group or {}).get("label") or repeat_row.get("label", {}), inside)
            laid_out.extend(Page(instance_name(page_name, number), label, tuple(chunk), all_of(conditions),
                                 repeat=name, instance=number) for chunk in chunks)
    return laid_out


def _cap_count_question(pages: list[Page], name: str) -> None:
    """The integer question a repeat counts by accepts no more than `MAX_INSTANCES`."""
    for index, page in enumerate(pages):
        if any(question.name == name and question.type == "integer" for question in page.questions):
            questions = tuple(replace(question, most=MAX_INSTANCES) if question.name == name else question
                              for question in page.questions)
            pages[index] = replace(page, questions=questions)


def _languages(definition: Mapping[str, Any], default_language: str) -> tuple[str, ...]:
    found = {default_language}
    for row in definition["survey"]:
        for column in TRANSLATED:
            found.update(row.get(column, {}))
    for items in definition["choices"].values():
        for choice in items:
            found.update(choice["label"])
    return tuple([default_language] + sorted(found - {default_language}))
