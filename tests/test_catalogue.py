"""The Spanish catalogue is complete, plural forms included: Django's Spanish has three
(one, the millions, the rest), and an entry with fewer falls back to English for the counts
it lacks — a Spanish digest said "2 new scores for Sofia Lopez" (R35: every page and message
in the person's language)."""

from django.utils import translation
from django.utils.translation import ngettext

from homeroom.lib.management.commands.compile_catalogues import catalogues, problems_in


def test_the_catalogues_have_no_problems_plural_forms_included():
    assert catalogues()
    for path in catalogues():
        assert problems_in(path) == []


def test_a_spanish_plural_is_spanish_for_every_count():
    singular = "A new score for %(name)s was released in %(courses)s."
    plural = "%(count)d new scores for %(name)s were released in %(courses)s."
    with translation.override("es"):
        for count in (1, 2, 5, 1000000):
            assert "nota" in ngettext(singular, plural, count), count
