"""Request body parsers: DRF's JSON parser, refusing what no field can hold."""

from rest_framework import exceptions, parsers

from patchwork_api.validation import InvalidValue, check_json


class JSONParser(parsers.JSONParser):
    """A 400 ``JSON parse error`` for bodies nested deeper than ``MAX_JSON_DEPTH`` (1,000
    levels overflowed Python's recursion limit: a 500) or holding lone surrogates (the
    400 that echoed them could not be encoded: a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
        try:
            check_json(data)
        except InvalidValue as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        return data
