"""The worker as a real process (`manage.py worker`) against a committed district and the
real SMTP sink: killed with kill -9 in the middle of a district-wide notice, then restarted,
it loses no message and duplicates none (docs/operations.md, "Workers")."""

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from homeroom.audit.services import Actor
from homeroom.notify.models import Message, Notice
from homeroom.notify.notices import Audience
from homeroom.notify.services import notice_send
from tests import personas
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


class SlowSink:
    """A real SMTP server that takes 30 ms per message, so a kill lands mid-send."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.03)
        self.envelopes.append(envelope)
        return "250 OK"


def _worker_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    settings = connection.settings_dict
    env.update(
        HOMEROOM_ENV="test",
        HOMEROOM_SMTP_HOST="127.0.0.1",
        HOMEROOM_SMTP_PORT=str(port),
        HOMEROOM_SMTP_STARTTLS="0",
        HOMEROOM_MAIL_LEASE_SECONDS="5",
        HOMEROOM_MAIL_BATCH="20",
    )
    if connection.vendor == "sqlite":
        env["HOMEROOM_SQLITE_PATH"] = settings["NAME"]
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = (
            f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
            f"{settings['PORT']}/{settings['NAME']}"
        )
    return env


def _start(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2", "--no-schedule"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_mid_notice_loses_and_duplicates_nothing_after_a_restart(
    live_demo, tmp_path
):
    """Every recipient of a district-wide notice ends with exactly one message."""
    sink = SlowSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    log = (tmp_path / "worker.log").open("w")
    try:
        pat = personas.user("pat")
        notice = notice_send(
            actor=Actor(user_id=pat.pk, role="registrar"),
            author=pat,
            audience=Audience("district"),
            category=Notice.Category.NOTICE,
            subject="Snow day",
            body="Every school is closed tomorrow.",
        )
        env = _worker_env(port)
        worker = _start(env, log)
        deadline = time.monotonic() + 60
        while len(sink.envelopes) < 8:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        notice.refresh_from_db()
        total = notice.recipients
        assert total and len(sink.envelopes) < total, "the kill came after the last message"
        stranded = Message.objects.filter(notice=notice, status__in=["claimed", "sending"])
        assert stranded.exists()
        time.sleep(5.5)  # the dead worker's lease runs out
        worker = _start(env, log)
        deadline = time.monotonic() + 120
        while Message.objects.filter(notice=notice).exclude(status="sent").exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    finally:
        controller.stop()
        log.close()
    by_address: dict[str, set[str]] = defaultdict(set)
    envelopes: dict[str, int] = defaultdict(int)
    for envelope in sink.envelopes:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for address in envelope.rcpt_tos:
            by_address[address].add(parsed["Message-ID"])
            envelopes[address] += 1
    expected = set(Message.objects.filter(notice=notice).values_list("address", flat=True))
    assert set(by_address) == expected
    # Exactly one message per recipient. The one mail the relay may have accepted in the
    # instant before the dead worker recorded it is handed over again with the same
    # Message-ID; nothing else is ever sent twice.
    assert all(len(ids) == 1 for ids in by_address.values())
    assert sum(envelopes.values()) - len(expected) <= 1
    assert Message.objects.filter(notice=notice, status="sent").count() == total
