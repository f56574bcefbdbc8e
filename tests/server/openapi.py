"""Validate responses against the OpenAI spec subset in ../shared/openai (skips if absent)."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import yaml

from tests.conftest import shared_path


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as a JSON-schema type union (the spec still uses it)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _components() -> dict:
    spec = yaml.safe_load(shared_path("openai", "openai-openapi-subset.yaml").read_text())
    return _json_schema(spec["components"])


def validate(schema_name: str, instance: Any) -> None:
    """Raise jsonschema.ValidationError unless instance matches components.schemas[name]."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _components()}
    jsonschema.Draft202012Validator(schema).validate(instance)
