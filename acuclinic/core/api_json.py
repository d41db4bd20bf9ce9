"""JSON in and out of the API: bodies must be JSON; times go out with their offset."""

import json
from datetime import datetime

from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class MalformedBody(ValueError):
    """The body is not a JSON document; ninja turns this into a 400 (see api_errors)."""


def _refuse_constant(name: str):
    # Python's json reads NaN and Infinity, which are not JSON and not a valid anything here.
    raise ValueError(f"{name} is not valid JSON")


class JsonOnlyParser(Parser):
    def parse_body(self, request):
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise MalformedBody(
                "Send the body as JSON, with the header “Content-Type: application/json”."
            )
        try:
            return json.loads(request.body, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise MalformedBody("The JSON in the body is nested too deeply.") from exc
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
            raise MalformedBody(f"The body is not valid JSON{where}.") from exc


class _OffsetEncoder(NinjaJSONEncoder):
    def default(self, o):
        # Django's encoder writes UTC as "Z" and drops microseconds; write every time
        # the same way, "2026-03-03T10:00:00+00:00", as the offset the clinic is on.
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class OffsetJSONRenderer(JSONRenderer):
    encoder_class = _OffsetEncoder
