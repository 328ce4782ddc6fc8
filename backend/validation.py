"""Declarative input schemas: one definition validates a body and describes it in OpenAPI."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from backend.errors import ValidationFailed

_MISSING: Any = object()
EMAIL_RE = re.compile(r"^[^@\s,;<>()\[\]\\\"]{1,64}@[^@\s,;<>()\[\]\\\"]+\.[^@\s,;<>()\[\]\\\"]{2,}$")
_JSON_TYPES = {
    "string": "string", "text": "string", "secret": "string", "email": "string", "integer": "integer", "number": "number",
    "boolean": "boolean", "object": "object", "array": "array",
}


@dataclass(frozen=True)
class F:
    """One field. `max_length` may name a setting (e.g. "max_description") so the limit stays configurable."""

    name: str
    type: str = "string"
    required: bool = False
    max_length: int | str | None = None
    min_length: int = 0
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    default: Any = _MISSING
    doc: str = ""


class Schema:
    def __init__(self, name: str, *fields: F, check: Callable[[dict], None] | None = None):
        self.name = name
        self.fields = {f.name: f for f in fields}
        self.check = check

    def parse(self, data: Any, settings: Any = None) -> dict[str, Any]:
        """Returns the cleaned values; raises ValidationFailed naming the first wrong field."""
        if not isinstance(data, dict):
            raise ValidationFailed("The body must be a JSON object.", code="invalid_type")
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise ValidationFailed(f"Unknown field: {unknown[0]}.", code="unknown_field", field=unknown[0])
        out: dict[str, Any] = {}
        for f in self.fields.values():
            value = data.get(f.name, _MISSING)
            if value is _MISSING or (value is None and not f.nullable):
                if f.required:
                    raise ValidationFailed(f"{f.name} is required.", code="required", field=f.name)
                out[f.name] = None if f.default is _MISSING else f.default
                continue
            out[f.name] = None if value is None else _clean(f, value, settings)
        if self.check:
            self.check(out)
        return out

    def json_schema(self) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for f in self.fields.values():
            prop: dict[str, Any] = {"type": _JSON_TYPES[f.type]}
            if f.type == "email":
                prop["format"] = "email"
            if f.choices:
                prop["enum"] = list(f.choices)
            if isinstance(f.max_length, int):
                prop["maxLength"] = f.max_length
            if f.min_length:
                prop["minLength"] = f.min_length
            if f.minimum is not None:
                prop["minimum"] = f.minimum
            if f.maximum is not None:
                prop["maximum"] = f.maximum
            if f.nullable:
                prop["type"] = [prop["type"], "null"]
            if f.doc:
                prop["description"] = f.doc
            props[f.name] = prop
        required = [f.name for f in self.fields.values() if f.required]
        schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        if required:
            schema["required"] = required
        return schema


def _limit(f: F, settings: Any) -> int | None:
    if isinstance(f.max_length, str):
        return getattr(settings, f.max_length) if settings is not None else None
    return f.max_length


def _clean(f: F, value: Any, settings: Any) -> Any:
    if f.type in {"string", "text", "email", "secret"}:
        if not isinstance(value, str):
            raise ValidationFailed(f"{f.name} must be text.", code="invalid_type", field=f.name)
        if f.type in {"string", "email"}:
            value = value.strip()
        elif f.type == "text":
            value = value.strip("\r\n ")
        if "\x00" in value:
            raise ValidationFailed(f"{f.name} contains a forbidden character.", code="invalid", field=f.name)
        limit = _limit(f, settings)
        if limit is not None and len(value) > limit:
            raise ValidationFailed(
                f"{f.name} is too long ({len(value)} characters, at most {limit}).", code="too_long", field=f.name,
                params={"max": limit},
            )
        if len(value) < f.min_length or (f.required and not value):
            raise ValidationFailed(f"{f.name} is too short.", code="too_short", field=f.name)
        if f.type == "email":
            value = value.lower()
            if not EMAIL_RE.match(value):
                raise ValidationFailed("This is not a valid e-mail address.", code="invalid_email", field=f.name)
        if f.choices and value not in f.choices:
            raise ValidationFailed(
                f"{f.name} must be one of: {', '.join(f.choices)}.", code="invalid_choice", field=f.name
            )
        return value
    if f.type == "boolean":
        if not isinstance(value, bool):
            raise ValidationFailed(f"{f.name} must be true or false.", code="invalid_type", field=f.name)
        return value
    if f.type in {"integer", "number"}:
        value = to_number(value, f.name, integer=f.type == "integer")
        if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
            raise ValidationFailed(
                f"{f.name} must be between {f.minimum} and {f.maximum}.", code="out_of_range", field=f.name
            )
        return value
    if f.type == "object" and not isinstance(value, dict):
        raise ValidationFailed(f"{f.name} must be an object.", code="invalid_type", field=f.name)
    if f.type == "array" and not isinstance(value, list):
        raise ValidationFailed(f"{f.name} must be a list.", code="invalid_type", field=f.name)
    return value


def to_number(value: Any, name: str, *, integer: bool = False) -> float | int:
    """Accepts a JSON number or its text form (query strings, multipart fields)."""
    if isinstance(value, bool):
        raise ValidationFailed(f"{name} must be a number.", code="invalid_type", field=name)
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            raise ValidationFailed(f"{name} must be a number.", code="invalid_type", field=name) from None
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValidationFailed(f"{name} must be a number.", code="invalid_type", field=name)
    if integer and isinstance(value, float):
        if not value.is_integer():
            raise ValidationFailed(f"{name} must be a whole number.", code="invalid_type", field=name)
        value = int(value)
    return value


def point(lat: Any, lon: Any) -> tuple[float, float]:
    """A WGS84 point from two values; raises a clear error naming the wrong one."""
    if lat is None or lat == "":
        raise ValidationFailed("lat is required.", code="required", field="lat")
    if lon is None or lon == "":
        raise ValidationFailed("lon is required.", code="required", field="lon")
    la, lo = float(to_number(lat, "lat")), float(to_number(lon, "lon"))
    if not -90 <= la <= 90:
        raise ValidationFailed("lat must be between -90 and 90.", code="out_of_range", field="lat")
    if not -180 <= lo <= 180:
        raise ValidationFailed("lon must be between -180 and 180.", code="out_of_range", field="lon")
    return la, lo


def parse_time(raw: str, field: str) -> datetime:
    """An ISO 8601 date and time with its offset (`Z` accepted), or 422 naming the field."""
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(f"{field} must be an ISO 8601 date and time.", code="invalid_type", field=field) from None
    if value.tzinfo is None:
        raise ValidationFailed(f"{field} needs a time zone offset.", code="invalid_type", field=field)
    return value

