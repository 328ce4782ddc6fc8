"""make fuzz: schemathesis over the OpenAPI document of a seeded server, as anyone and as the municipal secretary
(a staff token with every scope); no answer may be a server error. Run by `make bench` too.

The server runs from the project's venv, schemathesis from a venv of its own (.venv-fuzz): its pytest plugin
must not load into the test suite.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from backend.accounts.totp import code_at

ROOT = Path(__file__).resolve().parents[1]
ST = ROOT / ".venv-fuzz" / "bin" / "st"
SECRETARY = ("secretaire@brenles.example", "Brenles-secretaire-26")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _staff_token(base: str, secret: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as http:
        csrf = http.get("/api/v1/session").json()["csrf_token"]
        r = http.post("/api/v1/auth/login", headers={"X-CSRF-Token": csrf}, json={
            "email": SECRETARY[0], "password": SECRETARY[1], "totp": code_at(secret, time.time())})
        r.raise_for_status()
        r = http.post("/api/v1/me/tokens", headers={"X-CSRF-Token": r.json()["csrf_token"]},
                      json={"name": "fuzz", "scopes": ["read", "write", "staff"], "expires_in_days": 1})
        r.raise_for_status()
        return r.json()["token"]


def _run(base: str, who: str, headers: list[str]) -> int:
    """One schemathesis run; the number of server errors it found (its own internal faults are not ours)."""
    command = [str(ST), "run", f"{base}/api/openapi.json", "--checks", "not_a_server_error", "--max-examples",
               os.environ.get("FUZZ_EXAMPLES", "15"), "--workers", "2", "--seed", "1", *headers]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tempfile.gettempdir())
    summary = [line for line in done.stdout.splitlines() if "generated" in line and "passed" in line]
    failures = re.findall(r"(\d+) failed", "\n".join(summary))
    found = int(failures[0]) if failures else 0
    print(f"schemathesis as {who}: {summary[-1].strip() if summary else done.stdout[-400:]}", flush=True)
    if found:
        print(done.stdout[-6000:])
    return found


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="guichet-fuzz-"))
    port = _free_port()
    env = {**os.environ, "DATA_DIR": str(work / "data"), "MEDIA_ROOT": str(work / "media"), "HOST": "127.0.0.1",
           "PORT": str(port), "DATABASE_URL": "", "CREATE_PER_HOUR_IP": "100000000", "PHOTOS_PER_HOUR": "100000000",
           "REGISTER_PER_HOUR_IP": "100000000", "LOGIN_MAX_FAILURES_IP": "100000000"}
    for command in ("migrate", "seed-demo"):
        done = subprocess.run([sys.executable, "-m", "backend", command], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True)
    secrets = {p[1]: p[3] for p in (line.split() for line in done.stdout.splitlines()) if len(p) == 4}
    log = open(work / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env=env, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        found = _run(base, "anyone", [])
        found += _run(base, "the secretary", ["-H", f"Authorization: Bearer {_staff_token(base, secrets[SECRETARY[0]])}"])
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
    traces = (work / "server.log").read_text(errors="replace").count("Traceback")
    print(f"server errors: {found}; tracebacks in the server's log: {traces}")
    return 1 if found or traces else 0


if __name__ == "__main__":
    sys.exit(main())
