"""CSV files that people open in a spreadsheet: a cell that begins with =, +, -, @ (or a tab
or carriage return) would be taken as a formula (OWASP "CSV injection"), so such a cell is
written with a leading apostrophe, which spreadsheets show as text and do not display.

Machine interchange files (OneRoster) are not written through this: their readers are
importers, and a value must arrive exactly as it was (docs/interop.md)."""

from collections.abc import Iterable
from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
