"""What every part of the bench shares: free ports, the app under uvicorn, wrk, a figure beside its baseline."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = 16
HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app: str, port: int, env: dict, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "--timeout-graceful-shutdown", "5", "--workers", str(workers),
                             *(["--factory"] if "create_app" in app else [])],
                            env={**os.environ, **env})
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, script: str, env: dict, seconds: float = SECONDS, connections: int = CONCURRENCY) -> tuple[float, float]:
    """Load from a second process, in C, so the load generator does not eat the server's CPU; (per second, p99 ms)."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(HERE / script), url],
                         env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def row(name: str, value: float, unit: str, base: float, base_name: str, floor: str) -> str:
    return f"{name:<34} {value:>9.1f} {unit:<6} {base_name:<34} {base:>9.1f}  ratio {value / base:>6.3f}  {floor}"
