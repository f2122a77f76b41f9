"""The answer to a URL Patchwork does not route: Django's HTML 404 page."""


def assert_unrouted_404(response) -> None:
    """A 404 as Django answers an unrouted URL: ``text/html; charset=utf-8``, no
    ``Allow`` header (Patchwork's answer to a route its version lacks, an unknown resource
    or version, a non-numeric id)."""
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Allow" not in response
    assert b"<html" in response.content.lower()
