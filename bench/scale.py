"""One and two uvicorn workers side by side on PostgreSQL (issue 20): the same loads, and where the CPU went.

On a machine of two cores, the app's workers, PostgreSQL and wrk share those two cores: the ratio of two workers
to one is bounded by what the second worker finds free. So each load also reports the CPU that each party used
during it (from /proc, in cores: CPU seconds over wall seconds), which says plainly what limits the ratio."""
from __future__ import annotations

import asyncio
import os
import resource
import time
from pathlib import Path

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


def measured(meter: CpuMeter, load) -> tuple[tuple[float, float], dict[str, float]]:
    meter.start()
    result = load()
    return result, meter.stop()


def _sockets(pid: int) -> int:
    try:
        return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))
    except OSError:
        return 0


async def figures(env: dict, post_env: dict, list_env: dict) -> list[str]:
    seen: dict[int, dict] = {}
    for workers in WORKERS:
        port = free_port()
        app = start("backend.app:create_app", port, env, workers=workers)
        try:
            await asyncio.sleep(2 if workers > 1 else 0)  # every worker up, not only the first to answer
            base = f"http://127.0.0.1:{port}"
            meter = CpuMeter(app.pid)
            cookie = await staff.session_cookie(base)
            create, create_cpu = measured(meter, lambda: wrk(f"{base}/api/v1/requests", "post.lua", post_env))
            listing, list_cpu = measured(meter, lambda: wrk(base, "list.lua", {**list_env, "BENCH_PATH": "/api/v1/requests"}))
            queue, _ = measured(meter, lambda: wrk(base, "staff.lua", {"BENCH_COOKIE": cookie}))
            spread: list[int] = []
            before = {pid: _sockets(pid) for pid in meter.app[1:] or meter.app}
            live = await staff.live_screens(base, cookie, staff.SSE_CLIENTS,
                                            on_connected=lambda: spread.extend(_sockets(p) - n for p, n in before.items()))
        finally:
            app.terminate()
            app.wait()
        seen[workers] = {"create": create, "create_cpu": create_cpu, "list": listing, "list_cpu": list_cpu,
                         "queue": queue, "live": live, "spread": spread}
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
        f"{'live screens per worker (2 workers)':<34} {' + '.join(map(str, two['spread']))}",
    ]
    for name, key in (("creation", "create_cpu"), ("bbox list", "list_cpu")):
        for n in WORKERS:
            cpu = seen[n][key]
            lines.append(f"{f'CPU during {name}, {n} worker(s)':<34} app {cpu['app']:.2f} + postgres {cpu['postgres']:.2f}"
                         f" + wrk {cpu['wrk']:.2f} = {sum(cpu.values()):.2f} of {CORES} cores")
    for name, key in (("creation", "create"), ("bbox list", "list")):
        ratio = two[key][0] / one[key][0]
        busy = sum(two[f"{key}_cpu"].values())
        if ratio < FLOOR:
            lines.append(f"{name}: 2 workers give {ratio:.2f}x, below {FLOOR}x: with 2 workers the {CORES} cores are "
                         f"{busy / CORES:.0%} busy (app + PostgreSQL + wrk on the same cores): what limits it is CPU, "
                         f"the second worker has no core of its own on this machine")
    return lines
