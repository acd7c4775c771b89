"""JSON in, with the guards that keep bad input a 400 instead of a database error."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _bad_text(value: str) -> bool:
    # PostgreSQL stores neither NUL nor lone surrogates (which JSON's \ud800 escapes can make).
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_clean(data, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(_("The JSON document is nested too deeply."))
    if isinstance(data, str):
        if _bad_text(data):
            raise ParseError(_("Text may not contain NUL characters or unpaired surrogates."))
    elif isinstance(data, dict):
        for key, value in data.items():
            check_clean(key, depth + 1)
            check_clean(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            check_clean(value, depth + 1)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON document is nested too deeply."))
        check_clean(data)
        return data
