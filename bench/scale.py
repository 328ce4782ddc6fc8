"""One and two uvicorn workers side by side on PostgreSQL (issue 20): the same loads, and where the CPU went.

On a machine of two cores, the app's workers, PostgreSQL and wrk share those two cores: the ratio of two workers
to one is bounded by what the second worker finds free. So each load also reports the CPU that each party used
during it (from /proc, in cores: CPU seconds over wall seconds), which says plainly what limits the ratio."""
from __future__ import annotations

import asyncio
import os
import resource
import time
from collections import Counter
from pathlib import Path

import asyncpg

from bench import staff
from bench.common import free_port, row, start, wrk

WORKERS = (1, 2)
FLOOR = 1.6
TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


class CpuMeter:
    """CPU used by the app (its processes), PostgreSQL (its backends, seen on this machine) and wrk (our children,
    once waited for) between start() and stop(), in cores."""

    def __init__(self, app_pid: int) -> None:
        self.app = [app_pid, *_children(app_pid)]

    def _sample(self) -> tuple[float, float, float, float]:
        own = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (time.perf_counter(), sum(map(_cpu_seconds, self.app)),
                sum(map(_cpu_seconds, _postgres_pids())), own.ru_utime + own.ru_stime)

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        wall = after[0] - self.before[0]
        app, pg, load = (round((a - b) / wall, 2) for a, b in zip(after[1:], self.before[1:]))
        # the app's own processes are among our children too once they end; they are still running here
        return {"app": app, "postgres": pg, "wrk": load}


async def _waits(dsn: str, stop: asyncio.Event) -> Counter:
    """What the database's busy sessions wait for, sampled every 20 ms: `CPU:running` when they wait for
    nothing, `Lock:transactionid` for a row another transaction holds, `IO:WALSync` for a commit's flush..."""
    conn = await asyncpg.connect(dsn)
    seen: Counter = Counter()
    try:
        while not stop.is_set():
            for r in await conn.fetch(
                    "SELECT coalesce(wait_event_type, 'CPU') AS t, coalesce(wait_event, 'running') AS e "
                    "FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                    "AND pid <> pg_backend_pid()"):
                seen[f"{r['t']}:{r['e']}"] += 1
            await asyncio.sleep(0.02)
    finally:
        await conn.close()
    return seen


async def _quiet(dsn: str) -> None:
    """Waits until the database has no active session left: requests that wrk gave up on still run on the server,
    and would be counted in the next load."""
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(300):
            if not await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND state = 'active' AND pid <> pg_backend_pid()"):
                return
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


async def measured(meter: CpuMeter, dsn: str, load) -> tuple[tuple[float, float], dict]:
    """(rate, p99) of `load` (wrk, in a thread), with the CPU each party used and the database's waits."""
    await _quiet(dsn)
    stop = asyncio.Event()
    sampler = asyncio.create_task(_waits(dsn, stop))
    meter.start()
    result = await asyncio.to_thread(load)
    cpu = meter.stop()
    stop.set()
    waits = await sampler
    total = sum(waits.values()) or 1
    return result, {**cpu, "waits": [(name, n / total) for name, n in waits.most_common(3)]}


def _sockets(pid: int) -> int:
    try:
        return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))
    except OSError:
        return 0


def _workers(pid: int) -> list[int]:
    """uvicorn's worker processes (not multiprocessing's resource tracker beside them)."""
    out = []
    for child in _children(pid):
        try:
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                out.append(child)
        except OSError:
            pass
    return out or [pid]


def _cpu_line(name: str, cpu: dict) -> str:
    parts = f"app {cpu['app']:.2f} + postgres {cpu['postgres']:.2f} + wrk {cpu['wrk']:.2f}"
    waits = ", ".join(f"{w} {share:.0%}" for w, share in cpu["waits"])
    return f"{name:<34} {parts} = {cpu['app'] + cpu['postgres'] + cpu['wrk']:.2f} of {CORES} cores; " \
           f"database sessions: {waits or 'none active'}"


def _verdict(name: str, ratio: float, cpu: dict, cpu_one: dict) -> str:
    busy = (cpu["app"] + cpu["postgres"] + cpu["wrk"]) / CORES
    # One worker's load already used this much of the machine: two cannot do more than the rest allows.
    ceiling = CORES / max(cpu_one["app"] + cpu_one["postgres"] + cpu_one["wrk"], 0.01)
    if ratio >= FLOOR:
        return f"{name}: 2 workers give {ratio:.2f}x one worker (floor {FLOOR}x): reached"
    top, share = cpu["waits"][0] if cpu["waits"] else ("", 0.0)
    if busy >= 0.85:
        why = (f"CPU: the {CORES} cores are {busy:.0%} busy with 2 workers (app, PostgreSQL and wrk share them); "
               f"one worker's load already took {CORES / ceiling:.2f} cores, so two can reach at most "
               f"{ceiling:.2f}x here: the second worker has no core of its own on this machine")
    elif top and not top.startswith("CPU"):
        why = f"the database: its busy sessions mostly wait on {top} ({share:.0%} of samples), not on CPU ({busy:.0%})"
    else:
        why = f"neither CPU ({busy:.0%} busy) nor a database wait stands out"
    return f"{name}: 2 workers give {ratio:.2f}x one worker, below {FLOOR}x; what limits it: {why}"


async def figures(env: dict, post_env: dict, list_env: dict) -> list[str]:
    dsn = env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    seen: dict[int, dict] = {}
    for workers in WORKERS:
        port = free_port()
        app = start("backend.app:create_app", port, env, workers=workers)
        try:
            await asyncio.sleep(2 if workers > 1 else 0)  # every worker up, not only the first to answer
            base = f"http://127.0.0.1:{port}"
            meter = CpuMeter(app.pid)
            cookie = await staff.session_cookie(base)
            create, create_cpu = await measured(meter, dsn, lambda: wrk(f"{base}/api/v1/requests", "post.lua", post_env))
            listing, list_cpu = await measured(
                meter, dsn, lambda: wrk(base, "list.lua", {**list_env, "BENCH_PATH": "/api/v1/requests"}))
            queue, queue_cpu = await measured(meter, dsn, lambda: wrk(base, "staff.lua", {"BENCH_COOKIE": cookie}))
            spread: list[int] = []
            before = {pid: _sockets(pid) for pid in _workers(app.pid)}
            live = await staff.live_screens(base, cookie, staff.SSE_CLIENTS,
                                            on_connected=lambda: spread.extend(_sockets(p) - n for p, n in before.items()))
        finally:
            app.terminate()
            app.wait()
        seen[workers] = {"create": create, "create_cpu": create_cpu, "list": listing, "list_cpu": list_cpu,
                         "queue": queue, "queue_cpu": queue_cpu, "live": live, "spread": spread}
    one, two = seen[1], seen[2]
    floor = f">= {FLOOR}x"
    lines = [
        f"\npostgres, 1 and 2 uvicorn workers on {CORES} cores (app, PostgreSQL and wrk share them)",
        row("creations/s, 2 workers", two["create"][0], "/s", one["create"][0], "creations/s, 1 worker", floor),
        row("public bbox list/s, 2 workers", two["list"][0], "/s", one["list"][0], "public bbox list/s, 1 worker", floor),
        row("staff queue/s, 2 workers", two["queue"][0], "/s", one["queue"][0], "staff queue/s, 1 worker", ""),
        row("staff queue p99, 2 workers", two["queue"][1], "ms", one["queue"][1], "staff queue p99, 1 worker", ""),
        row(f"{staff.SSE_CLIENTS} screens, 2 workers", two["live"] * 1000, "ms", one["live"] * 1000,
            f"{staff.SSE_CLIENTS} screens, 1 worker ms", "< 1000 ms"),
        f"{'live screens on each worker':<34} {' + '.join(map(str, two['spread']))} (the event reached all of them)",
    ]
    for name, key in (("creation", "create_cpu"), ("bbox list", "list_cpu"), ("staff queue", "queue_cpu")):
        for n in WORKERS:
            lines.append(_cpu_line(f"{name}, {n} worker{'s' if n > 1 else ''}", seen[n][key]))
    for name, key in (("creation", "create"), ("bbox list", "list")):
        lines.append(_verdict(name, two[key][0] / one[key][0], two[f"{key}_cpu"], one[f"{key}_cpu"]))
    return lines
