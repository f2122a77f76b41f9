"""The browsable API's renderer: DRF's, within the Content-Security-Policy."""

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API without the inline ``<style>`` element of pygments' code
    highlighting (which DRF adds whenever pygments is installed, and the policy refuses);
    it only colours code blocks of Markdown descriptions, which are not rendered here.
    Its page logs out with a plain form button instead of DRF's inline ``onclick``."""

    template = "patchwork_api/api.html"

    def get_context(self, *args, **kwargs) -> dict:
        context = super().get_context(*args, **kwargs)
        context["code_style"] = None
        return context
