"""URL converters with bounds (issue 13). An id in an address is a database key: a number
beyond the largest key (2**63 - 1) reached the database and failed there (a server error on
SQLite, out of range on PostgreSQL), and so escaped the refusal that every other foreign id
meets. Here it becomes 0, an id no row has: the view answers and logs it like any other id
that is not the viewer's."""

from django.urls import register_converter

LARGEST_KEY = 2**63 - 1


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= LARGEST_KEY else 0

    def to_url(self, value: int) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")
