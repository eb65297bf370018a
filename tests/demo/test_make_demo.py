"""The README's first command, from the outside: `make demo` migrates a fresh SQLite file,
seeds the demo district, and serves the portal on the port it is given."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return response.status, response.read().decode()


def test_make_demo_seeds_an_empty_database_and_serves_the_portal_on_its_port(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOMEROOM_", "DJANGO_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [
            "make",
            "demo",
            f"PORT={port}",
            f"DEMO_DB={tmp_path / 'demo.sqlite3'}",
            "DEMO_STUDENTS=60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/accounts/sign-in/")
                break
            except OSError:
                assert demo.poll() is None, (tmp_path / "demo.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "demo.log").read_text()
                time.sleep(0.5)
        assert status == 200
        assert 'name="username"' in body
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        printed = (tmp_path / "demo.log").read_text()
        # The persona sign-ins are printed, with the demo password.
        assert "maria" in printed and "homeroom-demo-2026" in printed
        # A task worker runs beside the server (it prints its host and process id).
        deadline = time.monotonic() + 30
        while "waiting for tasks" not in (tmp_path / "demo.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "demo.log").read_text()
            time.sleep(0.2)
        line = next(
            row
            for row in (tmp_path / "demo.log").read_text().splitlines()
            if "waiting for tasks" in row
        )
        worker = int(line.split(":")[1])
        # Stopping the demo's script (a signal to it alone, not to its process group) stops
        # the server and the worker with it.
        script = int(Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()[1])
        os.kill(script, signal.SIGTERM)
        demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(timeout=30)
        log.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "the worker outlived the demo"
        time.sleep(0.2)
