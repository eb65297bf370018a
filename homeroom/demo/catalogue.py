"""What the demo district teaches and when: courses, bell schedules, codes and grading data.

A `Unit` is what a student takes in one period: one full-year course, or two courses that
share the period, either by semester (Physical Education then Health) or by weekday (an
elementary class's Science on Monday, Wednesday and Friday, Social Studies on Tuesday and
Thursday).
"""

import dataclasses
import datetime
import random
from decimal import Decimal

YEAR = "year"
FALL = "fall"  # semester 1
SPRING = "spring"  # semester 2

EVERY_DAY = (0, 1, 2, 3, 4)
MON_WED_FRI = (0, 2, 4)
TUE_THU = (1, 3)

ELEMENTARY = "elementary"
MIDDLE = "middle"
HIGH = "high"


@dataclasses.dataclass(frozen=True)
class Course:
    code: str
    title: str
    subject: str
    term: str = YEAR
    weekdays: tuple[int, ...] = EVERY_DAY


@dataclasses.dataclass(frozen=True)
class Unit:
    key: str
    courses: tuple[Course, ...]
    # Who teaches it: sections of one department share a pool of teachers.
    department: str


def _single(code: str, title: str, subject: str) -> Unit:
    return Unit(code, (Course(code, title, subject),), subject)


def _pair(key: str, first: Course, second: Course, department: str) -> Unit:
    return Unit(key, (first, second), department)


ENGLISH = "English Language Arts"
MATH = "Mathematics"
SCIENCE = "Science"
SOCIAL = "Social Studies"
LANGUAGES = "World Languages"
PE_HEALTH = "Physical Education and Health"
ARTS = "Visual and Performing Arts"
COMPUTING = "Computer Science"
CAREER = "Career and Technical Education"
UNIFIED_ARTS = "Unified Arts"
CLASSROOM = "Elementary classroom"


def _high_school_units() -> dict[str, Unit]:
    units = [
        _single("ENG9", "English 9", ENGLISH),
        _single("ENG10", "English 10", ENGLISH),
        _single("ENG11", "American Literature", ENGLISH),
        _single("ENG12", "Senior English: Composition and Literature", ENGLISH),
        _single("ALG1", "Algebra I", MATH),
        _single("GEOM", "Geometry", MATH),
        _single("ALG2", "Algebra II", MATH),
        _single("PRECALC", "Precalculus", MATH),
        _single("APCALC", "AP Calculus AB", MATH),
        _single("STATS", "Statistics", MATH),
        _single("BIO", "Biology", SCIENCE),
        _single("CHEM", "Chemistry", SCIENCE),
        _single("PHYS", "Physics", SCIENCE),
        _single("ENVSCI", "Environmental Science", SCIENCE),
        _single("ANAT", "Anatomy and Physiology", SCIENCE),
        _single("WHIST", "World History", SOCIAL),
        _single("USHIST", "U.S. History", SOCIAL),
        _pair(
            "CIVPF",
            Course("CIVICS", "Civics", SOCIAL, FALL),
            Course("PFIN", "Personal Finance", SOCIAL, SPRING),
            SOCIAL,
        ),
        _pair(
            "PSYSOC",
            Course("PSYCH", "Psychology", SOCIAL, FALL),
            Course("SOC", "Sociology", SOCIAL, SPRING),
            SOCIAL,
        ),
        _single("APGOV", "AP U.S. Government and Politics", SOCIAL),
        _single("SPAN1", "Spanish I", LANGUAGES),
        _single("SPAN2", "Spanish II", LANGUAGES),
        _single("SPAN3", "Spanish III", LANGUAGES),
        _single("SPAN4", "Spanish IV", LANGUAGES),
        _single("FREN1", "French I", LANGUAGES),
        _single("FREN2", "French II", LANGUAGES),
        _single("FREN3", "French III", LANGUAGES),
        _pair(
            "PEHLTH",
            Course("PE", "Physical Education", PE_HEALTH, FALL),
            Course("HLTH", "Health and Wellness", PE_HEALTH, SPRING),
            PE_HEALTH,
        ),
        _single("ART", "Studio Art", ARTS),
        _single("BAND", "Concert Band", ARTS),
        _single("CHOR", "Chorus", ARTS),
        _single("CSP", "Computer Science Principles", COMPUTING),
        _single("CUL", "Culinary Arts", COMPUTING),
    ]
    return {unit.key: unit for unit in units}


def _middle_school_units() -> dict[str, Unit]:
    units: list[Unit] = []
    for grade in (6, 7, 8):
        units += [
            _single(f"ELA{grade}", f"English Language Arts {grade}", ENGLISH),
            _single(f"MATH{grade}", f"Mathematics {grade}", MATH),
            _single(f"SCI{grade}", f"Science {grade}", SCIENCE),
            _single(f"SS{grade}", f"Social Studies {grade}", SOCIAL),
        ]
    units += [
        _single("ALG1M", "Algebra I (Grade 8)", MATH),
        _single("WLEXP", "World Language Exploration", LANGUAGES),
        _single("SPAN1A", "Spanish 1A", LANGUAGES),
        _single("SPAN1B", "Spanish 1B", LANGUAGES),
        _single("FREN1A", "French 1A", LANGUAGES),
        _single("FREN1B", "French 1B", LANGUAGES),
        _pair(
            "ARTMUS",
            Course("ART", "Art", UNIFIED_ARTS, FALL),
            Course("MUS", "General Music", UNIFIED_ARTS, SPRING),
            UNIFIED_ARTS,
        ),
        _pair(
            "TECHFCS",
            Course("TECH", "Technology Education", UNIFIED_ARTS, FALL),
            Course("FCS", "Family and Consumer Sciences", UNIFIED_ARTS, SPRING),
            UNIFIED_ARTS,
        ),
    ]
    return {unit.key: unit for unit in units}


def grade_label(grade: int) -> str:
    """0 → "Kindergarten", 3 → "Grade 3"."""
    return "Kindergarten" if grade == 0 else f"Grade {grade}"


def grade_code(grade: int) -> str:
    """0 → "KG", 3 → "03": the OneRoster/CEDS code that Student.grade_level holds."""
    return "KG" if grade == 0 else f"{grade:02d}"


def _elementary_units() -> dict[str, Unit]:
    units: list[Unit] = []
    for grade in range(6):
        short = "K" if grade == 0 else str(grade)
        label = grade_label(grade)
        units += [
            _single(f"ELA-{short}", f"English Language Arts – {label}", CLASSROOM),
            _single(f"MATH-{short}", f"Mathematics – {label}", CLASSROOM),
            _pair(
                f"SCISS-{short}",
                Course(f"SCI-{short}", f"Science – {label}", CLASSROOM, YEAR, MON_WED_FRI),
                Course(f"SS-{short}", f"Social Studies – {label}", CLASSROOM, YEAR, TUE_THU),
                CLASSROOM,
            ),
        ]
    return {unit.key: unit for unit in units}


UNITS: dict[str, dict[str, Unit]] = {
    HIGH: _high_school_units(),
    MIDDLE: _middle_school_units(),
    ELEMENTARY: _elementary_units(),
}


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    keys = [key for key, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(keys, weights)[0]


_HIGH_MATH = {
    9: [("ALG1", 0.70), ("GEOM", 0.25), ("ALG2", 0.05)],
    10: [("GEOM", 0.65), ("ALG2", 0.25), ("ALG1", 0.10)],
    11: [("ALG2", 0.65), ("PRECALC", 0.25), ("GEOM", 0.10)],
    12: [("PRECALC", 0.50), ("APCALC", 0.20), ("STATS", 0.15), ("ALG2", 0.15)],
}
_HIGH_SCIENCE = {
    9: [("BIO", 1.0)],
    10: [("CHEM", 1.0)],
    11: [("PHYS", 0.6), ("ENVSCI", 0.4)],
    12: [("ENVSCI", 0.5), ("ANAT", 0.5)],
}
_HIGH_SOCIAL = {
    9: [("WHIST", 1.0)],
    10: [("USHIST", 1.0)],
    11: [("CIVPF", 1.0)],
    12: [("PSYSOC", 0.7), ("APGOV", 0.3)],
}
# Level of the language course by grade; seniors who have finished their years may stop.
_LANGUAGE_LEVEL = {
    9: [(1, 0.5), (2, 0.5)],
    10: [(2, 0.6), (3, 0.4)],
    11: [(3, 0.7), (4, 0.3)],
    12: [(4, 0.6), (0, 0.4)],
}
_ELECTIVES = ["ART", "BAND", "CHOR", "CSP", "CUL"]


def high_school_units(
    grade: int, rng: random.Random, chosen: dict[str, str] | None = None
) -> list[str]:
    """A high-school student's units: six or seven periods. `chosen` fixes some by area
    ("math": "ALG2") for the personas."""
    chosen = chosen or {}
    units = [
        f"ENG{grade}",
        chosen.get("math") or _pick(rng, _HIGH_MATH[grade]),
        chosen.get("science") or _pick(rng, _HIGH_SCIENCE[grade]),
        chosen.get("social") or _pick(rng, _HIGH_SOCIAL[grade]),
    ]
    language = "SPAN" if rng.random() < 0.7 else "FREN"
    level = int(_pick(rng, [(str(lv), w) for lv, w in _LANGUAGE_LEVEL[grade]]))
    if level and language == "FREN":
        level = min(level, 3)
    if level:
        units.append(f"{language}{level}")
    units.append("PEHLTH")
    if not level or rng.random() < 0.6:
        units.append(rng.choice(_ELECTIVES))
    return units


def middle_school_units(grade: int, rng: random.Random) -> list[str]:
    """Six periods of seven: the core four, a language and a unified-arts pair."""
    math = f"MATH{grade}"
    if grade == 8 and rng.random() < 0.2:
        math = "ALG1M"
    if grade == 6:
        language = "WLEXP"
    else:
        language = ("SPAN" if rng.random() < 0.7 else "FREN") + ("1A" if grade == 7 else "1B")
    arts = "ARTMUS" if rng.random() < 0.5 else "TECHFCS"
    return [f"ELA{grade}", math, f"SCI{grade}", f"SS{grade}", language, arts]


def elementary_units(grade: int) -> list[tuple[str, int]]:
    """A homeroom's units and the block each meets in (blocks 3 and 5 are specials and
    intervention, taught outside the grade book)."""
    short = "K" if grade == 0 else str(grade)
    return [(f"ELA-{short}", 1), (f"MATH-{short}", 2), (f"SCISS-{short}", 4)]


# --- Bells ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BellPlan:
    period_names: tuple[str, ...]
    first_bell: datetime.time
    lengths: tuple[int, ...]  # minutes, one per period
    passing: int  # minutes between periods
    lunch_after: int  # period sequence after which lunch falls
    lunch: int  # minutes

    def times(self) -> list[tuple[datetime.time, datetime.time]]:
        clock = datetime.datetime.combine(datetime.date(2000, 1, 1), self.first_bell)
        times = []
        for sequence, length in enumerate(self.lengths, start=1):
            end = clock + datetime.timedelta(minutes=length)
            times.append((clock.time(), end.time()))
            clock = end + datetime.timedelta(minutes=self.passing)
            if sequence == self.lunch_after:
                clock += datetime.timedelta(minutes=self.lunch)
        return times


BELLS = {
    HIGH: BellPlan(
        period_names=tuple(f"Period {n}" for n in range(1, 8)),
        first_bell=datetime.time(7, 30),
        lengths=(47,) * 7,
        passing=4,
        lunch_after=4,
        lunch=30,
    ),
    MIDDLE: BellPlan(
        period_names=tuple(f"Period {n}" for n in range(1, 8)),
        first_bell=datetime.time(8, 5),
        lengths=(45,) * 7,
        passing=3,
        lunch_after=4,
        lunch=30,
    ),
    ELEMENTARY: BellPlan(
        period_names=tuple(f"Block {n}" for n in range(1, 6)),
        first_bell=datetime.time(8, 50),
        lengths=(90, 60, 45, 60, 50),
        passing=5,
        lunch_after=3,
        lunch=45,
    ),
}

# --- Attendance codes -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CodePlan:
    code: str
    description: str
    description_es: str
    category: str
    absence_value: Decimal
    keyboard_key: str
    is_default_present: bool = False


ATTENDANCE_CODES = [
    CodePlan("P", "Present", "Presente", "present", Decimal(0), "p", is_default_present=True),
    CodePlan(
        "A",
        "Absent – unexcused: no reason given to the school",
        "Ausente – sin justificar: no se dio un motivo a la escuela",
        "unexcused",
        Decimal(1),
        "a",
    ),
    CodePlan(
        "E",
        "Absent – excused: a parent or guardian told the school why",
        "Ausente – justificada: un padre o tutor informó el motivo a la escuela",
        "excused",
        Decimal(1),
        "e",
    ),
    CodePlan(
        "M",
        "Absent – medical, excused with a note from a doctor or nurse",
        "Ausente – por motivo médico, justificada con nota del médico o enfermera",
        "excused",
        Decimal(1),
        "m",
    ),
    CodePlan(
        "R",
        "Absent – religious observance, excused",
        "Ausente – por observancia religiosa, justificada",
        "excused",
        Decimal(1),
        "r",
    ),
    CodePlan(
        "H",
        "Half-day absence – excused",
        "Ausencia de medio día – justificada",
        "excused",
        Decimal("0.5"),
        "h",
    ),
    CodePlan(
        "T",
        "Tardy: arrived after the bell",
        "Tardanza: llegó después del timbre",
        "tardy",
        Decimal(0),
        "t",
    ),
    CodePlan(
        "D",
        "Early dismissal: left school before the end of the day",
        "Salida temprana: salió de la escuela antes del final del día",
        "early_dismissal",
        Decimal(0),
        "d",
    ),
]

# Why the office excused a day: (code, reason). Illness dominates, as it does in life.
OFFICE_REASONS: list[tuple[str, str, float]] = [
    ("E", "Parent called: illness", 0.40),
    ("E", "Parent note: sick with a fever", 0.14),
    ("E", "Parent email: family emergency", 0.06),
    ("E", "Parent called: bereavement (family funeral)", 0.03),
    ("M", "Doctor's note: medical appointment", 0.12),
    ("M", "School nurse: sent home ill", 0.06),
    ("R", "Religious observance (parent note)", 0.04),
    ("H", "Parent called: dental appointment (morning)", 0.09),
    ("H", "Parent note: medical appointment (afternoon)", 0.06),
]

# --- Grade book -------------------------------------------------------------------------------

GRADING_SCALE_NAME = "Standard letter grades (A+ to F)"
GRADE_BANDS = [
    ("A+", 97),
    ("A", 93),
    ("A-", 90),
    ("B+", 87),
    ("B", 83),
    ("B-", 80),
    ("C+", 77),
    ("C", 73),
    ("C-", 70),
    ("D+", 67),
    ("D", 63),
    ("D-", 60),
    ("F", 0),
]


@dataclasses.dataclass(frozen=True)
class CategoryPlan:
    name: str
    weight: int
    points_possible: tuple[int, ...]  # one is picked per assignment
    share: float  # how often an assignment falls in this category
    lead_days: tuple[int, int]  # school days between assigned and due


SECONDARY_CATEGORIES = [
    CategoryPlan("Tests", 40, (100,), 0.12, (5, 8)),
    CategoryPlan("Quizzes", 20, (20, 25), 0.28, (2, 4)),
    CategoryPlan("Homework", 20, (10,), 0.50, (1, 2)),
    CategoryPlan("Projects", 20, (50, 100), 0.10, (8, 15)),
]
ELEMENTARY_CATEGORIES = [
    CategoryPlan("Assessments", 50, (20, 25, 50), 0.25, (3, 6)),
    CategoryPlan("Classwork", 30, (10, 20), 0.45, (0, 1)),
    CategoryPlan("Homework", 20, (10,), 0.30, (1, 2)),
]

# What a unit of work is about, by course code (a prefix match) or department; the title of
# an assignment follows the course through the year.
TOPICS: dict[str, list[str]] = {
    "ALG1": [
        "Expressions and equations",
        "Linear functions",
        "Systems of equations",
        "Exponents and exponential functions",
        "Polynomials and factoring",
        "Quadratic functions",
        "Data and statistics",
    ],
    "GEOM": [
        "Reasoning and proof",
        "Parallel and perpendicular lines",
        "Congruent triangles",
        "Similarity",
        "Right triangles and trigonometry",
        "Circles",
        "Area and volume",
    ],
    "ALG2": [
        "Linear functions and systems",
        "Quadratic functions",
        "Polynomial functions",
        "Rational expressions",
        "Exponential and logarithmic functions",
        "Trigonometric functions",
        "Sequences and series",
        "Probability",
    ],
    "PRECALC": [
        "Functions and their graphs",
        "Polynomial and rational functions",
        "Exponential and logarithmic functions",
        "Trigonometry",
        "Vectors",
        "Limits",
    ],
    "APCALC": [
        "Limits and continuity",
        "Derivatives",
        "Applications of derivatives",
        "Integrals",
        "Differential equations",
        "Applications of integrals",
    ],
    "STATS": [
        "Exploring data",
        "Modeling distributions",
        "Sampling and experiments",
        "Probability",
        "Inference",
    ],
    "BIO": ["Cells", "Genetics", "Evolution", "Ecology", "Human body systems"],
    "CHEM": [
        "Matter and measurement",
        "Atomic structure",
        "The periodic table",
        "Chemical bonding",
        "Chemical reactions",
        "Stoichiometry",
        "Acids and bases",
    ],
    "PHYS": ["Motion", "Forces", "Energy", "Momentum", "Waves", "Electricity"],
    "ENG": [
        "Short stories",
        "Narrative writing",
        "Poetry",
        "Argumentative essay",
        "Shakespeare",
        "The novel",
        "Research paper",
    ],
    "ELA": ["Reading fluency", "Narrative writing", "Vocabulary", "Informational texts", "Poetry"],
    "SCI-": ["Weather and seasons", "Plants and animals", "Forces and motion", "Earth and sky"],
    "SS-": ["Our school community", "Families and traditions", "Maps and places", "Citizenship"],
    "MATH": ["Number sense", "Operations", "Fractions", "Geometry", "Measurement and data"],
    "SPAN": ["Greetings", "Family", "School life", "Food", "Travel", "Past tense"],
    "FREN": ["Greetings", "Family", "School life", "Food", "Travel", "Past tense"],
    "WHIST": [
        "Early civilizations",
        "Classical empires",
        "The Middle Ages",
        "Renaissance and Reformation",
        "Revolutions",
        "World wars",
    ],
    "USHIST": [
        "Colonial America",
        "The Constitution",
        "Civil War and Reconstruction",
        "Industrialization",
        "The twentieth century",
        "Civil rights",
    ],
    SCIENCE: ["Scientific method", "Matter", "Energy", "Earth systems", "Living things"],
    SOCIAL: ["Geography", "Government", "Economics", "History", "Current events"],
    LANGUAGES: ["Greetings", "Family", "Culture", "Daily life"],
    PE_HEALTH: ["Fitness", "Team sports", "Nutrition", "Wellness"],
    ARTS: ["Fundamentals", "Composition", "Performance", "Portfolio"],
    COMPUTING: ["Fundamentals", "Programming", "Data", "Design project"],
    UNIFIED_ARTS: ["Fundamentals", "Skills", "Design project"],
    CLASSROOM: ["Getting started", "Building skills", "Applying skills", "Review"],
}

SCORE_COMMENTS = [
    "Great work!",
    "Nice improvement.",
    "Show your work next time.",
    "See me about corrections.",
    "Excellent reasoning.",
    "Check your units.",
    "Good effort; review the notes.",
    "Well organized.",
]
MISSING_COMMENTS = ["Not turned in.", "Not turned in – see me to make it up."]
