"""A model annual notice of rights (FERPA 99.7), in English and Spanish: what the admin
offers when the district writes a new year's notice, and what the demo publishes. The
district edits it to its own words before publishing."""

import functools
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"

TITLE = "Annual notice of your rights under FERPA"
TITLE_ES = "Aviso anual de sus derechos según FERPA"


@functools.cache
def body(language: str) -> str:
    return (_DATA / f"annual_notice.{language}.txt").read_text(encoding="utf-8").strip()
