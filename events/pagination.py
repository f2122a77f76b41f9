"""Pagination of the event list: a fixed page size and no unbounded COUNT(*).

The event table grows by millions of rows. Counting every matching row for each page
(as the ``X-Total-Count`` header and the ``last`` link need) would scan them all, so
the count stops at ``COUNT_LIMIT`` rows: below it, the answer is the usual one;
beyond it, the total is unknown, ``X-Total-Count`` and ``rel="last"`` are left out
and ``next`` is found by reading one row past the page.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.utils.urls import replace_query_param

from patchwork_api.api.pagination import DEFAULT_PER_PAGE, LinkHeaderPagination
from patchwork_api.limits import MAX_UNCOUNTED_OFFSET

# Rows counted at most per request (a few milliseconds on an index).
COUNT_LIMIT = 10_000


class OpenEndedPage(Page):
    """A page of a list whose length is unknown: it knows only whether more follows."""

    def __init__(self, object_list, number: int, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more


class BoundedCountPaginator(Paginator):
    """A Paginator whose count is exact up to ``count_limit`` rows."""

    count_limit = COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.count_limit + 1].count()

    @property
    def count_is_exact(self) -> bool:
        return self.count <= self.count_limit

    def validate_number(self, number) -> int:
        if self.count_is_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        # Skipping rows costs time in proportion to their number (and a page number
        # big enough overflowed the database's OFFSET: a 500).
        if (number - 1) * self.per_page > MAX_UNCOUNTED_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number) -> Page:
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number(number)
        first_row = (number - 1) * self.per_page
        rows = list(self._rows(first_row, self.per_page + 1))
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenEndedPage(
            rows[: self.per_page], number, self, has_more=len(rows) > self.per_page
        )

    def _rows(self, first_row: int, count: int):
        """Rows [first_row, first_row + count): deep ones found by key first, so the rows
        skipped are read from an index, not joined with what the serializer embeds (the
        deepest page allowed took 1.4 s, most of it joining skipped rows)."""
        object_list = self.object_list
        if not first_row or not isinstance(object_list, QuerySet):
            return object_list[first_row : first_row + count]
        keys = object_list.values("pk")[first_row : first_row + count]
        return object_list.filter(pk__in=keys)


class EventPagination(LinkHeaderPagination):
    """Pages of 30 events; ``per_page`` is honoured (up to the usual maximum) as Patchwork
    honours it for events (its view's ``page_size_query_param = None`` never reaches the
    paginator)."""

    page_size = DEFAULT_PER_PAGE
    django_paginator_class = BoundedCountPaginator

    def get_headers(self) -> dict[str, str]:
        if self.page.paginator.count_is_exact:
            return super().get_headers()
        return {"Link": self.get_open_ended_link_header()}

    def get_open_ended_link_header(self) -> str:
        """``next`` (when more follows), ``prev`` and ``first``: no ``last``."""
        links = []
        next_url = self.get_next_link()
        if next_url is not None:
            links.append(f'<{next_url}>; rel="next"')
        previous_url = self.get_previous_link()
        if previous_url is not None:
            links.append(f'<{previous_url}>; rel="prev"')
        url = self.request.build_absolute_uri()
        links.append(f'<{replace_query_param(url, self.page_query_param, 1)}>; rel="first"')
        return ", ".join(links)
