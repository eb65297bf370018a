"""The grade calculation (homeroom/gradebook/calculation.py) against the rules of docs/grading.md.

Plain unit tests, no database: the worked examples are read from docs/grading.md and run, the
rules are checked one by one, and hypothesis checks the properties that hold for any grade book.
"""

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeroom.gradebook.calculation import (
    METHODS,
    TOTAL_POINTS,
    WEIGHTED,
    BandInput,
    CategoryInput,
    CategoryResult,
    GradeResult,
    ScoreInput,
    compute_grade,
)
from homeroom.gradebook.models import GradingMethod

DOCS = Path(__file__).resolve().parents[2] / "docs" / "grading.md"

STANDARD_SCALE = (
    BandInput("A", Decimal(90)),
    BandInput("B", Decimal(80)),
    BandInput("C", Decimal(70)),
    BandInput("D", Decimal(60)),
    BandInput("F", Decimal(0)),
)

# Enough examples to find the corners, few enough that the file runs in a few seconds.
PROPERTY = settings(max_examples=200, deadline=None)


def D(value: str | int) -> Decimal:
    """Short for Decimal, so that amounts read like the literals they stand for."""
    return Decimal(value)


def grade(
    categories: Sequence[CategoryInput],
    scores: Sequence[ScoreInput],
    *,
    method: str = WEIGHTED,
    bands: Sequence[BandInput] = STANDARD_SCALE,
    missing_counts_as_zero: bool = True,
) -> GradeResult:
    return compute_grade(
        method=method,
        categories=categories,
        scores=scores,
        bands=bands,
        missing_counts_as_zero=missing_counts_as_zero,
    )


def category_result(result: GradeResult, category_id: int) -> CategoryResult:
    return next(c for c in result.categories if c.category_id == category_id)


# --- The worked examples in docs/grading.md ----------------------------------------------------


@dataclass(frozen=True)
class ExpectedCategory:
    name: str
    earned: Decimal | None
    possible: Decimal | None
    percent: Decimal | None
    share: Decimal
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class DocsExample:
    title: str
    method: str
    missing_counts_as_zero: bool
    categories: tuple[CategoryInput, ...]
    scores: tuple[ScoreInput, ...]
    assignment_names: dict[int, str]
    expected_categories: tuple[ExpectedCategory, ...]
    expected_percent: Decimal | None
    expected_letter: str | None


_BLOCK = re.compile(
    r"^### (?P<title>.+?)$|^```(?P<kind>grading-example|grading-scale)\n(?P<body>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
_METHOD_NAMES = {"weighted": WEIGHTED, "total points": TOTAL_POINTS}
_YES_NO = {"yes": True, "no": False}
_FLAGS = {"missing", "late", "exempt", "incomplete"}
_NOTHING = {"", "—", "-"}
_GRADE = re.compile(r"(?:none|(?P<percent>\d+(?:\.\d+)?) % \((?P<letter>[^)]+)\))")


def _table(lines: list[str]) -> list[dict[str, str]]:
    header, *rows = ([cell.strip() for cell in line.split("|")] for line in lines)
    keys = [key.lower() for key in header]
    table = []
    for row in rows:
        if len(row) != len(keys):
            raise ValueError(f"Row {row} does not have the columns {keys}.")
        table.append(dict(zip(keys, row, strict=True)))
    return table


def _amount(cell: str) -> Decimal | None:
    return None if cell in _NOTHING else Decimal(cell)


def _parse_example(title: str, body: str) -> DocsExample:
    fields: dict[str, str] = {}
    tables: dict[str, list[dict[str, str]]] = {}
    for paragraph in re.split(r"\n\s*\n", body.strip()):
        lines = paragraph.strip().splitlines()
        header = lines[0].lower()
        if "|" in header:
            if "out of" in header:
                tables["scores"] = _table(lines)
            elif "share of grade" in header:
                tables["results"] = _table(lines)
            else:
                tables["categories"] = _table(lines)
        else:
            for line in lines:
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()

    category_ids = {row["category"]: number for number, row in enumerate(tables["categories"], 1)}
    categories = tuple(
        CategoryInput(
            id=category_ids[row["category"]],
            name=row["category"],
            weight=Decimal(row["weight"]),
            drop_lowest=int(row.get("drop lowest") or 0),
        )
        for row in tables["categories"]
    )
    # Assignments are listed in the order they were created, so their ids follow that order.
    scores = []
    names = {}
    for number, row in enumerate(tables["scores"], 1):
        flags = {flag.strip() for flag in row.get("flags", "").split(",") if flag.strip()}
        if flags - _FLAGS:
            raise ValueError(f"Unknown flags {flags - _FLAGS} in {title!r}.")
        names[number] = row["assignment"]
        scores.append(
            ScoreInput(
                assignment_id=number,
                category_id=category_ids[row["category"]],
                points_possible=Decimal(row["out of"]),
                points=_amount(row["points"]),
                **{flag: True for flag in flags},
            )
        )
    expected_categories = []
    for row in tables["results"]:
        earned = possible = None
        if "points" in row:
            earned_text, possible_text = row["points"].split("/")
            earned, possible = Decimal(earned_text), Decimal(possible_text)
        dropped = tuple(name.strip() for name in row.get("dropped", "").split(",") if name.strip())
        expected_categories.append(
            ExpectedCategory(
                name=row["category"],
                earned=earned,
                possible=possible,
                percent=_amount(row["percent"]),
                share=Decimal(row["share of grade"]),
                dropped=dropped,
            )
        )
    grade_line = _GRADE.fullmatch(fields["grade"])
    if grade_line is None:
        raise ValueError(f"Cannot read the grade line {fields['grade']!r} in {title!r}.")
    percent_text, letter = grade_line["percent"], grade_line["letter"]
    return DocsExample(
        title=title,
        method=_METHOD_NAMES[fields["method"]],
        missing_counts_as_zero=_YES_NO[fields["missing work counts as zero"]],
        categories=categories,
        scores=tuple(scores),
        assignment_names=names,
        expected_categories=tuple(expected_categories),
        expected_percent=None if percent_text is None else Decimal(percent_text),
        expected_letter=letter,
    )


def _read_docs() -> tuple[tuple[BandInput, ...], list[DocsExample]]:
    text = DOCS.read_text(encoding="utf-8")
    scale: tuple[BandInput, ...] = ()
    examples = []
    title = ""
    for match in _BLOCK.finditer(text):
        if match["title"]:
            title = match["title"]
        elif match["kind"] == "grading-scale":
            scale = tuple(
                BandInput(label=row["letter"], min_percent=Decimal(row["from (%)"]))
                for row in _table(match["body"].strip().splitlines())
            )
        else:
            examples.append(_parse_example(title, match["body"]))
    return scale, examples


DOCS_SCALE, DOCS_EXAMPLES = _read_docs()


def check_example(example: DocsExample) -> None:
    result = compute_grade(
        method=example.method,
        categories=example.categories,
        scores=example.scores,
        bands=DOCS_SCALE,
        missing_counts_as_zero=example.missing_counts_as_zero,
    )
    assert (result.percent, result.letter) == (example.expected_percent, example.expected_letter)
    actual = [
        ExpectedCategory(
            name=category.name,
            earned=category.earned,
            possible=category.possible,
            percent=category.percent,
            share=category.effective_weight,
            dropped=tuple(example.assignment_names[i] for i in category.dropped_assignment_ids),
        )
        for category in result.categories
    ]
    assert len(actual) == len(example.expected_categories)
    # A results table may leave out the points column; then only the rest is compared.
    expected = [
        e if e.earned is not None else dataclasses.replace(e, earned=a.earned, possible=a.possible)
        for e, a in zip(example.expected_categories, actual, strict=True)
    ]
    assert actual == expected


def test_docs_hold_a_scale_and_the_worked_examples() -> None:
    """The parser finds the scale and every example, so none is silently skipped."""
    assert len(DOCS_SCALE) == 13
    assert len(DOCS_EXAMPLES) == 12
    assert len({example.title for example in DOCS_EXAMPLES}) == len(DOCS_EXAMPLES)


def test_docs_examples_cover_every_rule() -> None:
    """Each rule the brief for docs/grading.md names keeps at least one worked example."""
    methods = {example.method for example in DOCS_EXAMPLES}
    settings_used = {example.missing_counts_as_zero for example in DOCS_EXAMPLES}
    flags_used = {
        flag
        for example in DOCS_EXAMPLES
        for score in example.scores
        for flag in ("missing", "late", "exempt", "incomplete")
        if getattr(score, flag)
    }
    assert methods == {WEIGHTED, TOTAL_POINTS}
    assert settings_used == {True, False}
    assert flags_used == {"missing", "late", "exempt", "incomplete"}
    assert any(e.dropped for ex in DOCS_EXAMPLES for e in ex.expected_categories)
    assert any(e.percent is None for ex in DOCS_EXAMPLES for e in ex.expected_categories)
    assert any(ex.expected_percent is None for ex in DOCS_EXAMPLES)
    assert any((ex.expected_percent or 0) > 100 for ex in DOCS_EXAMPLES)


@pytest.mark.parametrize("example", DOCS_EXAMPLES, ids=[e.title for e in DOCS_EXAMPLES])
def test_docs_example_matches_the_calculation(example: DocsExample) -> None:
    check_example(example)


def _change_first_category(example: DocsExample, **changes: Any) -> DocsExample:
    first, *rest = example.expected_categories
    return dataclasses.replace(
        example, expected_categories=(dataclasses.replace(first, **changes), *rest)
    )


def _plus_a_tenth(value: Decimal | None) -> Decimal:
    return (value or D(0)) + D("0.1")


WRONG_EXPECTATIONS = {
    "grade percent": lambda ex: dataclasses.replace(
        ex, expected_percent=_plus_a_tenth(ex.expected_percent)
    ),
    "letter": lambda ex: dataclasses.replace(ex, expected_letter="Z"),
    "category percent": lambda ex: _change_first_category(
        ex, percent=_plus_a_tenth(ex.expected_categories[0].percent)
    ),
    "share of grade": lambda ex: _change_first_category(
        ex, share=ex.expected_categories[0].share + 1
    ),
    "points": lambda ex: _change_first_category(
        ex, earned=(ex.expected_categories[0].earned or D(0)) + 1
    ),
    "dropped": lambda ex: _change_first_category(
        ex, dropped=(*ex.expected_categories[0].dropped, "Quiz 99")
    ),
}


@pytest.mark.parametrize("what", WRONG_EXPECTATIONS)
def test_a_wrong_value_in_a_docs_example_is_caught(what: str) -> None:
    """Changing any expected value in any example makes the examples' test fail."""
    for example in DOCS_EXAMPLES:
        with pytest.raises(AssertionError):
            check_example(WRONG_EXPECTATIONS[what](example))


# --- Which scores count -------------------------------------------------------------------------

HOMEWORK = CategoryInput(id=1, name="Homework", weight=D(100))


def score(
    assignment_id: int, points: str | None, possible: str = "10", **flags: bool
) -> ScoreInput:
    return ScoreInput(
        assignment_id=assignment_id,
        category_id=HOMEWORK.id,
        points_possible=D(possible),
        points=None if points is None else D(points),
        **flags,
    )


def test_no_scores_at_all_give_no_grade() -> None:
    result = grade([HOMEWORK], [])
    assert (result.percent, result.letter) == (None, None)
    only = result.categories[0]
    assert (only.percent, only.effective_weight, only.counted, only.is_empty) == (
        None,
        D(0),
        0,
        True,
    )
    assert (result.earned, result.possible) == (D(0), D(0))


def test_no_categories_at_all_give_no_grade() -> None:
    result = grade([], [])
    assert (result.percent, result.letter, result.categories) == (None, None, ())


def test_a_score_without_points_is_not_graded_yet_and_left_out() -> None:
    result = grade([HOMEWORK], [score(1, "8"), score(2, None)])
    assert result.percent == D("80.0")
    assert result.categories[0].counted_assignment_ids == (1,)


def test_only_ungraded_scores_give_no_grade() -> None:
    result = grade([HOMEWORK], [score(1, None), score(2, None, incomplete=True)])
    assert (result.percent, result.letter) == (None, None)


def test_exempt_work_is_left_out_even_with_points() -> None:
    result = grade([HOMEWORK], [score(1, "8"), score(2, "1", exempt=True)])
    assert result.percent == D("80.0")
    assert result.categories[0].counted_assignment_ids == (1,)


def test_exempt_wins_over_missing() -> None:
    """The database refuses exempt-and-missing; if it ever arrives, exempt decides."""
    result = grade([HOMEWORK], [score(1, "8"), score(2, None, exempt=True, missing=True)])
    assert result.percent == D("80.0")


def test_missing_work_without_points_counts_as_zero_by_default_setting() -> None:
    result = grade([HOMEWORK], [score(1, "8"), score(2, None, missing=True)])
    assert result.percent == D("40.0")
    assert result.categories[0].counted_assignment_ids == (1, 2)
    assert (result.earned, result.possible) == (D(8), D(20))


def test_missing_work_without_points_is_left_out_when_the_setting_is_off() -> None:
    scores = [score(1, "8"), score(2, None, missing=True)]
    result = grade([HOMEWORK], scores, missing_counts_as_zero=False)
    assert result.percent == D("80.0")
    assert result.categories[0].counted_assignment_ids == (1,)


def test_only_missing_work_gives_no_grade_when_the_setting_is_off() -> None:
    result = grade([HOMEWORK], [score(1, None, missing=True)], missing_counts_as_zero=False)
    assert (result.percent, result.letter) == (None, None)


@pytest.mark.parametrize("missing_counts_as_zero", [True, False])
def test_missing_work_with_points_counts_its_points(missing_counts_as_zero: bool) -> None:
    scores = [score(1, "8"), score(2, "5", missing=True)]
    result = grade([HOMEWORK], scores, missing_counts_as_zero=missing_counts_as_zero)
    assert result.percent == D("65.0")


def test_incomplete_work_counts_only_once_it_has_points() -> None:
    without_points = grade([HOMEWORK], [score(1, "8"), score(2, None, incomplete=True)])
    with_points = grade([HOMEWORK], [score(1, "8"), score(2, "4", incomplete=True)])
    assert without_points.percent == D("80.0")
    assert with_points.percent == D("60.0")


def test_incomplete_and_missing_without_points_follows_the_missing_rule() -> None:
    scores = [score(1, "8"), score(2, None, incomplete=True, missing=True)]
    assert grade([HOMEWORK], scores).percent == D("40.0")
    assert grade([HOMEWORK], scores, missing_counts_as_zero=False).percent == D("80.0")


def test_late_work_has_no_automatic_penalty() -> None:
    on_time = grade([HOMEWORK], [score(1, "8"), score(2, "6")])
    late = grade([HOMEWORK], [score(1, "8"), score(2, "6", late=True)])
    assert late == on_time
    assert late.percent == D("70.0")


def test_extra_credit_can_take_the_grade_above_100() -> None:
    result = grade([HOMEWORK], [score(1, "12"), score(2, "10")])
    assert result.percent == D("110.0")
    assert result.letter == "A"
    assert result.categories[0].percent == D("110.0")


# --- Dropping the lowest scores -----------------------------------------------------------------


def test_drop_lowest_drops_the_lowest_percentage_not_the_fewest_points() -> None:
    quizzes = dataclasses.replace(HOMEWORK, drop_lowest=1)
    # 15 / 20 = 75 % loses more points than 7 / 10 = 70 %, but 7 / 10 is the lower percentage.
    result = grade([quizzes], [score(1, "15", "20"), score(2, "7", "10"), score(3, "9", "10")])
    assert result.categories[0].dropped_assignment_ids == (2,)
    assert result.categories[0].counted_assignment_ids == (1, 3)
    assert result.percent == D("80.0")


@pytest.mark.parametrize(
    ("scores", "dropped"),
    [
        ([score(1, "5", "10"), score(2, "10", "20"), score(3, "20", "20")], (2,)),
        ([score(1, "10", "20"), score(2, "5", "10"), score(3, "20", "20")], (1,)),
    ],
    ids=["created second", "created first"],
)
def test_drop_lowest_on_a_tie_drops_the_score_worth_more_points(
    scores: list[ScoreInput], dropped: tuple[int, ...]
) -> None:
    quizzes = dataclasses.replace(HOMEWORK, drop_lowest=1)
    # Both at 50 %: dropping the 20-point one leaves 25 / 30, the 10-point one 30 / 40.
    result = grade([quizzes], scores)
    assert result.categories[0].dropped_assignment_ids == dropped
    assert result.percent == D("83.3")


def test_drop_lowest_on_an_exact_tie_drops_the_earlier_assignment() -> None:
    quizzes = dataclasses.replace(HOMEWORK, drop_lowest=1)
    scores = [score(7, "6"), score(3, "6"), score(5, "9")]
    forwards = grade([quizzes], scores)
    backwards = grade([quizzes], scores[::-1])
    assert forwards.categories[0].dropped_assignment_ids == (3,)
    assert backwards == forwards


def test_drop_lowest_always_keeps_one_counted_score() -> None:
    quizzes = dataclasses.replace(HOMEWORK, drop_lowest=3)
    result = grade([quizzes], [score(1, "4"), score(2, "9")])
    assert result.categories[0].dropped_assignment_ids == (1,)
    assert result.categories[0].counted_assignment_ids == (2,)
    single = grade([quizzes], [score(1, "4")])
    assert single.categories[0].dropped_assignment_ids == ()
    assert single.percent == D("40.0")


def test_drop_lowest_drops_missing_work_counted_as_zero_first() -> None:
    quizzes = dataclasses.replace(HOMEWORK, drop_lowest=1)
    scores = [score(1, "6"), score(2, None, missing=True), score(3, "9")]
    result = grade([quizzes], scores)
    assert result.categories[0].dropped_assignment_ids == (2,)
    assert result.percent == D("75.0")
    # With the setting off, the missing quiz never counted, so the 6 / 10 is dropped instead.
    off = grade([quizzes], scores, missing_counts_as_zero=False)
    assert off.categories[0].dropped_assignment_ids == (1,)
    assert off.percent == D("90.0")


def test_drop_lowest_ignores_work_that_does_not_count() -> None:
    quizzes = dataclasses.replace(HOMEWORK, drop_lowest=1)
    scores = [score(1, "2", exempt=True), score(2, None), score(3, "6"), score(4, "9")]
    result = grade([quizzes], scores)
    assert result.categories[0].dropped_assignment_ids == (3,)
    assert result.percent == D("90.0")


def test_drop_lowest_applies_per_category_under_total_points() -> None:
    quizzes = CategoryInput(id=1, name="Quizzes", weight=D(0), drop_lowest=1)
    tests = CategoryInput(id=2, name="Tests", weight=D(0), drop_lowest=0)
    scores = [
        ScoreInput(1, 1, D(10), D(2)),
        ScoreInput(2, 1, D(10), D(8)),
        ScoreInput(3, 2, D(100), D(50)),
        ScoreInput(4, 2, D(100), D(90)),
    ]
    result = grade([quizzes, tests], scores, method=TOTAL_POINTS)
    # (8 + 50 + 90) / (10 + 100 + 100): the quiz at 20 % is dropped, the test at 50 % stays.
    assert category_result(result, 1).dropped_assignment_ids == (1,)
    assert category_result(result, 2).dropped_assignment_ids == ()
    assert (result.earned, result.possible) == (D(148), D(210))
    assert result.percent == D("70.5")


# --- Weighted categories and total points ---------------------------------------------------


TESTS = CategoryInput(id=1, name="Tests", weight=D(50))
QUIZZES = CategoryInput(id=2, name="Quizzes", weight=D(30))
PROJECTS = CategoryInput(id=3, name="Projects", weight=D(20))


def test_weighted_grade_weighs_each_category_percentage() -> None:
    scores = [
        ScoreInput(1, TESTS.id, D(100), D(80)),
        ScoreInput(2, QUIZZES.id, D(10), D(9)),
        ScoreInput(3, PROJECTS.id, D(50), D(50)),
    ]
    result = grade([TESTS, QUIZZES, PROJECTS], scores)
    # 0.5 × 80 + 0.3 × 90 + 0.2 × 100 = 87; by points it would be 139 / 160 = 86.9.
    assert result.percent == D("87.0")
    assert [c.effective_weight for c in result.categories] == [D(50), D(30), D(20)]
    assert grade([TESTS, QUIZZES, PROJECTS], scores, method=TOTAL_POINTS).percent == D("86.9")


def test_an_empty_categorys_weight_is_shared_in_proportion() -> None:
    scores = [ScoreInput(1, TESTS.id, D(100), D(80)), ScoreInput(2, QUIZZES.id, D(10), D(10))]
    result = grade([TESTS, QUIZZES, PROJECTS], scores)
    # Tests 50 / 80, quizzes 30 / 80: 0.625 × 80 + 0.375 × 100 = 87.5.
    assert result.percent == D("87.5")
    assert [c.effective_weight for c in result.categories] == [D("62.50"), D("37.50"), D(0)]
    assert category_result(result, PROJECTS.id).percent is None


def test_weights_need_not_add_up_to_100() -> None:
    scores = [ScoreInput(1, 1, D(100), D(80)), ScoreInput(2, 2, D(100), D(60))]
    forty_forty = [CategoryInput(1, "Tests", D(40)), CategoryInput(2, "Labs", D(40))]
    fifty_fifty = [CategoryInput(1, "Tests", D(50)), CategoryInput(2, "Labs", D(50))]
    assert grade(forty_forty, scores).percent == grade(fifty_fifty, scores).percent == D("70.0")
    assert [c.effective_weight for c in grade(forty_forty, scores).categories] == [D(50), D(50)]


def test_a_category_of_weight_zero_never_changes_the_grade() -> None:
    practice = CategoryInput(id=4, name="Practice", weight=D(0))
    scores = [ScoreInput(1, TESTS.id, D(100), D(80)), ScoreInput(2, practice.id, D(10), D(1))]
    result = grade([TESTS, practice], scores)
    assert result.percent == D("80.0")
    assert category_result(result, practice.id).percent == D("10.0")
    assert category_result(result, practice.id).effective_weight == D(0)


def test_scores_only_in_categories_of_weight_zero_give_no_grade_yet() -> None:
    practice = CategoryInput(id=4, name="Practice", weight=D(0))
    scores = [ScoreInput(1, practice.id, D(10), D(8))]
    weighted = grade([TESTS, practice], scores)
    assert (weighted.percent, weighted.letter) == (None, None)
    assert category_result(weighted, practice.id).percent == D("80.0")
    # Total points does not use weights: the same score is a grade there.
    assert grade([TESTS, practice], scores, method=TOTAL_POINTS).percent == D("80.0")


def test_total_points_shares_follow_points_possible() -> None:
    scores = [ScoreInput(1, TESTS.id, D(100), D(80)), ScoreInput(2, QUIZZES.id, D(50), D(50))]
    result = grade([TESTS, QUIZZES, PROJECTS], scores, method=TOTAL_POINTS)
    assert result.percent == D("86.7")
    assert [c.effective_weight for c in result.categories] == [D("66.67"), D("33.33"), D(0)]


def test_a_grading_method_member_is_accepted() -> None:
    scores = [ScoreInput(1, TESTS.id, D(100), D(80)), ScoreInput(2, QUIZZES.id, D(50), D(50))]
    categories = [TESTS, QUIZZES]
    assert grade(categories, scores, method=GradingMethod.TOTAL_POINTS) == grade(
        categories, scores, method=TOTAL_POINTS
    )
    assert grade(categories, scores, method=GradingMethod.WEIGHTED) == grade(
        categories, scores, method=WEIGHTED
    )


def test_method_names_match_the_stored_grading_methods() -> None:
    assert {WEIGHTED, TOTAL_POINTS} == set(METHODS) == set(GradingMethod.values)
    assert (GradingMethod.WEIGHTED.value, GradingMethod.TOTAL_POINTS.value) == (
        WEIGHTED,
        TOTAL_POINTS,
    )


# --- Rounding and letters ---------------------------------------------------------------------


def test_a_grade_exactly_halfway_rounds_up() -> None:
    result = grade([HOMEWORK], [score(1, "1749", "2000")])
    assert result.percent == D("87.5")
    assert grade([HOMEWORK], [score(1, "1748.9", "2000")]).percent == D("87.4")


def test_a_halfway_grade_from_repeating_category_percentages_still_rounds_up() -> None:
    """8 / 24 and 11 / 24 have no finite decimal form; weighted 10 : 50 the grade is exactly
    43.75, which plain Decimal division would turn into 43.7499… and round down."""
    homework = CategoryInput(id=1, name="Homework", weight=D(10))
    tests = CategoryInput(id=2, name="Tests", weight=D(50))
    scores = [ScoreInput(1, 1, D(24), D(8)), ScoreInput(2, 2, D(24), D(11))]
    result = grade([homework, tests], scores)
    exact = (10 * Fraction(8, 24) + 50 * Fraction(11, 24)) / 60 * 100
    assert exact == Fraction(4375, 100)
    assert result.percent == D("43.8")


def test_percent_always_has_one_decimal_place() -> None:
    result = grade([HOMEWORK], [score(1, "9")])
    assert str(result.percent) == "90.0"
    assert str(result.categories[0].percent) == "90.0"
    assert str(result.categories[0].effective_weight) == "100.00"


def test_the_letter_comes_from_the_rounded_percent() -> None:
    # 89.95 rounds to 90.0, which is an A; 89.94 rounds to 89.9, a B.
    assert grade([HOMEWORK], [score(1, "1799", "2000")]).letter == "A"
    assert grade([HOMEWORK], [score(1, "1798.8", "2000")]).letter == "B"


@pytest.mark.parametrize(
    ("points", "letter"),
    [("90", "A"), ("89.9", "B"), ("80", "B"), ("79.9", "C"), ("0", "F"), ("100", "A")],
)
def test_a_grade_at_a_bands_start_gets_that_band(points: str, letter: str) -> None:
    assert grade([HOMEWORK], [score(1, points, "100")]).letter == letter


def test_a_grade_below_the_lowest_band_has_no_letter() -> None:
    passing_only = [BandInput("Pass", D(60)), BandInput("Honors", D(90))]
    below = grade([HOMEWORK], [score(1, "59.9", "100")], bands=passing_only)
    assert (below.percent, below.letter) == (D("59.9"), None)
    assert grade([HOMEWORK], [score(1, "60", "100")], bands=passing_only).letter == "Pass"
    assert grade([HOMEWORK], [score(1, "95", "100")], bands=passing_only).letter == "Honors"


def test_no_bands_give_no_letter() -> None:
    result = grade([HOMEWORK], [score(1, "9")], bands=[])
    assert (result.percent, result.letter) == (D("90.0"), None)


# --- Input the grade book cannot hold ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "average"}, "Unknown grading method"),
        ({"categories": [HOMEWORK, HOMEWORK]}, "given twice"),
        ({"categories": [dataclasses.replace(HOMEWORK, weight=D(-1))]}, "use 0 or more"),
        ({"categories": [dataclasses.replace(HOMEWORK, drop_lowest=-1)]}, "use 0 or more"),
        ({"scores": [score(1, "1"), score(1, "2")]}, "two scores"),
        ({"scores": [dataclasses.replace(score(1, "1"), category_id=9)]}, "not among"),
        ({"scores": [score(1, "1", "0")]}, "use more than 0"),
        ({"scores": [score(1, "-1")]}, "use 0 or more"),
        ({"scores": [score(1, "NaN")]}, "use 0 or more"),
        ({"bands": [BandInput("A", D(90)), BandInput("B", D(90))]}, "Two bands"),
    ],
)
def test_input_the_grade_book_cannot_hold_is_refused(
    change: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "method": WEIGHTED,
        "categories": [HOMEWORK],
        "scores": [score(1, "1")],
        "bands": STANDARD_SCALE,
        "missing_counts_as_zero": True,
    }
    with pytest.raises(ValueError, match=message):
        compute_grade(**{**arguments, **change})  # type: ignore[arg-type]


# --- Properties of every grade book --------------------------------------------------------


@dataclass(frozen=True)
class Gradebook:
    method: str
    categories: tuple[CategoryInput, ...]
    scores: tuple[ScoreInput, ...]
    missing_counts_as_zero: bool

    def grade(self, **changes: Any) -> GradeResult:
        book = dataclasses.replace(self, **changes)
        return compute_grade(
            method=book.method,
            categories=book.categories,
            scores=book.scores,
            bands=STANDARD_SCALE,
            missing_counts_as_zero=book.missing_counts_as_zero,
        )


# Round numbers make ties (for drop-lowest) and exact letter boundaries likely.
_possibles = st.one_of(
    st.sampled_from([D(1), D(5), D(10), D(20), D(100)]),
    st.decimals(min_value=D("0.01"), max_value=D(200), places=2),
)
_weights = st.one_of(
    st.sampled_from([D(0), D(10), D(25), D(50)]),
    st.decimals(min_value=D(0), max_value=D(100), places=2),
)
_flags: st.SearchStrategy[dict[str, bool]] = st.sampled_from(
    [
        {},
        {"missing": True},
        {"exempt": True},
        {"incomplete": True},
        {"late": True},
        {"missing": True, "late": True},
        {"incomplete": True, "late": True},
    ]
)


@st.composite
def _points(draw: st.DrawFn, possible: Decimal, extra_credit: bool) -> Decimal | None:
    top = possible * 2 if extra_credit else possible
    return draw(
        st.one_of(
            st.none(),
            st.sampled_from([D(0), possible, (possible / 2).quantize(D("0.01"))]),
            st.decimals(min_value=D(0), max_value=top, places=2),
        )
    )


@st.composite
def _score(
    draw: st.DrawFn, assignment_id: int, category_ids: Sequence[int], extra_credit: bool = False
) -> ScoreInput:
    possible = draw(_possibles)
    return ScoreInput(
        assignment_id=assignment_id,
        category_id=draw(st.sampled_from(category_ids)),
        points_possible=possible,
        points=draw(_points(possible, extra_credit)),
        **draw(_flags),
    )


@st.composite
def gradebooks(
    draw: st.DrawFn, *, extra_credit: bool = False, max_categories: int = 4
) -> Gradebook:
    category_count = draw(st.integers(min_value=1, max_value=max_categories))
    categories = tuple(
        CategoryInput(
            id=number,
            name=f"Category {number}",
            weight=draw(_weights),
            drop_lowest=draw(st.integers(min_value=0, max_value=3)),
        )
        for number in range(1, category_count + 1)
    )
    # Ids in no particular order, so that "the earlier assignment" is not "the first listed".
    assignment_ids = draw(st.lists(st.integers(1, 1000), unique=True, max_size=12))
    category_ids = [category.id for category in categories]
    scores = tuple(draw(_score(i, category_ids, extra_credit)) for i in assignment_ids)
    return Gradebook(
        method=draw(st.sampled_from(METHODS)),
        categories=categories,
        scores=scores,
        missing_counts_as_zero=draw(st.booleans()),
    )


def _counts(score: ScoreInput, missing_counts_as_zero: bool) -> bool:
    """docs/grading.md, "Which scores count", written out once more for the checks below."""
    if score.exempt:
        return False
    return score.points is not None or (score.missing and missing_counts_as_zero)


def _percentage(score: ScoreInput) -> Fraction:
    return Fraction(score.points or 0) / Fraction(score.points_possible)


@PROPERTY
@given(gradebooks())
def test_without_extra_credit_the_grade_stays_within_0_and_100(book: Gradebook) -> None:
    result = book.grade()
    percents = [result.percent] + [c.percent for c in result.categories]
    assert all(p is None or D(0) <= p <= D(100) for p in percents)
    shares = [c.effective_weight for c in result.categories]
    assert all(D(0) <= share <= D(100) for share in shares)
    if result.percent is not None:
        # Shares are rounded to 0.01 each, so their sum is 100 give or take half a hundredth each.
        assert abs(sum(shares, D(0)) - 100) <= D("0.005") * len(shares)
        assert result.letter is not None
    else:
        assert result.letter is None
        assert sum(shares, D(0)) == 0


@PROPERTY
@given(gradebooks(extra_credit=True), st.data())
def test_adding_an_exempt_score_changes_nothing(book: Gradebook, data: st.DataObject) -> None:
    new_id = 1001 + len(book.scores)
    category_ids = [category.id for category in book.categories]
    exempt = dataclasses.replace(
        data.draw(_score(new_id, category_ids, extra_credit=True)), exempt=True
    )
    assert book.grade(scores=(*book.scores, exempt)) == book.grade()


@PROPERTY
@given(gradebooks(extra_credit=True), st.data())
def test_adding_or_reweighting_an_empty_category_changes_nothing(
    book: Gradebook, data: st.DataObject
) -> None:
    before = book.grade()
    empty = CategoryInput(
        id=99,
        name="Not graded yet",
        weight=data.draw(_weights),
        drop_lowest=data.draw(st.integers(0, 3)),
    )
    # The new category may hold work, as long as none of it counts.
    ways_not_to_count: list[dict[str, Any]] = [
        {"points": None, "missing": False},
        {"exempt": True},
        {"points": None, "incomplete": True, "missing": False},
    ]
    if not book.missing_counts_as_zero:
        ways_not_to_count.append({"points": None, "missing": True})
    not_counting = [
        dataclasses.replace(data.draw(_score(2000 + n, [empty.id], extra_credit=True)), **way)
        for n, way in enumerate(data.draw(st.lists(st.sampled_from(ways_not_to_count), max_size=3)))
    ]
    added = book.grade(categories=(*book.categories, empty), scores=(*book.scores, *not_counting))
    assert (added.percent, added.letter) == (before.percent, before.letter)
    assert added.categories[:-1] == before.categories
    assert added.categories[-1].is_empty

    # Every empty category, the new one included, may take any weight.
    reweighted = tuple(
        dataclasses.replace(category, weight=data.draw(_weights))
        if category.id == empty.id or category_result(before, category.id).is_empty
        else category
        for category in (*book.categories, empty)
    )
    again = book.grade(categories=reweighted, scores=(*book.scores, *not_counting))
    assert (again.percent, again.letter) == (before.percent, before.letter)
    assert [dataclasses.replace(c, weight=D(0)) for c in again.categories[:-1]] == [
        dataclasses.replace(c, weight=D(0)) for c in before.categories
    ]


@PROPERTY
@given(gradebooks(extra_credit=True), st.data())
def test_the_order_of_scores_and_categories_changes_nothing(
    book: Gradebook, data: st.DataObject
) -> None:
    before = book.grade()
    shuffled_scores = tuple(data.draw(st.permutations(book.scores)))
    assert book.grade(scores=shuffled_scores) == before
    shuffled_categories = tuple(data.draw(st.permutations(book.categories)))
    after = book.grade(categories=shuffled_categories, scores=shuffled_scores)
    assert (after.percent, after.letter) == (before.percent, before.letter)
    assert sorted(after.categories, key=lambda c: c.category_id) == sorted(
        before.categories, key=lambda c: c.category_id
    )


@PROPERTY
@given(gradebooks(extra_credit=True))
def test_drop_lowest_drops_the_lowest_and_never_the_only_counted_score(book: Gradebook) -> None:
    result = book.grade()
    by_id = {score.assignment_id: score for score in book.scores}
    for category, outcome in zip(book.categories, result.categories, strict=True):
        eligible = [
            s
            for s in book.scores
            if s.category_id == category.id and _counts(s, book.missing_counts_as_zero)
        ]
        expected_drops = min(category.drop_lowest, max(len(eligible) - 1, 0))
        assert len(outcome.dropped_assignment_ids) == expected_drops
        assert outcome.counted == len(eligible) - expected_drops
        assert (outcome.counted >= 1) == bool(eligible)
        dropped = [_percentage(by_id[i]) for i in outcome.dropped_assignment_ids]
        kept = [_percentage(by_id[i]) for i in outcome.counted_assignment_ids]
        assert not dropped or max(dropped) <= min(kept)


@PROPERTY
@given(gradebooks(extra_credit=True, max_categories=1))
def test_total_points_with_one_category_equals_weighted_with_one_category(
    book: Gradebook,
) -> None:
    only = book.categories[0]
    if only.weight == 0:
        # Weight 0 never counts under the weighted method; any positive weight is one category.
        book = dataclasses.replace(book, categories=(dataclasses.replace(only, weight=D(1)),))
    assert book.grade(method=WEIGHTED) == book.grade(method=TOTAL_POINTS)


@PROPERTY
@given(gradebooks(extra_credit=True), st.sampled_from([D("0.5"), D(2), D(3)]))
def test_weights_count_only_in_proportion(book: Gradebook, factor: Decimal) -> None:
    scaled = tuple(
        dataclasses.replace(category, weight=category.weight * factor)
        for category in book.categories
    )
    before, after = book.grade(), book.grade(categories=scaled)
    assert (after.percent, after.letter) == (before.percent, before.letter)
    assert [c.effective_weight for c in after.categories] == [
        c.effective_weight for c in before.categories
    ]


@PROPERTY
@given(gradebooks())
def test_counting_missing_work_as_zero_never_raises_the_grade(book: Gradebook) -> None:
    """Without drop-lowest (a zero can take a dropped place), zeros can only pull down."""
    book = dataclasses.replace(
        book, categories=tuple(dataclasses.replace(c, drop_lowest=0) for c in book.categories)
    )
    counted = book.grade(missing_counts_as_zero=True).percent
    left_out = book.grade(missing_counts_as_zero=False).percent
    if counted is not None and left_out is not None:
        assert counted <= left_out
    if left_out is not None:
        assert counted is not None


@PROPERTY
@given(gradebooks(extra_credit=True))
def test_the_late_mark_changes_nothing(book: Gradebook) -> None:
    flipped = tuple(dataclasses.replace(s, late=not s.late) for s in book.scores)
    assert book.grade(scores=flipped) == book.grade()
