"""Migration operations whose SQL differs between SQLite and PostgreSQL.

Triggers hold invariants that a CHECK constraint cannot (a rule across two rows, an
append-only table), so they are created by migrations on both databases.
"""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState


class VendorRunSQL(migrations.RunSQL):
    """RunSQL with one statement list per database vendor ("sqlite", "postgresql")."""

    def __init__(
        self,
        *,
        sqlite: list[str],
        postgresql: list[str],
        reverse_sqlite: list[str] | None = None,
        reverse_postgresql: list[str] | None = None,
    ) -> None:
        self.by_vendor = {"sqlite": sqlite, "postgresql": postgresql}
        self.reverse_by_vendor = {
            "sqlite": reverse_sqlite or [],
            "postgresql": reverse_postgresql or [],
        }
        super().__init__(sql=[], reverse_sql=[])

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {
                "sqlite": self.by_vendor["sqlite"],
                "postgresql": self.by_vendor["postgresql"],
                "reverse_sqlite": self.reverse_by_vendor["sqlite"],
                "reverse_postgresql": self.reverse_by_vendor["postgresql"],
            },
        )

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        for statement in self.by_vendor[schema_editor.connection.vendor]:
            schema_editor.execute(statement, params=None)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        for statement in self.reverse_by_vendor[schema_editor.connection.vendor]:
            schema_editor.execute(statement, params=None)

    @property
    def reversible(self) -> bool:  # type: ignore[override]
        return True

    def describe(self) -> str:
        return "Vendor-specific SQL (triggers)"
