"""Who sits in which class, and who teaches it: a greedy, conflict-free timetable.

Pure Python over plain objects; `district` turns the result into rows. A student's units are
placed most-constrained first, each into the emptiest class of that unit meeting in a period
the student still has free; when none fits, a new class opens in a free period. So no student
is ever in two classes in one period, by construction. Class periods come first from a master
schedule that keeps apart the units the same students take.
"""

import dataclasses
import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from homeroom.demo.catalogue import Unit

CLASS_SIZE = 25  # the size the timetable aims for
# How far a class may grow past an even split before a new one opens.
CLASS_SLACK = 3
TEACHING_LOAD = 5  # classes a secondary teacher teaches, each in a different period
# How much the master schedule avoids putting two classes of one department in one period,
# against how much it avoids students' collisions (one shared student counts 1).
DEPARTMENT_WEIGHT = 0.3


@dataclasses.dataclass(eq=False)
class Offering:
    """One class in one period: the sections of one unit, with the same students."""

    unit: Unit
    period: int  # the period's sequence in the day, from 1
    students: list[Any] = dataclasses.field(default_factory=list)
    teacher: "TeacherSlot | None" = None
    # Filled in when the rows are made: one Section per course of the unit.
    sections: list[Any] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class TeacherSlot:
    """A teaching position, filled by a named person once the timetable is known."""

    department: str
    persona: str = ""
    # A student this teacher must never teach (Mr. Grant and Sofia).
    avoid: Any = None
    periods: set[int] = dataclasses.field(default_factory=set)
    offerings: list[Offering] = dataclasses.field(default_factory=list)

    def can_take(self, offering: Offering) -> bool:
        if offering.period in self.periods or len(self.offerings) >= TEACHING_LOAD:
            return False
        return self.avoid is None or self.avoid not in offering.students

    def take(self, offering: Offering) -> None:
        offering.teacher = self
        self.periods.add(offering.period)
        self.offerings.append(offering)


def master_schedule(
    *, units: dict[str, Unit], requests: Sequence[tuple[Any, list[str]]], period_count: int
) -> tuple[dict[str, list[int]], Counter[str]]:
    """The period of every class before anyone is seated: for each unit (most wanted first),
    the periods where it collides least with the units already placed that the same students
    take, and, more lightly, with its own department's classes (one teacher, one period).
    Returns unit key → the periods of its classes, and the demand for each unit."""
    demand: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for _student, keys in requests:
        if len(keys) > period_count:
            raise ValueError(f"{len(keys)} units do not fit in {period_count} periods")
        demand.update(keys)
        for first, second in itertools.combinations(sorted(set(keys)), 2):
            together[first, second] += 1
            together[second, first] += 1

    order = {key: n for n, key in enumerate(units)}
    placed: dict[str, list[int]] = {}
    for key in sorted((k for k in units if demand[k]), key=lambda k: (-demand[k], order[k])):

        def cost(period: int, key: str = key) -> float:
            total = 0.0
            for other, periods in placed.items():
                here = periods.count(period)
                if here:
                    # A student of both units can dodge a collision when `other` has
                    # classes in other periods too.
                    total += together[key, other] * here / len(periods)
                    if units[other].department == units[key].department:
                        total += DEPARTMENT_WEIGHT * here
            return total

        periods: list[int] = []
        for n in range(math.ceil(demand[key] / CLASS_SIZE)):
            if n >= period_count:
                periods.append(periods[n % period_count])
                continue
            options = [p for p in range(1, period_count + 1) if p not in periods]
            periods.append(min(options, key=lambda p: (cost(p), p)))
        placed[key] = periods
    return placed, demand


def place_students(
    *,
    units: dict[str, Unit],
    requests: Sequence[tuple[Any, list[str]]],
    period_count: int,
) -> list[Offering]:
    """Seat each (student, unit keys) request in classes; return the classes, in order.

    Requests are seated in the order given, each unit in the emptiest class in a free
    period. When every class of a unit meets in a period the student has filled, the
    student first moves one of their earlier classes to another period; failing that, a new
    class opens in a free period.
    """
    placed, demand = master_schedule(units=units, requests=requests, period_count=period_count)
    order = {key: n for n, key in enumerate(units)}
    by_unit: dict[str, list[Offering]] = {}
    capacity: dict[str, int] = {}
    for key, periods in placed.items():
        capacity[key] = math.ceil(demand[key] / len(periods)) + CLASS_SLACK
        by_unit[key] = [Offering(unit=units[key], period=p) for p in periods]

    def open_classes(key: str, seats: dict[int, Offering]) -> list[Offering]:
        return [
            o for o in by_unit[key] if o.period not in seats and len(o.students) < capacity[key]
        ]

    for student, keys in requests:
        seats: dict[int, Offering] = {}
        for key in sorted(keys, key=lambda k: (len(by_unit[k]), order[k])):
            choices = open_classes(key, seats)
            chosen = min(choices, key=lambda o: len(o.students)) if choices else None
            if chosen is None:
                chosen = _make_room(student, key, seats, by_unit, capacity, open_classes)
            if chosen is None:
                free = [p for p in range(1, period_count + 1) if p not in seats]
                in_use = [o.period for o in by_unit[key]]
                chosen = Offering(
                    unit=units[key], period=min(free, key=lambda p: (in_use.count(p), p))
                )
                by_unit[key].append(chosen)
            chosen.students.append(student)
            seats[chosen.period] = chosen

    return [o for key in units for o in by_unit.get(key, []) if o.students]


def _make_room(
    student: Any,
    key: str,
    seats: dict[int, Offering],
    by_unit: dict[str, list[Offering]],
    capacity: dict[str, int],
    open_classes: Callable[[str, dict[int, Offering]], list[Offering]],
) -> Offering | None:
    """Move the student out of the period of a class of `key` that has room, into another
    class of the same unit in a free period; return the class now open to them, if any."""
    for wanted in sorted(by_unit[key], key=lambda o: len(o.students)):
        if len(wanted.students) >= capacity[key]:
            continue
        blocking = seats[wanted.period]
        alternatives = open_classes(blocking.unit.key, seats)
        if alternatives:
            moved_to = min(alternatives, key=lambda o: len(o.students))
            blocking.students.remove(student)
            del seats[blocking.period]
            moved_to.students.append(student)
            seats[moved_to.period] = moved_to
            return wanted
    return None


def assign_teachers(
    offerings: list[Offering],
    *,
    preset: Sequence[TeacherSlot] = (),
    pinned: dict[Offering, TeacherSlot] | None = None,
    new_slot: Callable[[str], TeacherSlot] | None = None,
) -> list[TeacherSlot]:
    """Give every class a teacher of its department, each teaching at most TEACHING_LOAD
    classes in different periods; balance the load; return every slot used, in order."""
    pinned = pinned or {}
    make = new_slot or (lambda department: TeacherSlot(department=department))
    by_department: dict[str, list[Offering]] = {}
    for offering in offerings:
        by_department.setdefault(offering.unit.department, []).append(offering)

    slots: list[TeacherSlot] = []
    for department, classes in by_department.items():
        pool = [slot for slot in preset if slot.department == department]
        while len(pool) < math.ceil(len(classes) / TEACHING_LOAD):
            pool.append(make(department))
        for offering, slot in pinned.items():
            if offering.unit.department == department:
                slot.take(offering)
        for offering in classes:
            if offering.teacher is not None:
                continue
            able = [slot for slot in pool if slot.can_take(offering)]
            if not able:
                able = [make(department)]
                pool.extend(able)
            min(able, key=lambda slot: len(slot.offerings)).take(offering)
        slots.extend(pool)
    return slots
