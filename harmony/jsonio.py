"""JSON loading that treats absurdly nested input as bad input, not a server error."""
import json

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
