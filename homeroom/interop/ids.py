"""Identifiers that OneRoster needs and Homeroom does not keep, derived so that they never change.

A derived sourcedId is a name-based UUID (RFC 4122 version 5) of what the row stands for,
named by the sourcedIds of the records it joins: the same records always give the same id,
in this database and in any other that imported them.
"""

import hashlib
import json
import uuid

NAMESPACE = uuid.UUID("6f1c3a52-9c1e-4b59-a3c2-2d0a9e7b4f10")
CODE_LIMIT = 32


def key(*parts: str) -> str:
    return json.dumps(list(parts), separators=(",", ":"))


def parts(text: str) -> list[str]:
    return json.loads(text)


def derived(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key(*parts)))


def staff_role_key(staff: str, role: str, school: str) -> str:
    return key("staff", staff, role, school)


def guardian_role_key(guardian: str, role: str, org: str) -> str:
    return key("guardian", guardian, role, org)


def teacher_key(klass: str, user: str) -> str:
    return key("teacher", klass, user)


def link_sourced_id(guardian: str, student: str) -> str:
    return derived("link", guardian, student)


def split_category_sourced_id(category: str, klass: str) -> str:
    """A category that several classes share in the package becomes one per class in
    Homeroom (a category belongs to one section); the others get this id."""
    return derived("category", category, klass)


def code_for(sourced_id: str) -> str:
    """A course or class code when the package gives none: the sourcedId when it fits."""
    if len(sourced_id) <= CODE_LIMIT:
        return sourced_id
    return "OR-" + hashlib.sha256(sourced_id.encode()).hexdigest()[:12]
