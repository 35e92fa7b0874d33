"""The API's one parser: JSON, checked before any view sees it.

Django bounds the body (DATA_UPLOAD_MAX_MEMORY_SIZE; `config.input_hygiene` answers 413). Here: nesting
deeper than MAX_DEPTH, a NUL or lone surrogate in any key or string, or a number too large for a float
is a 400 naming where it is, so no serializer, query or reply ever meets them.
"""

from __future__ import annotations

import json
import math

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.input_hygiene import text_problem

MAX_DEPTH = 32
TOO_DEEP = f"The JSON body is nested more than {MAX_DEPTH} levels deep."


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
    """The first thing in parsed JSON that the API refuses, said in a sentence; None if all is well.

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


class SafeJSONParser(JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity) with the checks above."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json gives up on deep nesting by exhausting the interpreter's recursion limit.
            raise ParseError(TOO_DEEP) from None
        if problem := json_problem(data):
            raise ParseError(problem)
        return data
