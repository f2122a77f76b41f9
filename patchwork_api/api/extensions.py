"""``/api/extensions.yaml``: the OpenAPI document of the extensions beyond Patchwork.

Its frame is ``extensions.yaml`` beside this module; each feature adds its own fragment,
an ``openapi-extensions.yaml`` in its app (``paths`` and ``components``), so features
are documented next to their code and merged here in the order of INSTALLED_APPS.
"""

from functools import cache
from pathlib import Path

import yaml
from django.apps import apps
from django.http import HttpResponse

FRAME = Path(__file__).with_name("extensions.yaml")
FRAGMENT_NAME = "openapi-extensions.yaml"


@cache
def extensions_document() -> str:
    document = yaml.safe_load(FRAME.read_text())
    for app in apps.get_app_configs():
        fragment_path = Path(app.path) / FRAGMENT_NAME
        if not fragment_path.is_file():
            continue
        fragment = yaml.safe_load(fragment_path.read_text()) or {}
        document.setdefault("paths", {}).update(fragment.get("paths", {}))
        for section, entries in fragment.get("components", {}).items():
            document.setdefault("components", {}).setdefault(section, {}).update(entries)
        document.setdefault("tags", []).extend(fragment.get("tags", []))
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def extensions_view(request) -> HttpResponse:
    return HttpResponse(extensions_document(), content_type="application/yaml; charset=utf-8")
