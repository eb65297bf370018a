"""The demo timetable: no student in two classes at once, teachers in one room at a time."""

import random
from collections import Counter

from homeroom.demo import catalogue
from homeroom.demo.schedule import TEACHING_LOAD, TeacherSlot, assign_teachers, place_students


def _high_school(count: int, seed: int = 3):
    rng = random.Random(seed)
    requests = [(n, catalogue.high_school_units(9 + n % 4, rng)) for n in range(count)]
    offerings = place_students(
        units=catalogue.UNITS[catalogue.HIGH], requests=requests, period_count=7
    )
    return requests, offerings


def test_every_request_is_seated_once_and_never_twice_in_a_period():
    requests, offerings = _high_school(400)
    seated: dict[int, list] = {}
    for offering in offerings:
        for student in offering.students:
            seated.setdefault(student, []).append(offering)
    for student, units in requests:
        classes = seated[student]
        assert sorted(o.unit.key for o in classes) == sorted(units)
        periods = [o.period for o in classes]
        assert len(periods) == len(set(periods)), f"student {student} double-booked"


def test_classes_stay_near_the_target_size_at_scale():
    _requests, offerings = _high_school(2000)
    sizes = [len(o.students) for o in offerings]
    assert max(sizes) <= 30
    assert sum(sizes) / len(sizes) > 20


def test_teachers_teach_one_class_a_period_and_at_most_a_full_load():
    _requests, offerings = _high_school(600)
    slots = assign_teachers(offerings)
    assert all(o.teacher is not None for o in offerings)
    for slot in slots:
        periods = [o.period for o in slot.offerings]
        assert len(periods) == len(set(periods))
        assert len(slot.offerings) <= TEACHING_LOAD
        assert {o.unit.department for o in slot.offerings} <= {slot.department}


def test_a_pinned_class_keeps_its_teacher_and_an_avoided_student_is_never_taught():
    requests, offerings = _high_school(300)
    watched = requests[0][0]
    math_class = next(
        o for o in offerings if o.unit.department == catalogue.MATH and watched in o.students
    )
    keeper = TeacherSlot(department=catalogue.MATH, persona="keeper")
    avoider = TeacherSlot(department=catalogue.MATH, persona="avoider", avoid=watched)
    slots = assign_teachers(offerings, preset=[keeper, avoider], pinned={math_class: keeper})
    assert math_class.teacher is keeper
    assert avoider.offerings, "the avoiding teacher still teaches"
    assert all(watched not in o.students for o in avoider.offerings)
    assert Counter(id(s) for s in slots)[id(keeper)] == 1
