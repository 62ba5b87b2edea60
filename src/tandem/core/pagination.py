"""The API's page-number pagination: ninja's, with the page number bounded.

ninja's ``page`` has no upper limit, so ``?page=1000000000000000000`` became an OFFSET past
64 bits and a database error (a 500) instead of a field error. Nobody pages that far.
"""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

MAX_PAGE = 100_000


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
