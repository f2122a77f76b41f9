"""Validate API responses against Patchwork's OpenAPI schema of the requested version."""

import functools
import re
from pathlib import Path

import jsonschema
import yaml

from patchwork_api.api.versions import LATEST_VERSION, format_version

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spec"
VERSION_PREFIX_RE = re.compile(r"^/api/(?:(\d+\.\d+)/)?")


@functools.cache
def load_spec(version: str) -> dict:
    with open(SPEC_DIR / f"patchwork-api-v{version}.yaml", encoding="utf-8") as spec_file:
        return yaml.safe_load(spec_file)


def spec_available() -> bool:
    return SPEC_DIR.is_dir()


@functools.cache
def _path_matchers(version: str) -> list[tuple[re.Pattern, str]]:
    matchers = []
    for template in load_spec(version)["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template.rstrip("/")))
        matchers.append((re.compile(f"^{pattern}/?$"), template))
    return matchers


def operation_for(path: str, method: str) -> tuple[str, dict]:
    """The version and the spec operation that serves a request path."""
    match = VERSION_PREFIX_RE.match(path)
    if match is None:
        raise AssertionError(f"{path} is not an API path")
    version = match.group(1) or format_version(LATEST_VERSION)
    versioned_path = f"/api/{version}/{path[match.end() :]}"
    for pattern, template in _path_matchers(version):
        if pattern.match(versioned_path) or pattern.match(versioned_path.rstrip("/")):
            return version, load_spec(version)["paths"][template][method.lower()]
    raise AssertionError(f"no operation for {method} {versioned_path} in spec v{version}")


def validate_response(response, *, path: str | None = None, method: str | None = None) -> None:
    """Assert that a DRF test response's JSON body matches the spec's schema for its
    status code (``path``/``method`` default to those of the request made)."""
    request = response.wsgi_request
    path = path or request.path
    method = method or request.method
    version, operation = operation_for(path, method)
    status = str(response.status_code)
    responses = operation.get("responses", {})
    if status not in responses:
        raise AssertionError(
            f"status {status} is not documented for {method} {path} (v{version}): "
            f"documented {sorted(responses)}"
        )
    content = responses[status].get("content", {})
    if "application/json" not in content:
        return
    schema = dict(content["application/json"]["schema"])
    schema["components"] = load_spec(version)["components"]
    jsonschema.validate(
        response.json(),
        schema,
        cls=jsonschema.Draft202012Validator,
    )
