"""OPTIONS answers: DRF's metadata, with embedded objects described as Patchwork's are."""

from rest_framework import serializers
from rest_framework.metadata import SimpleMetadata


class PatchworkMetadata(SimpleMetadata):
    """Patchwork embeds related objects through related fields, which OPTIONS describes as
    ``"type": "field"`` without their children; ours are nested serializers (and lists
    of them), described the same way."""

    def get_field_info(self, field) -> dict:
        if isinstance(field, serializers.BaseSerializer):
            info = {"type": "field", "required": field.required, "read_only": field.read_only}
            if field.label is not None:
                info["label"] = field.label
            return info
        info = super().get_field_info(field)
        info.pop("child", None)
        return info


def described(**by_method: str) -> str:
    """A view description per HTTP method, as DRF shows docstrings in that form:
    ``described(get="Show a bundle.", put="Update a bundle.")``."""
    return "\n\n".join(f"{method}:\n{text}" for method, text in by_method.items())
