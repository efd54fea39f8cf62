"""A private, throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on 127.0.0.1.

Neither CI nor a fresh machine needs a running PostgreSQL service: the binaries are enough.
initdb refuses to run as root, so as root the cluster runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path:
    """The PostgreSQL binaries: UN1540_PG_BINDIR, else the newest Debian install, else PATH."""
    configured = os.environ.get("UN1540_PG_BINDIR")
    candidates = [configured] if configured else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise RuntimeError(
        "PostgreSQL binaries not found (looked in UN1540_PG_BINDIR, /usr/lib/postgresql/*/bin "
        "and PATH); `make test` installs them with the Debian package postgresql-15"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class TemporaryCluster:
    """Start with start(), read .url, finish with stop() (which deletes everything)."""

    def __init__(self, *, durable: bool = False) -> None:
        # Durable: fsync and synchronous commits on, as in production (the benchmarks use it);
        # the tests' throwaway cluster turns them off, which makes them faster.
        self.durable = durable
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="un1540-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, user="postgres", group="postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        # Durability is pointless for a throwaway cluster; these settings make tests faster.
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database, empty or a copy of `template` (a database nobody is connected to):
        the tests copy a migrated one instead of migrating each (tests/conftest.py)."""
        copy = ["-T", template, "-S", "FILE_COPY"] if template else []
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *copy, name
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def cpu_seconds(self) -> float:
        """The CPU (user+sys) the cluster has used so far: the postmaster and its children that
        have ended (the backends of closed connections), from /proc; 0 where that is not read."""
        try:
            pid = (self.data / "postmaster.pid").read_text().split()[0]
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        # utime, stime, cutime, cstime are fields 14 to 17 of stat (11 to 14 after the name).
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
