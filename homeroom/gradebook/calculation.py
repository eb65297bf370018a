"""The course grade: the one calculation behind the portal, the classroom pages and the exports.

Plain values in, plain values out; no database, no Django. Callers load a student's scores for
one section, turn them into the input dataclasses below and call `compute_grade`. Every rule is
stated in plain words in docs/grading.md, whose worked examples the test suite runs against
this module.

Amounts arrive and leave as `Decimal`. In between, the arithmetic is exact (`Fraction`): a
category percentage such as 8/24 has no finite decimal form, and a grade that is exactly
halfway, such as 43.75, would otherwise come out as 43.7499… and round the wrong way.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

# The values of `homeroom.gradebook.models.GradingMethod`, repeated here so that this module
# stays free of Django; a test keeps the two in step.
WEIGHTED = "weighted"
TOTAL_POINTS = "points"
METHODS = (WEIGHTED, TOTAL_POINTS)

# Grades and category percentages are shown to one decimal place, weights to two.
PERCENT_PLACES = 1
WEIGHT_PLACES = 2

_HUNDRED = Fraction(100)
# Far beyond any sum of grade book amounts (7 digits each).
_PRECISION = 60


@dataclass(frozen=True)
class CategoryInput:
    """A grade book category as configured by the teacher."""

    id: int
    name: str
    # Weights are proportions: they need not add up to 100.
    weight: Decimal
    drop_lowest: int = 0


@dataclass(frozen=True)
class ScoreInput:
    """One assignment for one student: what is possible, what was earned, and the flags."""

    assignment_id: int
    category_id: int
    points_possible: Decimal
    # None: nothing entered yet.
    points: Decimal | None
    missing: bool = False
    exempt: bool = False
    incomplete: bool = False
    late: bool = False


@dataclass(frozen=True)
class BandInput:
    """A letter, given from `min_percent` up to the next band's minimum."""

    label: str
    min_percent: Decimal


@dataclass(frozen=True)
class CategoryResult:
    """How one category contributes to the grade: what the portal shows to explain it."""

    category_id: int
    name: str
    # As configured.
    weight: Decimal
    # The share of the grade, in percent, that this category actually carries: its weight
    # over the weights of all categories with counted scores, so that the shares add up to
    # 100 (rounded); by points possible under the total-points method. Zero for a category
    # with nothing counted, and for one of weight 0.
    effective_weight: Decimal
    earned: Decimal
    possible: Decimal
    # None when nothing in the category counts yet.
    percent: Decimal | None
    counted_assignment_ids: tuple[int, ...]
    dropped_assignment_ids: tuple[int, ...]

    @property
    def counted(self) -> int:
        return len(self.counted_assignment_ids)

    @property
    def is_empty(self) -> bool:
        return not self.counted_assignment_ids


@dataclass(frozen=True)
class GradeResult:
    # Rounded half up to one decimal place. None while nothing counts yet: no counted score,
    # or (weighted method) none in a category that carries weight.
    percent: Decimal | None
    # The band reached by the rounded percent; None without a percent or below every band.
    letter: str | None
    # Sums over every counted score, whatever its category's weight: under the total-points
    # method the grade is earned / possible.
    earned: Decimal
    possible: Decimal
    # In the order the categories were given.
    categories: tuple[CategoryResult, ...]


@dataclass(frozen=True)
class _Tally:
    """A category's counted and dropped scores, before the grade is put together."""

    category: CategoryInput
    counted: tuple[ScoreInput, ...]
    dropped: tuple[ScoreInput, ...]
    earned: Decimal
    possible: Decimal

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.earned) / Fraction(self.possible)


def compute_grade(
    *,
    method: str,
    categories: Sequence[CategoryInput],
    scores: Sequence[ScoreInput],
    bands: Sequence[BandInput],
    missing_counts_as_zero: bool,
) -> GradeResult:
    """Compute one student's grade in one section (docs/grading.md states the rules).

    `method` is WEIGHTED or TOTAL_POINTS (a `GradingMethod` member will do).
    `missing_counts_as_zero` is the district's setting (HOMEROOM_MISSING_COUNTS_AS_ZERO); it
    has no default here so that no caller can forget it. Raises ValueError on input the grade
    book cannot hold: an unknown method or category, points possible not above zero, negative
    points or weights, an assignment twice, two bands with the same minimum.
    """
    _check_inputs(method, categories, scores, bands)
    # Sums of entered amounts must stay exact whatever precision the caller's context has.
    with localcontext(prec=_PRECISION):
        return _compute(method, categories, scores, bands, missing_counts_as_zero)


def _compute(
    method: str,
    categories: Sequence[CategoryInput],
    scores: Sequence[ScoreInput],
    bands: Sequence[BandInput],
    missing_counts_as_zero: bool,
) -> GradeResult:
    counting: dict[int, list[ScoreInput]] = {category.id: [] for category in categories}
    for score in scores:
        if _counts(score, missing_counts_as_zero):
            counting[score.category_id].append(score)
    tallies = [_tally(category, counting[category.id]) for category in categories]
    graded = [tally for tally in tallies if tally.counted]

    # Each graded category's share of the grade. Under the total-points method the shares are
    # by points possible, so the sum below is simply earned / possible over everything.
    if method == TOTAL_POINTS:
        basis = {tally.category.id: Fraction(tally.possible) for tally in graded}
    else:
        # A weight of 0 means "shown, never counted"; empty categories' weights go to the rest.
        basis = {
            tally.category.id: Fraction(tally.category.weight)
            for tally in graded
            if tally.category.weight > 0
        }
    total = sum(basis.values(), Fraction(0))
    shares = {category_id: amount / total for category_id, amount in basis.items()}
    fractions = {tally.category.id: tally.fraction for tally in graded}
    percent: Decimal | None = None
    if shares:
        exact = sum((share * fractions[id_] for id_, share in shares.items()), Fraction(0))
        percent = _round_half_up(_HUNDRED * exact, PERCENT_PLACES)
    return GradeResult(
        percent=percent,
        letter=None if percent is None else _letter(percent, bands),
        earned=sum((tally.earned for tally in graded), Decimal(0)),
        possible=sum((tally.possible for tally in graded), Decimal(0)),
        categories=tuple(
            _category_result(tally, shares.get(tally.category.id, Fraction(0))) for tally in tallies
        ),
    )


def _counts(score: ScoreInput, missing_counts_as_zero: bool) -> bool:
    """Whether a score enters the grade, before any is dropped. Order matters: exempt wins
    over everything, entered points over the missing and incomplete flags."""
    if score.exempt:
        return False
    if score.points is not None:
        return True
    return score.missing and missing_counts_as_zero


def _tally(category: CategoryInput, counting: Iterable[ScoreInput]) -> _Tally:
    # Lowest percentage first. On a tie the score worth more points goes first, because
    # dropping it helps the student more; then the lower assignment id, so the choice never
    # depends on the order the scores arrived in.
    ranked = sorted(
        counting,
        key=lambda score: (_fraction(score), -score.points_possible, score.assignment_id),
    )
    # At least one score always stays, or dropping would empty the category.
    drop = min(category.drop_lowest, max(len(ranked) - 1, 0))
    dropped, counted = tuple(ranked[:drop]), tuple(ranked[drop:])
    return _Tally(
        category=category,
        counted=counted,
        dropped=dropped,
        earned=sum((_points(score) for score in counted), Decimal(0)),
        possible=sum((score.points_possible for score in counted), Decimal(0)),
    )


def _points(score: ScoreInput) -> Decimal:
    # A counted score without points is missing work counted as zero.
    return Decimal(0) if score.points is None else score.points


def _fraction(score: ScoreInput) -> Fraction:
    return Fraction(_points(score)) / Fraction(score.points_possible)


def _category_result(tally: _Tally, share: Fraction) -> CategoryResult:
    return CategoryResult(
        category_id=tally.category.id,
        name=tally.category.name,
        weight=tally.category.weight,
        effective_weight=_round_half_up(_HUNDRED * share, WEIGHT_PLACES),
        earned=tally.earned,
        possible=tally.possible,
        percent=(
            _round_half_up(_HUNDRED * tally.fraction, PERCENT_PLACES) if tally.counted else None
        ),
        counted_assignment_ids=tuple(sorted(score.assignment_id for score in tally.counted)),
        dropped_assignment_ids=tuple(sorted(score.assignment_id for score in tally.dropped)),
    )


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round to `places` decimals, halves away from zero (87.45 → 87.5), exactly."""
    scale = 10**places
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2))
    return Decimal(magnitude if value >= 0 else -magnitude).scaleb(-places)


def _letter(percent: Decimal, bands: Sequence[BandInput]) -> str | None:
    reached = [band for band in bands if band.min_percent <= percent]
    if not reached:
        return None
    return max(reached, key=lambda band: band.min_percent).label


def _check_inputs(
    method: str,
    categories: Sequence[CategoryInput],
    scores: Sequence[ScoreInput],
    bands: Sequence[BandInput],
) -> None:
    if method not in METHODS:
        raise ValueError(
            f"Unknown grading method {method!r}: use {WEIGHTED!r} or {TOTAL_POINTS!r}."
        )
    category_ids: set[int] = set()
    for category in categories:
        if category.id in category_ids:
            raise ValueError(f"Category id {category.id} is given twice.")
        category_ids.add(category.id)
        if not category.weight.is_finite() or category.weight < 0:
            raise ValueError(
                f"Category {category.name!r} has weight {category.weight}: use 0 or more."
            )
        if category.drop_lowest < 0:
            raise ValueError(
                f"Category {category.name!r} drops {category.drop_lowest} scores: use 0 or more."
            )
    assignment_ids: set[int] = set()
    for score in scores:
        if score.assignment_id in assignment_ids:
            raise ValueError(f"Assignment {score.assignment_id} has two scores; keep one.")
        assignment_ids.add(score.assignment_id)
        if score.category_id not in category_ids:
            raise ValueError(
                f"Assignment {score.assignment_id} is in category {score.category_id}, "
                "which is not among the categories given."
            )
        if not score.points_possible.is_finite() or score.points_possible <= 0:
            raise ValueError(
                f"Assignment {score.assignment_id} is out of {score.points_possible} points: "
                "use more than 0."
            )
        if score.points is not None and (not score.points.is_finite() or score.points < 0):
            raise ValueError(
                f"Assignment {score.assignment_id} has {score.points} points: use 0 or more."
            )
    minimums: set[Decimal] = set()
    for band in bands:
        if not band.min_percent.is_finite():
            raise ValueError(f"Band {band.label!r} starts at {band.min_percent}: use a number.")
        if band.min_percent in minimums:
            raise ValueError(f"Two bands start at {band.min_percent} %; give each its own.")
        minimums.add(band.min_percent)
