import hashlib
from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


def _sha256_hex(text: str | None) -> str | None:
    if text is None:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    # SQLite has no hash function; the audit chain trigger calls this one. PostgreSQL uses
    # its built-in sha256().
    if connection.vendor == "sqlite":
        connection.connection.create_function("homeroom_sha256", 1, _sha256_hex, deterministic=True)


class AuditConfig(AppConfig):
    name = "homeroom.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="homeroom_audit_sqlite")
