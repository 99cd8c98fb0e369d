"""Repeat groups (`begin_repeat` ... `end_repeat`): the same questions asked once for each child,
each instance on its own page(s), and its answers stored under the question's name and the
instance's number: `grade[1]`, `grade[2]`.

The definition lays the instances out when it is read (`loading.load_survey`), so that
navigation, skip logic, checks, storage, paper entry and exports see ordinary questions. Here the
expressions and texts of each instance are rewritten: inside instance 2, `${grade}` is `${grade[2]}`
and position(..) is 2; count(${child}), sum(${grade}) and indexed-repeat(${grade}, ${child}, n)
read the instances' answers. An instance beyond the count does not apply, so its answers no longer
count, as with any skip logic.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .expressions import Call, Chain, Constant, Current, Expression, ExpressionError, Negate, Node, Reference

# The most instances a repeat asks: a count above it is refused (a number) or not accepted as an
# answer (a count question); a family answering on a phone should not face more pages than this.
MAX_INSTANCES = 20
# The most questions a repeat may lay out (its questions times its instances): each is a question
# of the survey for every page, check and export, so a repeat of hundreds of rows is refused.
MAX_LAID_OUT = 2000
_INSTANCE = re.compile(r"^(?P<name>.+)\[(?P<number>[0-9]+)\]$")
_TEXT_REFERENCE = re.compile(r"\$\{\s*(?P<name>[^\W\d][\w.\-]*)\s*\}")
_TEXT_REFERENCE_INSTANCE = re.compile(r"\$\{\s*(?P<name>[^\W\d][\w.\-]*)\[[0-9]+\]\s*\}")


def instance_name(name: str, number: int) -> str:
    """The stored name of question `name`'s answer in instance `number`."""
    return f"{name}[{number}]"


def split_instance(name: str) -> tuple[str, int | None]:
    """("grade", 2) for "grade[2]"; (name, None) for a question outside a repeat."""
    match = _INSTANCE.match(name)
    return (match["name"], int(match["number"])) if match else (name, None)


@dataclass(frozen=True)
class Repeat:
    """A repeat as its expressions see it: its questions' names, how many instances apply (`count`,
    a tree over answers above it) and how many are laid out (`instances`)."""

    name: str
    questions: frozenset[str]
    count: Node
    instances: int


def count_of(source: str) -> int | None:
    """A repeat_count written as a whole number, or None for an expression."""
    text = source.strip()
    return int(text) if text.isdigit() else None


def rewritten(expression: Expression, repeats: Mapping[str, Repeat],
              inside: tuple[Repeat, int] | None = None) -> Expression:
    """`expression` as it reads in instance `inside` = (repeat, number), or outside every repeat."""
    tree = _rewrite(expression.tree, repeats, inside)
    return Expression(expression.source, frozenset(_references(tree)), tree, expression.columns)


def instance_text(text: str, repeat: Repeat, number: int) -> str:
    """A label or hint of the repeat's instance `number`: `${child_name}` is that child's name."""
    return _TEXT_REFERENCE.sub(
        lambda match: "${" + (instance_name(match["name"], number) if match["name"] in repeat.questions
                              else match["name"]) + "}", text)


def instance_label(label: str, name: str) -> str:
    """A label as staff read it in exports and reports: "Grade of ${child_name} [2]" for `grade[2]`,
    which says which instance, where the respondent read "Grade of Amina"."""
    _question, number = split_instance(name)
    if number is None:
        return label
    plain = _TEXT_REFERENCE_INSTANCE.sub(lambda match: "${" + match["name"] + "}", label)
    return f"{plain} [{number}]"


def all_of(parts: list[tuple[str, Node]]) -> Expression | None:
    """The conditions (source, tree) joined with `and`; None when there are none."""
    if not parts:
        return None
    first, *rest = parts
    tree = Chain(first[1], tuple(("and", node) for _source, node in rest)) if rest else first[1]
    source = " and ".join(f"({text})" for text, _node in parts) if rest else first[0]
    return Expression(source, frozenset(_references(tree)), tree)


def at_least(count: Node, number: int) -> Node:
    return Chain(count, ((">=", Constant(float(number))),))


def _owner(name: str, repeats: Mapping[str, Repeat]) -> Repeat | None:
    return next((repeat for repeat in repeats.values() if name in repeat.questions), None)


def _rewrite(node: Node, repeats: Mapping[str, Repeat], inside: tuple[Repeat, int] | None) -> Node:
    def again(child: Node) -> Node:
        return _rewrite(child, repeats, inside)

    match node:
        case Reference(name):
            if inside is not None and name in inside[0].questions:
                return Reference(instance_name(name, inside[1]))
            owner = _owner(name, repeats)
            if owner is not None:
                raise ExpressionError(
                    f"${{{name}}} is asked once for each instance of the repeat '{owner.name}'; outside it, write "
                    f"indexed-repeat(${{{name}}}, ${{{owner.name}}}, 1), sum(${{{name}}}) or count(${{{owner.name}}})")
            if name in repeats:
                raise ExpressionError(f"${{{name}}} is a repeat; write count(${{{name}}}) for how many there are")
            return node
        case Call("position", _args):
            if inside is None:
                raise ExpressionError("position(..) can only be used inside a repeat")
            return Constant(float(inside[1]))
        case Call("count", (Reference(name),)) if name in repeats:
            return repeats[name].count
        case Call("count", _args):
            raise ExpressionError("count() takes a repeat, as in count(${child})")
        case Call("sum", (Reference(name),)) if (owner := _owner(name, repeats)) is not None:
            return Call("_sum", tuple(Reference(instance_name(name, number))
                                      for number in range(1, owner.instances + 1)))
        case Call("sum", _args):
            raise ExpressionError("sum() takes a question inside a repeat, as in sum(${age})")
        case Call("indexed-repeat", (Reference(name), Reference(repeat_name), index)) if (
                repeat_name in repeats and name in repeats[repeat_name].questions):
            repeat = repeats[repeat_name]
            index = again(index)
            if isinstance(index, Constant):
                value = index.value
                number = value if isinstance(value, float) else float(value) if value.strip().isdigit() else 0.0
                if number.is_integer() and 1 <= number <= repeat.instances:
                    return Reference(instance_name(name, int(number)))
                return Constant("")
            return Call("_pick", (index, *(Reference(instance_name(name, number))
                                           for number in range(1, repeat.instances + 1))))
        case Call("indexed-repeat", _args):
            raise ExpressionError("indexed-repeat() takes a question of a repeat, the repeat and a number, "
                                  "as in indexed-repeat(${age}, ${child}, 1)")
        case Call(name, args):
            return Call(name, tuple(again(arg) for arg in args))
        case Negate(operand):
            return Negate(again(operand))
        case Chain(first, rest):
            return Chain(again(first), tuple((symbol, again(operand)) for symbol, operand in rest))
    return node


def _references(node: Node) -> set[str]:
    match node:
        case Reference(name):
            return {name}
        case Call(_name, args):
            return set().union(*(_references(arg) for arg in args)) if args else set()
        case Negate(operand):
            return _references(operand)
        case Chain(first, rest):
            return _references(first).union(*(_references(operand) for _symbol, operand in rest))
        case Constant() | Current():
            return set()
    return set()
