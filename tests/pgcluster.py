"""A PostgreSQL server of the test's own (initdb in a temporary folder, on a port of its own), that a test may
stop and start for real: the machine's shared server is never touched."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.tcpproxy import _port_outside_the_ephemeral_range


def binaries() -> Path | None:
    """The newest installed server's bin folder (Debian's layout), or None when there is no server here."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self) -> None:
        self.bin = binaries()
        assert self.bin is not None
        self.home = Path(tempfile.mkdtemp(prefix="guichet-pg-"))
        self.home.chmod(0o755)
        self.data = self.home / "data"
        self.port = _port_outside_the_ephemeral_range()  # see tcpproxy: no self-connection while it is down
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        # The server refuses to run as root: as root, it runs as the postgres account.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{args[0]}: {done.stdout}\n{done.stderr}"

    def init(self) -> "Cluster":
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.home / "log"),
                  "-w", "start")

    def stop(self) -> None:
        """As an operator's restart does: sessions told to end, the server down until started again."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except AssertionError:
            pass  # already stopped
        shutil.rmtree(self.home, ignore_errors=True)
