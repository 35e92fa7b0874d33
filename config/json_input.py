"""JSON from outside, read in one place: the API's parser and every endpoint without a login (the
buyer's room events) take bodies through `json_read`, so none of them meets text the database or the
reply cannot hold.

Refused, each with a sentence naming where: nesting deeper than MAX_DEPTH, a NUL or lone surrogate
in any key or string (`config.input_hygiene.text_problem`), a number too large for a float, and bytes
that are not UTF-8 JSON at all.
"""

from __future__ import annotations

import json
import math

from config.input_hygiene import text_problem

MAX_DEPTH = 32
TOO_DEEP = f"The JSON body is nested more than {MAX_DEPTH} levels deep."
NOT_JSON = "The body is not JSON."


class JSONInputError(ValueError):
    """JSON that no view may see; the message says what and where, for a 400."""


def _where(path: tuple | None) -> str:
    """`$[1].event_id` from the linked (parent, step) pairs built while walking."""
    steps = []
    while path is not None:
        path, step = path
        if isinstance(step, int):
            steps.append(f"[{step}]")
        elif step.isascii() and step.isidentifier():
            steps.append(f".{step}")
        else:
            steps.append(f"[{json.dumps(step[:40])}]")
    return "$" + "".join(reversed(steps))


def json_problem(data: object) -> str | None:
    """The first thing in parsed JSON that is refused, said in a sentence; None if all is well.

    Walks with its own stack, so no depth of input can exhaust Python's.
    """
    stack: list[tuple[object, int, tuple | None]] = [(data, 1, None)]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return TOO_DEEP
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (problem := text_problem(key)):
                    return f"A key in {_where(path)} ({json.dumps(key[:40])}) {problem}."
                stack.append((item, depth + 1, (path, key)))
        elif isinstance(value, str):
            if problem := text_problem(value):
                return f"The string at {_where(path)} {problem}."
        elif isinstance(value, float) and not math.isfinite(value):
            return f"The number at {_where(path)} is too large; numbers must be finite."
    return None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_read(body: bytes) -> object:
    """Parse a request body as strict JSON (no NaN or Infinity) and check it; JSONInputError if refused."""
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        # json gives up on deep nesting by exhausting the interpreter's recursion limit.
        raise JSONInputError(TOO_DEEP) from None
    except ValueError:  # also UnicodeDecodeError: bytes that are not UTF-8
        raise JSONInputError(NOT_JSON) from None
    if problem := json_problem(data):
        raise JSONInputError(problem)
    return data
