"""Measures the running server: server time per page (p50, p95, from the Server-Timing
header the application adds), throughput under concurrent load with wrk, and prints the
table. Reads bench/results/sessions.json written by prepare.py."""

import json
import os
import re
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

BASE = os.environ.get("BENCH_URL", "http://127.0.0.1:8765")
RESULTS = Path(os.environ.get("BENCH_RESULTS", "bench/results"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "300"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")
PAGES = ["home", "attendance", "schedule", "grades", "course"]


def server_ms(path: str, cookie: str | None) -> float:
    request = urllib.request.Request(  # noqa: S310 (loopback http only)
        BASE + path, headers={"Cookie": cookie} if cookie else {}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        timing = response.headers.get("Server-Timing", "")
        response.read()
    match = re.search(r"dur=([0-9.]+)", timing)
    if not match:
        raise SystemExit("no Server-Timing header: start the server with HOMEROOM_SERVER_TIMING=1")
    return float(match.group(1))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def wrk(lua: Path) -> float:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "-s", str(lua), BASE + "/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} failed responses:\n{output}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]


def lua_for(requests: list[tuple[str, str | None]], path: Path) -> Path:
    """A wrk script that cycles through (path, cookie) pairs, one per request."""
    entries = ",\n".join(
        f"{{{json.dumps(p)}, {json.dumps(c) if c else 'nil'}}}" for p, c in requests
    )
    path.write_text(
        "local requests = {\n" + entries + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        "  local r = requests[i]\n"
        "  local headers = {}\n"
        "  if r[2] then headers['Cookie'] = r[2] end\n"
        "  return wrk.format('GET', r[1], headers)\n"
        "end\n"
    )
    return path


def main() -> None:
    data = json.loads((RESULTS / "sessions.json").read_text())
    sessions = data["sessions"]
    cookie0 = sessions[0]["cookie"]
    rows = []
    minimal_times = [server_ms(data["minimal"], cookie0) for _ in range(SAMPLES)]
    minimal_rps = wrk(
        lua_for([(data["minimal"], s["cookie"]) for s in sessions], RESULTS / "minimal.lua")
    )
    rows.append(
        (
            "minimal page (same stack, no queries)",
            minimal_times,
            minimal_rps,
            data["queries"]["minimal"],
        )
    )
    for page in PAGES:
        times = [
            server_ms(
                sessions[i % len(sessions)]["pages"][page], sessions[i % len(sessions)]["cookie"]
            )
            for i in range(SAMPLES)
        ]
        rps = wrk(
            lua_for([(s["pages"][page], s["cookie"]) for s in sessions], RESULTS / f"{page}.lua")
        )
        rows.append((f"guardian {page}", times, rps, data["queries"][page]))
    mixed = [(s["pages"][p], s["cookie"]) for s in sessions for p in PAGES]
    mixed_rps = wrk(lua_for(mixed, RESULTS / "mixed.lua"))

    lines = [
        "| page | p50 ms | p95 ms | req/s | share of minimal | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, times, rps, queries in rows:
        lines.append(
            f"| {name} | {statistics.median(times):.1f} | {percentile(times, 95):.1f} | "
            f"{rps:,.0f} | {rps / minimal_rps:.0%} | {queries} |"
        )
    lines.append(
        f"| guardians moving through all five pages | – | – | {mixed_rps:,.0f} | "
        f"{mixed_rps / minimal_rps:.0%} | – |"
    )
    table = "\n".join(lines)
    (RESULTS / "latest.md").write_text(table + "\n")
    print(table)
    failed = [
        name
        for name, times, rps, _ in rows[1:]
        if percentile(times, 95) >= 50 or rps < minimal_rps / 3
    ]
    if failed:
        print(
            f"\nBELOW TARGET (p95 < 50 ms and at least a third of the minimal page's "
            f"throughput): {', '.join(failed)}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
