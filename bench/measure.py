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

import pagecache  # bench/, beside this script

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


def timings(requests: list[tuple[str, str | None]], *, cold: bool) -> list[float]:
    """Server times of SAMPLES requests cycling through `requests`: each a family's first
    view of the page (the page cache emptied before it), or a view of a page already in the
    cache (after one pass over them all)."""
    if not cold:
        for path, cookie in requests:
            server_ms(path, cookie)
    times = []
    for i in range(SAMPLES):
        path, cookie = requests[i % len(requests)]
        if cold:
            pagecache.empty()
        times.append(server_ms(path, cookie))
    return times


def main() -> None:
    data = json.loads((RESULTS / "sessions.json").read_text())
    sessions = data["sessions"]
    queries = data["queries"]
    # Server times first, then the load runs: each load run appends thousands of events to
    # the audit log, and PostgreSQL's autovacuum, which then starts, shares this machine's
    # two cores with the server for a while.
    pages = {"minimal": [(data["minimal"], s["cookie"]) for s in sessions]} | {
        page: [(s["pages"][page], s["cookie"]) for s in sessions] for page in PAGES
    }
    times = {
        page: (timings(requests, cold=True), timings(requests, cold=False))
        for page, requests in pages.items()
    }
    # A family's evening: the page cache emptied once, each guardian walks their five pages
    # in order (the overview first), so the first view of each page is timed as families
    # meet it; then the same walks again.
    mixed = [(s["pages"][p], s["cookie"]) for s in sessions for p in PAGES]
    pagecache.empty()
    walk_first = [server_ms(path, cookie) for path, cookie in mixed]
    walk_again = [server_ms(path, cookie) for path, cookie in mixed]
    # Under load, with the page cache as the timings left it (families going back and forth
    # between their pages; first views are the first column).
    throughput = {
        page: wrk(lua_for(requests, RESULTS / f"{page}.lua")) for page, requests in pages.items()
    }
    mixed_rps = wrk(lua_for(mixed, RESULTS / "mixed.lua"))
    minimal_rps = throughput["minimal"]
    rows = [
        (
            "minimal page (same stack, no queries of its own)"
            if page == "minimal"
            else f"guardian {page}",
            *times[page],
            throughput[page],
            page,
        )
        for page in pages
    ]

    lines = [
        "| page | first view p50 / p95 ms | cached p50 / p95 ms | req/s (cached) "
        "| share of minimal | queries first / cached |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, cold, warm, rps, key in rows:
        lines.append(
            f"| {name} | {statistics.median(cold):.1f} / {percentile(cold, 95):.1f} "
            f"| {statistics.median(warm):.1f} / {percentile(warm, 95):.1f} "
            f"| {rps:,.0f} | {rps / minimal_rps:.0%} "
            f"| {queries['cold'][key]} / {queries['warm'][key]} |"
        )
    lines.append(
        f"| guardians moving through all five pages | "
        f"{statistics.median(walk_first):.1f} / {percentile(walk_first, 95):.1f} | "
        f"{statistics.median(walk_again):.1f} / {percentile(walk_again, 95):.1f} | "
        f"{mixed_rps:,.0f} | {mixed_rps / minimal_rps:.0%} | – |"
    )
    table = "\n".join(lines)
    (RESULTS / "latest.md").write_text(table + "\n")
    print(table)
    # The target (issue 8): at least a third of the minimal page's throughput and a p95
    # under 50 ms, for each page as families use it (cached), for the families' walk from an
    # empty cache, and for each page's first view.
    failed = [
        name
        for name, _cold, warm, rps, _key in rows[1:]
        if percentile(warm, 95) >= 50 or rps < minimal_rps / 3
    ]
    if percentile(walk_first, 95) >= 50 or mixed_rps < minimal_rps / 3:
        failed.append("guardians moving through all five pages")
    failed += [
        f"{name} (first view)" for name, cold, *_rest in rows[1:] if percentile(cold, 95) >= 50
    ]
    if failed:
        print(f"\nBELOW TARGET: {', '.join(failed)}", file=sys.stderr)
    else:
        print("\nevery page within the target", file=sys.stderr)


if __name__ == "__main__":
    main()
