"""The API's one parser: JSON, checked before any view sees it.

Django bounds the body (DATA_UPLOAD_MAX_MEMORY_SIZE; `config.input_hygiene` answers 413). The checks
themselves (depth, NUL, lone surrogates, numbers too large) are `config.json_input`'s, which the
endpoints without a login use too.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.json_input import MAX_DEPTH, TOO_DEEP, json_problem

__all__ = ["MAX_DEPTH", "SafeJSONParser"]


class SafeJSONParser(JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity) with `config.json_input`'s checks."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json gives up on deep nesting by exhausting the interpreter's recursion limit.
            raise ParseError(TOO_DEEP) from None
        if problem := json_problem(data):
            raise ParseError(problem)
        return data
