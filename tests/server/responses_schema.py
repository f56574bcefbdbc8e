"""Validate Responses API bodies and stream events against the schemas cut from the openai SDK
(tests/server/schemas/openai-responses.schema.json; its `source` says which version)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).with_name("schemas") / "openai-responses.schema.json"


@functools.cache
def _schemas() -> dict:
    return json.loads(SCHEMAS.read_text(encoding="utf-8"))


def validate_response(instance: Any) -> None:
    jsonschema.Draft202012Validator(_schemas()["response"]).validate(instance)


def validate_stream_event(instance: Any) -> None:
    jsonschema.Draft202012Validator(_schemas()["stream_event"]).validate(instance)
