"""The OpenAPI documents the fuzz tier runs against, with the schema deviations that
Patchwork shares (README "Fuzz tier") applied.

Each deviation is an answer Patchwork gives on the same data that its own spec does not
allow; clients depend on Patchwork's answers, so ours are the same, and the spec copy
used for fuzzing is relaxed there only.
"""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spec"


def _without_format(schema: dict) -> dict:
    """The schema with ``format`` dropped at every level (``oneOf`` branches included)."""
    relaxed = {key: value for key, value in schema.items() if key != "format"}
    for keyword in ("oneOf", "anyOf", "allOf"):
        if keyword in relaxed:
            relaxed[keyword] = [_without_format(branch) for branch in relaxed[keyword]]
    return relaxed


def _nullable_string(schema: dict) -> dict:
    return {"title": schema.get("title", ""), "type": ["string", "null"], "readOnly": True}


def _nullable_reference(schema: dict) -> dict:
    if "$ref" not in schema:
        return schema
    return {"oneOf": [{"type": "null"}, {"$ref": schema["$ref"]}]}


# property name -> (why, how the property's schema is relaxed)
DEVIATIONS: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "list_archive_url_format": (
        "a format with a {} placeholder, not a URI (braces are not URI characters)",
        _without_format,
    ),
    "pull_url": (
        "the repository URL and the branch as the pull request names them "
        "('https://host/repo.git branch'), not a URI",
        _without_format,
    ),
    "hash": ("a pull request without a diff has no hash: null", _nullable_string),
    "diff": ("a pull request without a diff has no diff: null", _nullable_string),
    "cover_letter": ("a series without a cover letter has null", _nullable_reference),
    "first_name": (
        "up to 150 characters, Django's column (which users may fill through the API), "
        "where the spec still says 30",
        lambda schema: {**schema, "maxLength": 150},
    ),
}
# Bodies of 400 answers: DRF's (Patchwork's too) list the messages of each field,
# ``{"name": ["This field is required."]}``, where the spec says one string per field.
ERROR_STATUSES = ("400",)
ERROR_BODY = {"type": "object", "additionalProperties": True}


def _relax(node: Any) -> Any:
    if isinstance(node, dict):
        relaxed = {key: _relax(value) for key, value in node.items()}
        for status in ERROR_STATUSES:  # only ``responses`` objects have such keys
            content = relaxed.get(status, {}).get("content", {})
            if "application/json" in content:
                content["application/json"]["schema"] = ERROR_BODY
        properties = relaxed.get("properties")
        if isinstance(properties, dict):
            for name, (_why, edit) in DEVIATIONS.items():
                if isinstance(properties.get(name), dict):
                    properties[name] = edit(properties[name])
        return relaxed
    if isinstance(node, list):
        return [_relax(item) for item in node]
    return node


def relaxed_spec(path: Path) -> dict:
    """The spec at ``path`` with ``DEVIATIONS`` applied."""
    with open(path, encoding="utf-8") as spec_file:
        return _relax(copy.deepcopy(yaml.safe_load(spec_file)))


def spec_paths() -> list[Path]:
    """Every version's spec in ../shared/spec."""
    return sorted(SPEC_DIR.glob("patchwork-api-v*.yaml"))


def operation_count(spec: dict) -> int:
    methods = {"get", "put", "post", "patch", "delete"}
    return sum(
        1 for operations in spec["paths"].values() for method in operations if method in methods
    )
