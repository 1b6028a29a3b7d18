"""JSON loading that treats absurdly nested input as bad input, not a server error; fast JSON for sync."""
import json

import orjson
from flask.json.provider import DefaultJSONProvider
from flask_smorest.arguments import ArgumentsMixin
from webargs.flaskparser import FlaskParser


class HarmonyJSONProvider(DefaultJSONProvider):
    ensure_ascii = False

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # Werkzeug turns ValueError into a 400; json raises RecursionError on deep nesting.
            raise ValueError("The JSON is nested too deeply.") from None


class HarmonyArgumentsParser(FlaskParser):
    """webargs parses request bodies with its own json.loads; deep nesting is bad input there too."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            return self._handle_invalid_json_error(json.JSONDecodeError("nested too deeply", "", 0), req)


def install_arguments_parser():
    """Make every flask-smorest Blueprint parse arguments with HarmonyArgumentsParser."""
    ArgumentsMixin.ARGUMENTS_PARSER = HarmonyArgumentsParser()


# Digits → "0", everything else → " ": a run of 19 zeros then marks a number orjson may not
# read as the stdlib does (it turns integers past 64 bits, e.g. -9223372036854775809, into floats).
_DIGITS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * 19


def loads(data):
    """Parse JSON bytes exactly as json.loads would, with orjson for the common case (3x faster).

    The stdlib decides whatever orjson refuses or could read differently (integers past 64
    bits, NaN, lone surrogates, a BOM, UTF-16), so such input meets the same checks and
    the same error messages as before: it raises ValueError, or RecursionError when nested
    absurdly deep.
    """
    if _LONG_NUMBER not in data.translate(_DIGITS):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def dumps(value):
    """Return compact UTF-8 JSON bytes (orjson; the stdlib for integers past 64 bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
