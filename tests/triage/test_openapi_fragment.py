"""The triage fragment of /api/extensions.yaml names routes the server has, with the
methods it serves."""

from pathlib import Path

import pytest
import yaml
from django.urls import resolve

import triage

FRAGMENT = Path(triage.__file__).with_name("openapi-extensions.yaml")


def test_every_documented_path_is_served():
    fragment = yaml.safe_load(FRAGMENT.read_text())
    assert fragment["paths"]
    for path, operations in fragment["paths"].items():
        match = resolve(path.replace("{id}", "1"))
        view = match.func.view_class
        for method in operations:
            assert hasattr(view, method), (path, method)


@pytest.mark.parametrize("schema", ["Triage", "BulkTriage", "SeriesChecksSummary"])
def test_schemas_are_defined(schema):
    fragment = yaml.safe_load(FRAGMENT.read_text())
    assert schema in fragment["components"]["schemas"]


def test_served_extensions_document_has_the_triage_paths(client):
    response = client.get("/api/extensions.yaml")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    for path in ("/api/patches/", "/api/series/{id}/checks/summary/"):
        assert path in document["paths"]
    assert "patch" in document["paths"]["/api/patches/"]
    assert "BulkTriage" in document["components"]["schemas"]
    assert "Webhook" in document["components"]["schemas"]  # the other fragments stay
