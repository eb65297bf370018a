"""How an audit event's hashes are computed, in one place for writers and the verifier.

    personal_hash = sha256(canonical(address, changes, detail))
    content_hash  = sha256(canonical(every other recorded field) + personal_hash)
    chain_hash    = sha256(previous chain_hash + content_hash)          (by the trigger)

Redaction blanks the personal fields but keeps `personal_hash`, so the chain still verifies.
"""

import datetime
import hashlib
import json
from typing import Any

GENESIS = ""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def personal_hash(*, address: str | None, changes: dict, detail: dict) -> str:
    return _sha256(_canonical({"address": address, "changes": changes, "detail": detail}))


def content_hash(
    *,
    occurred_at: datetime.datetime,
    action: str,
    actor_id: int | None,
    actor_role: str,
    student_id: int | None,
    module: str,
    object_type: str,
    object_id: str,
    request_id: str,
    personal: str,
) -> str:
    fields = {
        "occurred_at": occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "action": action,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "student_id": student_id,
        "module": module,
        "object_type": object_type,
        "object_id": object_id,
        "request_id": request_id,
    }
    return _sha256(_canonical(fields) + personal)


def link(previous_chain_hash: str | None, content: str) -> str:
    return _sha256((previous_chain_hash or GENESIS) + content)
