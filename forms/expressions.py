"""Parse and evaluate the XLSForm expressions in a survey's `relevant`, `constraint`, `required`,
`calculation`, `default` and `choice_filter` columns.

Survey definitions are data, so their expressions are parsed by hand into a small tree and
evaluated here; nothing is ever handed to Python's own parser. Values follow XPath 1.0 as ODK
uses it: a missing answer is '' (NaN as a number) and a select_multiple answer reads as its
codes joined by single spaces.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
import re._constants as re_constants
import re._parser as re_parser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import regex

MAX_SOURCE_LENGTH = 1000
MAX_NESTING = 32
MAX_NUMBER_DIGITS = 15


class ExpressionError(ValueError):
    """An expression that cannot be parsed, is not supported, or cannot be evaluated."""


# Evaluated values: str, float, bool, or a tuple of choice codes (a select_multiple answer).
Value = str | float | bool | tuple[str, ...]


@dataclass(frozen=True)
class Constant:
    value: str | float


@dataclass(frozen=True)
class Reference:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Column:
    """A column of the choices sheet, named bare in a `choice_filter` (`state=${state}`)."""

    name: str


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Chain:
    """Operators of one precedence level, applied left to right.

    Kept flat rather than as nested binary nodes so `1 + 1 + ... + 1` stays one level deep
    and evaluating it cannot exhaust the Python stack.
    """

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Constant | Reference | Current | Column | Negate | Chain | Call


@dataclass(frozen=True)
class Expression:
    source: str
    references: frozenset[str]
    tree: Node = field(repr=False, compare=False)
    columns: frozenset[str] = frozenset()  # choices sheet columns a choice_filter names

    def evaluate(self, answers: Mapping[str, object], current: object = None) -> object:
        """Return the value: str, float, bool, or a tuple of choice codes."""
        return self._value(answers, current, {})

    def is_true(self, answers: Mapping[str, object], current: object = None,
                choice: Mapping[str, str] | None = None) -> bool:
        """Return the value as XPath boolean() reads it, as `relevant` and `constraint` need;
        `choice` holds the choices sheet columns of the choice a `choice_filter` is checking."""
        return _boolean(self._value(answers, current, choice or {}))

    def text(self, answers: Mapping[str, object]) -> str:
        """The value as XPath string() writes it, as a `calculation` or a `default` gives it; a
        number that cannot be worked out (NaN, as when an answer it needs is missing) gives ''."""
        value = self._value(answers, None, {})
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return _string(value)

    def _value(self, answers: Mapping[str, object], current: object, choice: Mapping[str, str]) -> Value:
        try:
            return _evaluate(self.tree, answers, current, choice)
        except ExpressionError:
            raise
        except Exception as error:
            # Answers come from respondents and callers; no odd value may surface as a crash.
            raise ExpressionError(f"could not evaluate {self.source!r}: {error}") from error


# name -> (fewest arguments, most arguments or None for any number)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2), "count-selected": (1, 1), "string-length": (0, 1), "not": (1, 1),
    "true": (0, 0), "false": (0, 0), "number": (0, 1), "int": (1, 1), "string": (0, 1),
    "coalesce": (2, 2), "if": (3, 3), "contains": (2, 2), "starts-with": (2, 2), "concat": (0, None),
    "regex": (2, 2), "round": (1, 2), "today": (0, 0),
    # Over a repeat: `forms.repeats` turns them into what they mean for each instance.
    "position": (0, 1), "indexed-repeat": (3, 3), "count": (1, 1), "sum": (1, 1),
}
REPEAT_FUNCTIONS = frozenset({"position", "indexed-repeat", "count", "sum"})
# regex(): patterns run with the `regex` module's time limit, and only patterns that cannot
# backtrack without end are taken (no repeat inside a repeat, no back-references). An answer that
# the pattern cannot be checked against in time does not satisfy it.
_REGEX_MAX_PATTERN = 200
_REGEX_MAX_TEXT = 1000
_REGEX_SECONDS = 0.1
# Functions that, called with no argument, read the current question like XPath's context node.
_CURRENT_BY_DEFAULT = {"string-length", "number", "string"}

_LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "div", "mod"))
_WORD_OPERATORS = {"or", "and", "div", "mod"}

_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<ref>\$\{)|(?P<op>!=|<=|>=|[=<>+\-*])|(?P<parent>\.\.)|(?P<punct>[(),.])|(?P<name>[^\W\d][\w\-]*)"
)
_QUESTION_NAME = re.compile(r"[^\W\d][\w.\-]*")
_XPATH_NUMBER = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*", re.ASCII)


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, ref, op, punct, name, end
    text: str
    position: int  # 1-based, as a survey author counts characters


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    index = 0
    while index < len(source):
        match = _TOKEN.match(source, index)
        position = index + 1
        if match is None:
            char = source[index]
            if char in "'\"":
                raise ExpressionError(f"the text starting at character {position} has no closing {char}")
            if char == "$":
                raise ExpressionError(
                    f"'$' at character {position} must be followed by a question name in braces, like ${{age}}")
            if char == "/":
                raise ExpressionError(
                    f"paths like '/data/age' (character {position}) are not supported; write ${{age}} instead")
            raise ExpressionError(f"the character {char!r} at character {position} is not allowed")
        kind, text = match.lastgroup or "", match.group()
        index = match.end()
        if kind == "ref":
            closing = source.find("}", index)
            if closing == -1:
                raise ExpressionError(f"the question reference at character {position} has no closing '}}'")
            text = source[index:closing]
            if not _QUESTION_NAME.fullmatch(text):
                raise ExpressionError(f"'${{{text}}}' at character {position} is not a valid question name")
            index = closing + 1
        elif kind == "number" and sum(char.isdigit() for char in text) > MAX_NUMBER_DIGITS:
            raise ExpressionError(
                f"the number at character {position} has more than {MAX_NUMBER_DIGITS} digits")
        if kind != "space":
            tokens.append(_Token(kind, text, position))
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], choice_columns: bool) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.references: set[str] = set()
        self.choice_columns = choice_columns
        self.columns: set[str] = set()

    def parse(self) -> Node:
        tree = self._level(0)
        token = self._peek()
        if token.kind != "end":
            raise ExpressionError(
                f"unexpected {token.text!r} at character {token.position} after a complete expression")
        return tree

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _expect(self, text: str) -> None:
        token = self._take()
        if token.text != text or token.kind not in ("punct", "op"):
            found = "the end of the expression" if token.kind == "end" else repr(token.text)
            raise ExpressionError(f"expected {text!r} at character {token.position} but found {found}")

    def _enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(
                f"the expression nests more than {MAX_NESTING} levels deep at character {position}")

    def _is_operator(self, token: _Token, operators: tuple[str, ...]) -> bool:
        return token.kind in ("op", "name") and token.text in operators

    def _level(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self._unary()
        first = self._level(level + 1)
        rest: list[tuple[str, Node]] = []
        while self._is_operator(self._peek(), _LEVELS[level]):
            rest.append((self._take().text, self._level(level + 1)))
        return Chain(first, tuple(rest)) if rest else first

    def _unary(self) -> Node:
        token = self._peek()
        if token.kind == "op" and token.text == "-":
            self._take()
            self._enter(token.position)
            operand = self._unary()
            self.depth -= 1
            return Negate(operand)
        return self._primary()

    def _primary(self) -> Node:
        token = self._take()
        if token.kind == "number":
            return Constant(float(token.text))
        if token.kind == "string":
            return Constant(token.text[1:-1])
        if token.kind == "ref":
            self.references.add(token.text)
            return Reference(token.text)
        if token.kind == "punct" and token.text == ".":
            return Current()
        if token.kind == "punct" and token.text == "(":
            self._enter(token.position)
            inner = self._level(0)
            self._expect(")")
            self.depth -= 1
            return inner
        if token.kind == "name" and self._peek().text == "(" and self._peek().kind == "punct":
            return self._call(token)
        if token.kind == "parent":
            raise ExpressionError(f"'..' at character {token.position} is only read inside position(..)")
        if token.kind == "name" and token.text not in _WORD_OPERATORS and self.choice_columns:
            self.columns.add(token.text)
            return Column(token.text)
        if token.kind == "name" and token.text not in _WORD_OPERATORS:
            raise ExpressionError(
                f"{token.text!r} at character {token.position} is not a function call, a quoted text "
                "or a question reference like ${age}")
        found = "the expression ended" if token.kind == "end" else f"found {token.text!r}"
        raise ExpressionError(f"expected a value at character {token.position} but {found}")

    def _call(self, name: _Token) -> Call:
        if name.text not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {name.text}() at character {name.position}; supported functions are: "
                + ", ".join(f"{known}()" for known in FUNCTIONS))
        self._take()  # the opening parenthesis
        self._enter(name.position)
        args: list[Node] = []
        if name.text == "position":
            # position(..): the number of the repeat's instance this question is in
            if self._peek().kind == "parent":
                self._take()
            self._expect(")")
            self.depth -= 1
            return Call(name.text, ())
        if self._peek().text != ")" or self._peek().kind != "punct":
            args.append(self._level(0))
            while self._peek().text == "," and self._peek().kind == "punct":
                self._take()
                args.append(self._level(0))
        self._expect(")")
        self.depth -= 1
        fewest, most = FUNCTIONS[name.text]
        if len(args) < fewest or (most is not None and len(args) > most):
            if most is None:
                wanted = f"at least {fewest} arguments"
            elif most == fewest:
                wanted = "1 argument" if fewest == 1 else f"{fewest} arguments"
            else:
                wanted = f"{fewest} to {most} arguments"
            raise ExpressionError(
                f"{name.text}() at character {name.position} takes {wanted} but was given {len(args)}")
        if name.text == "regex":
            _check_pattern(args[1], name.position)
        return Call(name.text, tuple(args))


def _check_pattern(node: Node, position: int) -> None:
    """A regex() pattern written in quotes, that compiles, and that cannot take the server long."""
    where = f"regex() at character {position}"
    if not isinstance(node, Constant) or not isinstance(node.value, str):
        raise ExpressionError(f"{where} takes its pattern as text in quotes, as in regex(., '^[0-9]{{5}}$')")
    if len(node.value) > _REGEX_MAX_PATTERN:
        raise ExpressionError(f"{where}: the pattern is longer than {_REGEX_MAX_PATTERN} characters")
    try:
        parsed = re_parser.parse(node.value)
    except re.error as error:
        raise ExpressionError(f"{where}: the pattern is not valid: {error}") from None
    if _risky(parsed, inside_repeat=False):
        raise ExpressionError(f"{where}: the pattern repeats a part that itself repeats, or refers back to a "
                              "group; such patterns can take the server very long. Write a simpler one.")


def _risky(pattern: re_parser.SubPattern | list[tuple[Any, Any]], inside_repeat: bool) -> bool:
    for op, value in pattern:
        if op in (re_constants.GROUPREF, re_constants.GROUPREF_EXISTS):
            return True
        if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT):
            _low, high, inner = value
            repeats = high is re_constants.MAXREPEAT or high > 1
            if repeats and inside_repeat:
                return True
            if _risky(inner, inside_repeat or repeats):
                return True
        elif op is re_constants.SUBPATTERN:
            if _risky(value[-1], inside_repeat):
                return True
        elif op is re_constants.BRANCH:
            if any(_risky(branch, inside_repeat) for branch in value[1]):
                return True
        elif op in (re_constants.ASSERT, re_constants.ASSERT_NOT, re_constants.ATOMIC_GROUP):
            if _risky(value[-1], inside_repeat):
                return True
    return False


def _regex(text: Value, pattern: Value) -> bool:
    try:
        return regex.search(_string(pattern), _string(text)[:_REGEX_MAX_TEXT], timeout=_REGEX_SECONDS) is not None
    except TimeoutError:
        return False


def parse(source: str, choice_columns: bool = False) -> Expression:
    """Parse one expression; raises ExpressionError with a readable message. With `choice_columns`
    (a `choice_filter`), a bare name such as `state` reads that column of the choice checked."""
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            f"the expression is {len(source)} characters long; the limit is {MAX_SOURCE_LENGTH}")
    if not source.strip():
        raise ExpressionError("the expression is empty")
    parser = _Parser(_tokenize(source), choice_columns)
    tree = parser.parse()
    return Expression(source=source, references=frozenset(parser.references), tree=tree,
                      columns=frozenset(parser.columns))


def _answer(raw: object) -> Value:
    """Bring a stored answer into the expression's value types."""
    if raw is None:
        return ""
    if isinstance(raw, (str, bool)):
        return raw
    if isinstance(raw, (numbers.Real, Decimal)):
        try:
            return float(raw)
        except OverflowError:  # an int too large for a float
            return -math.inf if raw < 0 else math.inf
    if isinstance(raw, (list, tuple)):
        return tuple(_string(_answer(code)) for code in raw)
    return str(raw)


def _string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == 0:
            return "0"  # also for -0, as XPath writes it
        text = format(Decimal(repr(value)), "f")  # XPath never writes exponents
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, tuple):
        return " ".join(value)
    return value


def _number(value: Value) -> float:
    if isinstance(value, (bool, float)):
        return float(value)
    text = _string(value)
    # XPath numbers have no exponent, 'inf' or '1_000', all of which float() would accept.
    return float(text) if _XPATH_NUMBER.fullmatch(text) else math.nan


def _boolean(value: Value) -> bool:
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return bool(value)


def _codes(value: Value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else tuple(_string(value).split())


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def _compare(symbol: str, left: Value, right: Value) -> bool:
    """Compare as booleans if `=`/`!=` meets a boolean, as numbers if either side is one, else as text."""
    if symbol in ("=", "!=") and (isinstance(left, bool) or isinstance(right, bool)):
        return _COMPARISONS[symbol](_boolean(left), _boolean(right))
    if isinstance(left, (bool, float)) or isinstance(right, (bool, float)):
        return _COMPARISONS[symbol](_number(left), _number(right))  # NaN makes all but != false
    return _COMPARISONS[symbol](_string(left), _string(right))


def _arithmetic(symbol: str, left: float, right: float) -> float:
    if symbol == "+":
        return left + right
    if symbol == "-":
        return left - right
    if symbol == "*":
        return left * right
    if symbol == "div":
        if right == 0:
            if left == 0 or math.isnan(left):
                return math.nan
            return math.copysign(math.inf, left) * math.copysign(1.0, right)
        return left / right
    try:
        return math.fmod(left, right)  # XPath mod keeps the sign of the dividend, like fmod
    except ValueError:  # x mod 0, Infinity mod x
        return math.nan


def _truncate(value: Value) -> float:
    number = _number(value)
    return float(math.trunc(number)) if math.isfinite(number) else number


_CALLS: dict[str, Callable[..., Value]] = {
    "selected": lambda value, code: _string(code).strip() in _codes(value),
    "count-selected": lambda value: float(len(_codes(value))),
    "string-length": lambda value: float(len(_string(value))),
    "not": lambda value: not _boolean(value),
    "true": lambda: True,
    "false": lambda: False,
    "number": _number,
    "int": _truncate,
    "string": _string,
    "coalesce": lambda first, second: first if _string(first) != "" else second,
    "contains": lambda haystack, needle: _string(needle) in _string(haystack),
    "starts-with": lambda text, prefix: _string(text).startswith(_string(prefix)),
    "concat": lambda *parts: "".join(_string(part) for part in parts),
    "regex": _regex,
    "round": lambda value, digits=0.0: _round(_number(value), _number(digits)),
    "today": lambda: date.today().isoformat(),
    # Made by `forms.repeats`, never written by authors: the answer of the instance the first
    # argument numbers, and the sum of the instances' answers (those not given left out).
    "_pick": lambda index, *values: values[int(_number(index)) - 1] if 1 <= _number(index) <= len(values) else "",
    "_sum": lambda *values: float(sum(_number(value) for value in values if _string(value) != "")),
}


def _round(number: float, digits: float) -> float:
    """Half away from zero, as ODK rounds (Python's round() rounds half to even)."""
    if not math.isfinite(number) or not math.isfinite(digits):
        return number if math.isfinite(digits) else math.nan
    scale = Decimal(1).scaleb(-int(digits))
    try:
        return float(Decimal(repr(number)).quantize(scale, rounding=ROUND_HALF_UP))
    except ArithmeticError:  # more digits than a number holds: the number as it is
        return number


def _evaluate(node: Node, answers: Mapping[str, object], current: object, choice: Mapping[str, str]) -> Value:
    match node:
        case Constant(value):
            return value
        case Reference(name):
            return _answer(answers.get(name))
        case Current():
            return _answer(current)
        case Column(name):
            return _answer(choice.get(name))
        case Negate(operand):
            return -_number(_evaluate(operand, answers, current, choice))
        case Call("if", (condition, then, otherwise)):
            chosen = then if _boolean(_evaluate(condition, answers, current, choice)) else otherwise
            return _evaluate(chosen, answers, current, choice)
        case Call(name, _args) if name in REPEAT_FUNCTIONS:
            raise ExpressionError(f"{name}() can only be used with a repeat")
        case Call(name, args):
            values = [_evaluate(arg, answers, current, choice) for arg in args]
            if not values and name in _CURRENT_BY_DEFAULT:
                values = [_answer(current)]
            return _CALLS[name](*values)
        case Chain(first, rest):
            result = _evaluate(first, answers, current, choice)
            for symbol, operand in rest:
                if symbol in ("and", "or"):
                    # Short-circuit as XPath does: the right side is not evaluated once decided.
                    if _boolean(result) == (symbol == "or"):
                        result = symbol == "or"
                        continue
                    result = _boolean(_evaluate(operand, answers, current, choice))
                elif symbol in _COMPARISONS:
                    result = _compare(symbol, result, _evaluate(operand, answers, current, choice))
                else:
                    right = _number(_evaluate(operand, answers, current, choice))
                    result = _arithmetic(symbol, _number(result), right)
            return result
    raise ExpressionError(f"cannot evaluate {node!r}")
