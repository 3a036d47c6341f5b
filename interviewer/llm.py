"""The LLM contract the interviewer uses: one structured (JSON) completion per call.

Kept tiny so fakes are easy: ``complete_json(system, user, schema, tool_name=...)`` returns a
dict that conforms to ``schema`` or raises an ``LLMError``. Callers never see vendor
exceptions, only these four kinds, each with a short message that is safe to log and to show
(it never holds the API key or the candidate's words):

- ``LLMTimeout``: no reply within the time budget;
- ``LLMRateLimited``: the provider asked us to slow down (``retry_after_s`` when it said);
- ``LLMBadReply``: a reply came, but not one we can use (no tool call, wrong shape);
- ``LLMUnavailable``: server errors, connection failures, a rejected key or request.

``validate_json`` checks a value against the small JSON-schema subset our schemas use, so every
implementation (and every fake) validates the same way.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

__all__ = [
    "LLM",
    "LLMBadReply",
    "LLMError",
    "LLMRateLimited",
    "LLMTimeout",
    "LLMUnavailable",
    "validate_json",
]


class LLMError(Exception):
    """An LLM call failed. ``str(error)`` is a short plain-English reason, safe to log."""


class LLMTimeout(LLMError):
    """No reply within the time budget."""


class LLMRateLimited(LLMError):
    """The provider rate-limited us (HTTP 429)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class LLMBadReply(LLMError):
    """The reply could not be used: no tool call, truncated, or not matching the schema."""


class LLMUnavailable(LLMError):
    """Server error, connection failure, or the request or key was rejected."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # HTTP status, when there was a response


class LLM(Protocol):
    """A language model that answers with JSON matching a schema. Blocking: run off the loop."""

    def complete_json(
        self, system: str, user: str, schema: dict[str, Any], *, tool_name: str
    ) -> dict[str, Any]:
        """Ask once; return the model's answer as a dict valid against ``schema``.

        Raises an ``LLMError`` subclass on any failure.
        """
        ...


# --------------------------------------------------------------------------- validation

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int, float),  # floats only when integral, checked below
    "null": (type(None),),
}

SUPPORTED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "enum",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "description",
    }
)
"""The JSON-schema keywords ``validate_json`` understands; others raise ``ValueError``."""


def validate_json(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Problems with ``value`` against ``schema`` (empty when valid).

    Supports the subset in ``SUPPORTED_KEYWORDS``; ``type`` may be a string or a list of
    strings. Messages name the path and the rule, never the offending value (it may hold the
    candidate's words), e.g. ``"$.criteria[2].score: above the maximum 4"``.
    """
    unknown = set(schema) - SUPPORTED_KEYWORDS
    if unknown:
        raise ValueError(f"unsupported JSON-schema keyword(s) at {path}: {sorted(unknown)}")
    errors: list[str] = []
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, name) for name in names):
            return [f"{path}: expected {' or '.join(names)}, got {_json_type(value)}"]
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        errors.append(f"{path}: not one of the allowed values")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']} characters")
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: above the maximum {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                errors.extend(validate_json(item, schema["items"], f"{path}[{i}]"))
    if isinstance(value, dict):
        properties: dict[str, Any] = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                errors.append(f"{path}: missing required field {key!r}")
        for key, item in value.items():
            if key in properties:
                errors.extend(validate_json(item, properties[key], f"{path}.{key}"))
            elif schema.get("additionalProperties", True) is False:
                errors.append(f"{path}: unexpected field")
    return errors


def _is_type(value: Any, name: str) -> bool:
    if name not in _TYPES:
        raise ValueError(f"unsupported JSON-schema type {name!r}")
    if isinstance(value, bool):
        return name == "boolean"
    if not isinstance(value, _TYPES[name]):
        return False
    if name == "integer" and isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    if name == "number" and isinstance(value, float):
        return math.isfinite(value)
    return True


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``True`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__
