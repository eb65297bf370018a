"""Benchmark of "who looked at this record?" on an audit log of 10 million events (issue 5).

Run against a throw-away PostgreSQL database holding a seeded district (`make bench-audit`
does all of it: scripts/bench-audit.sh). With HOMEROOM_ENV=production and DATABASE_URL set:

1. migrates the database;
2. if the log holds fewer than --events events, adds synthetic ones server-side with
   `INSERT … SELECT … FROM generate_series(…)`, in batches, in the time order a real log
   is written, with every index of the table in place (so they grow as they would in a
   year of use), then VACUUM ANALYZE (what autovacuum does to an insert-only table);
3. signs in the technology staff persona through the real sign-in page (password and
   authenticator code) and opens, with Django's test client in this process, the admin's
   "Who looked at a student's record" page exactly as a person does: searched by a student's
   local id (who looked at this record?) and by a username (what did this account do?),
   and the raw audit log searched by a student id. Every SQL statement of each page is
   captured and timed, and the statements of the answer are run again under
   EXPLAIN (ANALYZE, BUFFERS) to show which index answers them.

THE LOAD DISABLES THE LOG'S TRIGGERS, in this benchmark database only and only while it
loads: `ALTER TABLE audit_auditevent DISABLE TRIGGER USER`, then ENABLE again (also at the
start of every run, in case a load was interrupted). The triggers keep the log append-only
and number and hash-chain each row one at a time under an advisory lock; the synthetic rows
get their `seq` numbers from the load itself and stand-in hashes (md5 of the row number),
so `manage.py audit_verify` will (rightly) not verify this database's chain. The foreign key
to the users is a constraint, not a user trigger, and is still checked for every row.
So that a real log never gets synthetic events, the load refuses a database whose name
does not contain "bench".

The synthetic events (see EVENT_MIX): portal reads by the guardians linked to the student,
staff reads and grade-book or attendance changes by the teachers of the student's sections,
refusals, sign-ins and sign-outs, exports; over the 365 days before the load, at an even
rate. Actors are the seeded district's real accounts, students its real students.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from homeroom.accounts import mfa  # noqa: E402
from homeroom.accounts.models import AgreementAcceptance, TOTPDevice, User  # noqa: E402
from homeroom.accounts.selectors import agreement_current  # noqa: E402
from homeroom.audit.models import AuditEvent  # noqa: E402
from homeroom.audit.triggers import TABLE  # noqa: E402
from homeroom.lib import clock  # noqa: E402
from homeroom.sis.models import GuardianLink, Roster, SectionTeacher, Student  # noqa: E402

HOST = "127.0.0.1"
WHO_LOOKED = "admin:access_studentrecordaccess_changelist"
RAW_LOG = "admin:audit_auditevent_changelist"

# (action, share of all events). Shares add up to 1.
EVENT_MIX = [
    ("portal.read", 0.42),  # a guardian opens a page of a linked child's record
    ("staff.read", 0.40),  # a teacher opens a page showing a student of their section
    ("record.change", 0.10),  # a teacher changes a score or an attendance mark
    ("access.refused", 0.01),  # a guardian is refused a page
    ("auth.sign_in", 0.05),
    ("auth.sign_out", 0.015),
    ("auth.sign_in_failed", 0.004),
    ("record.export", 0.001),
]

# Pools the load picks actors and students from, filled by COPY: `n` numbers the rows 1..count.
POOLS_SQL = """
CREATE TEMP TABLE bench_family (n int PRIMARY KEY, user_id bigint, student_id bigint);
CREATE TEMP TABLE bench_teaching (n int PRIMARY KEY, user_id bigint, student_id bigint,
                                  section_id bigint);
"""

# One batch of synthetic events, rows %(first)s..%(last)s of %(total)s. `x` draws the random
# numbers once per row, `e` decides the action, the pools give actor, student and section.
LOAD_SQL = f"""
INSERT INTO {TABLE} (
    seq, occurred_at, action, actor_id, actor_role, student_id, module, object_type, object_id,
    request_id, address, changes, detail, redacted, personal_hash, content_hash, chain_hash)
SELECT
    e.seq,
    e.occurred_at,
    e.action,
    CASE WHEN e.family THEN f.user_id ELSE t.user_id END,
    CASE
        WHEN e.action IN ('portal.read', 'access.refused') THEN 'guardian'
        WHEN e.action LIKE 'auth.%%' THEN ''
        ELSE 'teacher'
    END,
    CASE
        WHEN e.action LIKE 'auth.%%' OR e.action = 'record.export' THEN NULL
        WHEN e.family THEN f.student_id
        ELSE t.student_id
    END,
    CASE e.action
        WHEN 'portal.read' THEN CASE
            WHEN e.r_module < 0.35 THEN 'attendance' WHEN e.r_module < 0.75 THEN 'grades'
            WHEN e.r_module < 0.95 THEN 'schedule' ELSE 'disclosures' END
        WHEN 'staff.read' THEN CASE
            WHEN e.r_module < 0.5 THEN 'grades' WHEN e.r_module < 0.9 THEN 'attendance'
            ELSE 'schedule' END
        WHEN 'record.change' THEN CASE WHEN e.r_module < 0.7 THEN 'grades' ELSE 'attendance' END
        WHEN 'access.refused' THEN 'grades'
        ELSE ''
    END,
    CASE e.action
        WHEN 'staff.read' THEN 'sis.section'
        WHEN 'record.change' THEN CASE
            WHEN e.r_module < 0.7 THEN 'gradebook.score' ELSE 'attendance.periodmark' END
        WHEN 'record.export' THEN 'access.studentrecordaccess'
        ELSE ''
    END,
    CASE e.action
        WHEN 'staff.read' THEN t.section_id::text
        WHEN 'record.change' THEN (1 + floor(e.r_other * 3000000))::bigint::text
        ELSE ''
    END,
    md5('request' || e.seq),
    '10.0.0.0'::inet + floor(e.r_other * 16777216)::bigint,
    CASE
        WHEN e.action = 'record.change' AND e.r_module < 0.7 THEN jsonb_build_object(
            'points', jsonb_build_array(floor(e.r_other * 100), floor(e.r_module * 140)))
        WHEN e.action = 'record.change' THEN '{{"code": ["P", "A"]}}'::jsonb
        ELSE '{{}}'::jsonb
    END,
    CASE e.action
        WHEN 'staff.read' THEN jsonb_build_object(
            'page', CASE WHEN e.r_other < 0.6 THEN 'gradebook' ELSE 'roster' END)
        WHEN 'record.change' THEN jsonb_build_object(
            'section_id', t.section_id, 'replaced_released', e.r_other < 0.1)
        WHEN 'access.refused' THEN jsonb_build_object('linked', e.r_other < 0.8)
        WHEN 'auth.sign_in' THEN CASE
            WHEN e.family THEN '{{}}'::jsonb ELSE '{{"mfa": "totp"}}'::jsonb END
        ELSE '{{}}'::jsonb
    END,
    false,
    md5('personal' || e.seq) || md5('personal/' || e.seq),
    md5('content' || e.seq) || md5('content/' || e.seq),
    md5('chain' || e.seq) || md5('chain/' || e.seq)
FROM (
    SELECT
        x.*,
        CASE {{action_case}} END AS action,
        CASE
            WHEN x.r_action < %(family_share)s THEN true
            WHEN x.r_action < %(staff_share)s THEN false
            ELSE x.r_other < 0.75  -- sign-ins: three in four by families
        END AS family
    FROM (
        SELECT
            %(seq0)s::bigint + g AS seq,
            %(start)s::timestamptz + (g - 1) * %(step)s::interval AS occurred_at,
            random() AS r_action,
            random() AS r_pick,
            random() AS r_module,
            random() AS r_other
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    ) AS x
) AS e
JOIN bench_family AS f ON f.n = 1 + floor(e.r_pick * %(families)s)::int
JOIN bench_teaching AS t ON t.n = 1 + floor(e.r_pick * %(teaching)s)::int
"""


def _action_case() -> str:
    parts, upto = [], 0.0
    for action, share in EVENT_MIX[:-1]:
        upto += share
        parts.append(f"WHEN x.r_action < {upto:.6f} THEN '{action}'")
    parts.append(f"ELSE '{EVENT_MIX[-1][0]}'")
    return " ".join(parts)


def migrate() -> None:
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s")


def triggers_enable() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def _pools() -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    """(guardian's user, child) for every link of a guardian with an account, and (teacher's
    user, student, section) for every roster entry of a section with a teacher."""
    family = list(
        GuardianLink.objects.filter(guardian__user__isnull=False)
        .order_by("pk")
        .values_list("guardian__user_id", "student_id")
    )
    teacher_of = dict(
        SectionTeacher.objects.filter(staff__user__isnull=False)
        .order_by("role", "pk")
        .values_list("section_id", "staff__user_id")
    )
    teaching = [
        (teacher_of[section_id], student_id, section_id)
        for student_id, section_id in Roster.objects.order_by("pk").values_list(
            "student_id", "section_id"
        )
        if section_id in teacher_of
    ]
    if not family or not teaching:
        raise SystemExit("no guardians or rosters: seed the district first (make bench-audit)")
    return family, teaching


def _copy(table: str, columns: str, rows: Iterable[tuple[int, ...]]) -> None:
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for n, row in enumerate(rows, start=1):
            copy.write_row((n, *row))


def events_load(target: int, batch: int, seed: int) -> dict[str, Any] | None:
    """Top the log up to `target` events; None when it already holds as many."""
    present = AuditEvent.objects.count()
    missing = target - present
    if missing <= 0:
        print(f"the log holds {present:,} events (>= {target:,}): no load")
        return None
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        raise SystemExit(
            f"refusing to add synthetic events to {connection.vendor} database {name!r}: "
            "the load is for a PostgreSQL benchmark database (its name contains 'bench')"
        )
    family, teaching = _pools()
    print(
        f"the log holds {present:,} events; adding {missing:,} in batches of {batch:,} "
        f"(pools: {len(family):,} guardian-child links, {len(teaching):,} teacher-student "
        "roster entries)"
    )
    shares = dict(EVENT_MIX)
    end = timezone.now().replace(microsecond=0)
    params: dict[str, Any] = {
        "seq0": (AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0),
        "start": end - datetime.timedelta(days=365),
        "step": f"{365 * 86400 / missing:.6f} seconds",
        "families": len(family),
        "teaching": len(teaching),
        "family_share": shares["portal.read"],
        "staff_share": shares["portal.read"] + shares["staff.read"] + shares["record.change"],
    }
    sql = LOAD_SQL.replace("{action_case}", _action_case())
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_family, bench_teaching")
        cursor.execute(POOLS_SQL)
    _copy("bench_family", "n, user_id, student_id", family)
    _copy("bench_teaching", "n, user_id, student_id, section_id", teaching)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_family")
        cursor.execute("ANALYZE bench_teaching")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    try:
        for number, first in enumerate(range(1, missing + 1, batch)):
            last = min(first + batch - 1, missing)
            with transaction.atomic(), connection.cursor() as cursor:
                # Reproducible: the same seed gives the same rows (but for the times).
                cursor.execute("SELECT setseed(%s)", [((seed * 7919 + number) % 20000) / 10000 - 1])
                cursor.execute(sql, {**params, "first": first, "last": last})
            done = time.monotonic() - started
            print(
                f"  {last:>12,} / {missing:,}  {done:7.1f} s  ({last / done:,.0f} events/s)",
                flush=True,
            )
    finally:
        triggers_enable()
    inserted = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_family, bench_teaching")
        vacuum_started = time.monotonic()
        cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
    vacuumed = time.monotonic() - vacuum_started
    print(f"loaded {missing:,} events in {inserted:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s")
    return {"events": missing, "insert_s": inserted, "vacuum_s": vacuumed}


def table_report() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_relation_size(c.oid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass ORDER BY c.relname
            """,
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT count(*), count(DISTINCT student_id), count(DISTINCT actor_id), "
            f"min(occurred_at), max(occurred_at), pg_relation_size('{TABLE}'), "
            f"pg_total_relation_size('{TABLE}') FROM {TABLE}"
        )
        events, students, actors, first, last, heap, total = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*) FROM {TABLE} WHERE student_id IS NOT NULL GROUP BY student_id"
        )
        per_student = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(f"\n{version}")
    print(
        f"audit log: {events:,} events, {students:,} students, {actors:,} actors, "
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}; table {heap / 2**30:.2f} GiB, "
        f"with indexes {total / 2**30:.2f} GiB"
    )
    if per_student:
        print(
            f"events per student: median {statistics.median(per_student):,.0f}, "
            f"max {per_student[-1]:,}, min {per_student[0]:,}"
        )
    print("indexes: " + ", ".join(f"{name} {size / 2**20:,.0f} MB" for name, size in indexes))


# --- Measuring the pages ----------------------------------------------------------------------


def _totp_code(device: TOTPDevice) -> str:
    """A code the authenticator shows now that has not been used yet (as tests/personas)."""
    for _ in range(3):
        now = mfa.current_step()
        for step in (now, now + 1):
            if step > device.last_used_step:
                return mfa.code_at_step(device.secret, step)
        time.sleep(mfa.STEP_SECONDS - time.time() % mfa.STEP_SECONDS + 0.1)
    raise SystemExit("no unused authenticator code")


def staff_client(username: str, password: str) -> Client:
    """Signed in through the real sign-in page: the password, then the authenticator code."""
    client = Client(HTTP_HOST=HOST)
    response = client.post(
        reverse("accounts:sign-in"), {"username": username, "password": password}
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in {username}: {response.status_code}")
    if response["Location"].startswith(reverse("accounts:sign-in-code")):
        device = TOTPDevice.objects.get(user__username=username)
        response = client.post(reverse("accounts:sign-in-code"), {"code": _totp_code(device)})
        if response.status_code != 302:
            raise SystemExit(f"{username}: the authenticator code was refused")
    agreement = agreement_current()
    if agreement is not None:
        AgreementAcceptance.objects.get_or_create(
            user=User.objects.get(username=username),
            agreement=agreement,
            defaults={"accepted_at": clock.now(), "address": HOST},
        )
    return client


# What each SQL statement of the pages does, recognised by its text (first match wins).
QUERY_KINDS: list[tuple[str, Callable[[str], bool]]] = [
    ("count of the events found", lambda s: "audit_auditevent" in s and "COUNT(*)" in s),
    ("filter list: modules (whole log)", lambda s: 'DISTINCT "audit_auditevent"."module"' in s),
    (
        "filter list: roles (whole log)",
        lambda s: 'DISTINCT "audit_auditevent"."actor_role"' in s,
    ),
    (
        "date hierarchy (range, years)",
        lambda s: "audit_auditevent" in s and ("MIN(" in s or "DATE_TRUNC" in s),
    ),
    # The admin's list_select_related joins each event's actor.
    (
        "the page of events",
        lambda s: 'FROM "audit_auditevent" LEFT OUTER JOIN "accounts_user"' in s,
    ),
    ("the student by local or state id", lambda s: '"sis_student"' in s and "local_id" in s),
    ("the account by username", lambda s: '"accounts_user"."username" =' in s),
]
PAGE_OF_EVENTS = "the page of events"
OTHER = "other (session, user, permissions, …)"
# The statements that answer the question itself, whatever the page shows around them.
ANSWER_KINDS = [
    "the student by local or state id",
    "the account by username",
    "count of the events found",
    PAGE_OF_EVENTS,
    "date hierarchy (range, years)",
]
ANSWER = "= the answer: search, count, page, dates"
# The admin's list filters on plain text fields list the distinct values of the whole log.
FILTER_KINDS = ["filter list: modules (whole log)", "filter list: roles (whole log)"]


def query_kind(sql: str) -> str:
    for label, matches in QUERY_KINDS:
        if matches(sql):
            return label
    return OTHER


class QueryTimer:
    """Times each SQL statement the connection executes (execute() includes the fetch: Django's
    psycopg cursors are client-side)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


def _rows_shown(html: str) -> int:
    table = re.search(r'<table id="result_list">(.*?)</table>', html, re.S)
    return 0 if table is None else table.group(1).count("<tr") - 1


class Page:
    """Timings of one admin page over several searches."""

    def __init__(self, label: str, url: str) -> None:
        self.label, self.url = label, url
        self.totals: list[float] = []
        self.queries: list[int] = []
        self.per_kind: dict[str, list[float]] = defaultdict(list)
        self.rows: list[int] = []
        # kind -> (search, SQL with its parameters) of the first statement of that kind
        self.examples: dict[str, tuple[str, str]] = {}
        self.without_filters: list[float] = []

    def open(self, client: Client, term: str) -> None:
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(self.url, {"q": term})
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{self.url}?q={term} answered {response.status_code}")
        self.totals.append(elapsed)
        self.queries.append(len(timer.queries))
        self.rows.append(_rows_shown(response.content.decode()))
        kinds: dict[str, float] = defaultdict(float)
        for sql, params, ms in timer.queries:
            kind = query_kind(sql)
            kinds[kind] += ms
            if kind not in self.examples:
                composed = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
                self.examples[kind] = (term, composed)
        for kind, ms in kinds.items():
            self.per_kind[kind].append(ms)
        self.per_kind[ANSWER].append(sum(kinds.get(kind, 0.0) for kind in ANSWER_KINDS))
        self.without_filters.append(elapsed - sum(kinds.get(kind, 0.0) for kind in FILTER_KINDS))


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _figures(values: list[float]) -> str:
    return (
        f"{statistics.median(values):8.1f} {_pct(values, 0.95):8.1f} {max(values):8.1f}"
        if values
        else f"{'–':>8} {'–':>8} {'–':>8}"
    )


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def measure(args: argparse.Namespace) -> list[Page]:
    rng = random.Random(args.seed)
    students = list(Student.objects.order_by("pk").values_list("local_id", flat=True))
    teachers = list(
        User.objects.filter(staff__roles__role="teacher")
        .order_by("pk")
        .distinct()
        .values_list("username", flat=True)
    )
    guardians = list(
        User.objects.filter(guardian__isnull=False)
        .order_by("pk")
        .values_list("username", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT student_id FROM {TABLE} WHERE student_id IS NOT NULL "
            "GROUP BY student_id ORDER BY count(*) DESC LIMIT 1"
        )
        busiest = cursor.fetchone()
    client = staff_client(args.who, args.password)
    pages = {
        "student": Page("who looked: by student's local id", reverse(WHO_LOOKED)),
        "busiest": Page("who looked: the most-read student", reverse(WHO_LOOKED)),
        "teacher": Page("who looked: by a teacher's username", reverse(WHO_LOOKED)),
        "guardian": Page("who looked: by a guardian's username", reverse(WHO_LOOKED)),
        "raw": Page("audit log: by student id", reverse(RAW_LOG)),
    }
    # Warm the process (imports, templates, the connection), as a running server is.
    for term in rng.sample(students, 2):
        Page("warm", reverse(WHO_LOOKED)).open(client, term)
    sample = rng.sample(students, args.sample)
    pk_of = dict(Student.objects.filter(local_id__in=sample).values_list("local_id", "pk"))
    for term in sample:
        pages["student"].open(client, term)
    for term in rng.sample(teachers, args.sample // 2):
        pages["teacher"].open(client, term)
    for term in rng.sample(guardians, args.sample // 2):
        pages["guardian"].open(client, term)
    if busiest is not None:
        local_id = Student.objects.get(pk=busiest[0]).local_id
        for _ in range(5):
            pages["busiest"].open(client, local_id)
    for term in sample[: args.raw_sample]:
        pages["raw"].open(client, str(pk_of[term]))
    return list(pages.values())


def _short(sql: str) -> str:
    """The statement without its long list of selected columns."""
    return re.sub(r"^SELECT (.{200,}?) FROM ", "SELECT … FROM ", sql, count=1)


def report(pages: list[Page]) -> None:
    print("\n## Whole pages (admin, in-process test client, signed in; milliseconds)\n")
    print(
        f"{'page':<40} {'n':>3} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8} {'rows':>5}"
        f" {'p50 w/o filter lists':>21}"
    )
    for page in pages:
        if not page.totals:
            continue
        print(
            f"{page.label:<40} {len(page.totals):>3} {_figures(page.totals)} "
            f"{statistics.median(page.queries):>8.0f} {statistics.median(page.rows):>5.0f}"
            f" {statistics.median(page.without_filters):>21.1f}"
        )
    print("\n## Their SQL, by what it does (milliseconds per page: p50, p95, max)\n")
    for page in pages:
        if not page.totals:
            continue
        print(f"{page.label}")
        for kind, values in sorted(page.per_kind.items(), key=lambda item: -max(item[1])):
            print(f"  {kind:<42} {_figures(values)}")
    explained = [(pages[0], kind) for kind in [PAGE_OF_EVENTS, *ANSWER_KINDS, *FILTER_KINDS]]
    explained += [(page, PAGE_OF_EVENTS) for page in pages[1:]]
    done = set()
    for page, kind in explained:
        if kind not in page.examples or (page.label, kind) in done:
            continue
        done.add((page.label, kind))
        term, sql = page.examples[kind]
        print(f"\n## EXPLAIN (ANALYZE, BUFFERS): {page.label} (q={term}): {kind}\n")
        print(_short(sql))
        print("\n".join(explain(sql)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="log size to reach")
    parser.add_argument("--batch", type=int, default=500_000, help="events per INSERT")
    parser.add_argument("--sample", type=int, default=50, help="searches of each kind")
    parser.add_argument("--raw-sample", type=int, default=5, help="searches of the raw log")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--who", default="sam", help="the technology staff account to use")
    parser.add_argument(
        "--password", default=os.environ.get("BENCH_PASSWORD", "homeroom-demo-2026")
    )
    args = parser.parse_args()
    migrate()
    triggers_enable()
    if not Student.objects.exists():
        raise SystemExit("the database holds no district: seed it first (make bench-audit)")
    events_load(args.events, args.batch, args.seed)
    table_report()
    report(measure(args))


if __name__ == "__main__":
    main()
