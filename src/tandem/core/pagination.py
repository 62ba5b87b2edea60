"""Paging, one way per kind of caller: ``page_of`` for every paged page, ``numbered_page`` for
the API responses that give their page's position next to the items, and
``PageNumberPagination`` for ninja's ``paginate``.

ninja's ``page`` has no upper limit, so ``?page=1000000000000000000`` became an OFFSET past
64 bits and a database error (a 500) instead of a field error. Nobody pages that far.

ninja serves at most ``PAGE_SIZE_LIMIT`` items a page whatever ``?page_size=`` asks (a larger
one is taken, not refused, as clients send one "large enough"); the schema says so.
"""

from collections.abc import Sequence
from typing import Annotated

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

from tandem.core.api_types import INT64_MAX, TEXT_DIGITS

MAX_PAGE = 100_000
PAGE_SIZE_LIMIT = ninja_settings.PAGINATION_MAX_PER_PAGE_SIZE
PAGE_SIZE_CAPPED = "Items per page, at most {limit}: a larger page_size gives {limit}."
# ``?page=``: plain digits, as every number of a query string.
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE), TEXT_DIGITS]


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: PageNumber = 1
        page_size: Annotated[int, Field(ge=1, le=INT64_MAX), TEXT_DIGITS] | None = Field(
            None, description=PAGE_SIZE_CAPPED.format(limit=PAGE_SIZE_LIMIT)
        )


def page_of(request: HttpRequest, items: QuerySet | Sequence, size: int) -> Page:
    """The page of ``items`` that ``?page=`` asks for: the first when it is missing or not a
    number, the last when it is past the end (a stale link still shows something)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def numbered_page(
    items: QuerySet | Sequence, number: int, size: int
) -> tuple[Page, dict[str, int]]:
    """Page ``number`` of ``items`` and where it sits: ``count``, ``page`` and ``pages``,
    which some API responses give next to their items. Past the end it is empty, as ninja's
    ``paginate`` answers: a client reading pages until one comes back empty then stops (the
    last page again, as ``page_of`` shows a stale link, would loop it forever)."""
    paginator = Paginator(items, size)
    past_end = number > paginator.num_pages
    page = Page([], number, paginator) if past_end else paginator.page(number)
    return page, {"count": paginator.count, "page": number, "pages": paginator.num_pages}
