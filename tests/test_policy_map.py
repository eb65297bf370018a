"""docs/policy-map.md names only code and tests that exist (issue 12): every reference in
backticks is a module, class, function or field of the project (`access.policy.portal_students`),
a test file or test (`tests/portal/test_cross_family.py::test_…`, or `::test_…` after a file),
a management command (`manage.py eligible_student_notice`), a setting (`HOMEROOM_…`) or a file
under homeroom/ (`audit/migrations/0002`). A map that cites something gone fails here."""

import ast
import importlib
import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "docs" / "policy-map.md"
APPS = {p.name for p in (ROOT / "homeroom").iterdir() if (p / "__init__.py").exists()}


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def _object_exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module("homeroom." + ".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def _problems(references: list[str]) -> list[str]:
    problems = []
    last_file: Path | None = None
    for ref in references:
        if ref.startswith("tests/"):
            file_part, _, test = ref.partition("::")
            path = ROOT / file_part
            if not path.exists():
                problems.append(f"{ref}: no such file or folder")
                continue
            if path.is_file():
                last_file = path
                if test and test not in _test_names(path):
                    problems.append(f"{ref}: no such test")
        elif ref.startswith("::"):
            if last_file is None or ref[2:] not in _test_names(last_file):
                problems.append(f"{ref}: no such test in {last_file}")
        elif ref.startswith("manage.py "):
            if ref.split()[1] not in get_commands():
                problems.append(f"{ref}: no such command")
        elif ref.startswith("HOMEROOM_"):
            if not hasattr(settings, ref):
                problems.append(f"{ref}: no such setting")
        elif "/" in ref:
            if not list((ROOT / "homeroom").glob(ref + "*")):
                problems.append(f"{ref}: no such file under homeroom/")
        elif ref.split(".")[0] in APPS:
            if not _object_exists(ref):
                problems.append(f"{ref}: no such module, class, function or field")
        else:
            problems.append(f"{ref}: not a reference this test can check")
    return problems


def test_every_reference_in_the_policy_map_exists():
    references = re.findall(r"`([^`]+)`", MAP.read_text())
    assert len(references) > 50
    assert _problems(references) == []


def test_the_checker_catches_what_is_gone():
    assert _problems(
        [
            "access.policy.no_such_function",
            "tests/portal/test_cross_family.py::test_that_was_removed",
            "manage.py no_such_command",
            "HOMEROOM_NO_SUCH_SETTING",
            "require_GET",
        ]
    ) == [
        "access.policy.no_such_function: no such module, class, function or field",
        "tests/portal/test_cross_family.py::test_that_was_removed: no such test",
        "manage.py no_such_command: no such command",
        "HOMEROOM_NO_SUCH_SETTING: no such setting",
        "require_GET: not a reference this test can check",
    ]
