"""The cast that the demo and the tests share (DESIGN.md, "Personas").

Each persona signs in with its username and the demo's shared password. The generator gives
each one the circumstance written here; `tests/demo/test_personas.py` checks every line.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Persona:
    username: str
    name: str
    circumstance: str


MARIA = Persona(
    "maria",
    "Maria Lopez",
    "mother of Sofia (grade 10) and Mateo (grade 6); custodial; prefers Spanish",
)
DAVID = Persona(
    "david",
    "David Lopez",
    "their father; not custodial, lives elsewhere; no court order",
)
KEVIN = Persona(
    "kevin",
    "Kevin Brooks",
    "father of Emma (grade 8); a court order bars his access to her record",
)
LINDA = Persona("linda", "Linda Chen", "mother of Noah (grade 11), another family")
GRACE = Persona("grace", "Grace Kim", "mother of Daniel, who withdrew last month")
ROSA = Persona(
    "rosa",
    "Rosa Rivera",
    "mother of Alex, who is 18, with no consent or dependency on file",
)
SOFIA = Persona(
    "sofia",
    "Sofia Lopez",
    "student, grade 10: two missing assignments, one late, an excused absence, a tardy",
)
ALEX = Persona("alex", "Alex Rivera", "student, grade 12, 18 years old")
TAYLOR = Persona("taylor", "Ms. Taylor", "high-school math teacher; teaches Sofia's Algebra II")
GRANT = Persona("grant", "Mr. Grant", "high-school math teacher; teaches no class of Sofia's")
OKAFOR = Persona("okafor", "Ms. Okafor", "principal of the high school")
PAT = Persona("pat", "Pat Morgan", "district registrar; places restrictions")
SAM = Persona("sam", "Sam Ito", "technology staff: accounts, security reports, audit; no grades")
RUIZ = Persona(
    "ruiz",
    "Mr. Ruiz",
    "high-school counselor; Noah is on his caseload, Sofia is not (her record asks for a reason)",
)
LEE = Persona(
    "lee",
    "Dr. Lee",
    "district administrator: switches portal modules, reviews staff access, gets the weekly "
    "report of reads with a stated reason",
)

CAST: tuple[Persona, ...] = (
    MARIA,
    DAVID,
    KEVIN,
    LINDA,
    GRACE,
    ROSA,
    SOFIA,
    ALEX,
    TAYLOR,
    GRANT,
    OKAFOR,
    PAT,
    SAM,
    RUIZ,
    LEE,
)
