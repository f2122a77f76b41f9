"""Template filters of the web pages: coloured diffs and mail bodies, sort links."""

from django import template
from django.utils.safestring import SafeString

from downloads.links import strip_brackets
from web import syntax
from web.listing import Order

register = template.Library()


@register.filter
def diff_html(diff: str | None) -> SafeString:
    """A diff with its lines coloured (escaped first, see web.syntax)."""
    return syntax.highlight_diff(diff)


@register.filter
def message_html(content: str | None) -> SafeString:
    """A mail body with quotes and trailers marked and web links clickable."""
    return syntax.highlight_message(content)


@register.filter
def toggled(order: Order, column: str) -> str:
    """The ``order`` value a column header links to."""
    return order.toggled(column)


@register.filter
def person_name(person) -> str:
    """A person as list rows show them: the name, or the address when there is none."""
    return person.name or person.email


@register.filter
def bare_msgid(msgid: str) -> str:
    """A Message-ID as URLs carry it: without its angle brackets."""
    return strip_brackets(msgid)
