"""The served site in a private folder, for the load benchmark (bench/load.py) and the fault suite (tests/faults/).

`Stack("serve", ...)` runs scripts/serve.sh as an administrator would (its own PostgreSQL cluster under
the folder, Redis, `navigator index-follow`, gunicorn behind nginx); `Stack("run", ...)` runs the one-process
`navigator run` on SQLite. Every port is free and chosen here, so several stacks can run side by side.
The fault suite also reaches into the running stack: its processes, its database, Redis and logs (on the
Unix sockets serve.sh gives them, as root or as the user running it — whom serve.sh lets in).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
NAVIGATOR = str(ROOT / ".venv/bin/navigator")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """The served site: scripts/serve.sh (PostgreSQL, Redis, follower, gunicorn) or `navigator run`."""

    def __init__(self, kind: str, folder: Path, data: Path, workers: int, **settings: str):
        self.kind, self.folder, self.data, self.workers = kind, Path(folder), Path(data), workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_path = self.folder / f"{kind}.log"
        self.env = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1", INSTANCE_DIR=str(self.folder / "instance"),
                        DATA_FILE=str(data), PGPORT=str(free_port()),
                        # The load generator and the fault suite's visitors are one address: nginx's per-address
                        # limits (50 requests a second by default) would stop them, not measure the site.
                        NGINX_RATE="100000", NGINX_BURST="100000", NGINX_CONNECTIONS="10000")
        for name in [name for name in self.env if name.startswith("NAVIGATOR_")]:
            self.env.pop(name)  # the shell's settings do not leak in; pass them as **settings
        # BASE_URL: the site's own address, as an administrator sets it (make serve requires it). The keys are
        # given, so that they are neither read from nor created in the developer's instance/ folder.
        self.env.update(NAVIGATOR_WORKERS=str(workers), NAVIGATOR_INDEX_DIR=str(self.folder / "index"),
                        NAVIGATOR_MODERATION="false", NAVIGATOR_SECRET_KEY="bench-load", NAVIGATOR_BASE_URL=self.base,
                        NAVIGATOR_ENROLLMENT_KEY=Fernet.generate_key().decode())
        self.env.update({f"NAVIGATOR_{name}": value for name, value in settings.items()})
        if kind == "run":
            self.env["NAVIGATOR_DATABASE_URL"] = f"sqlite:///{self.folder / 'navigator.db'}"

    # -- starting and stopping -------------------------------------------------------------------------

    def navigator(self, *args: str) -> str:
        """Run a `navigator` command beside the stack (on its database and index); its output."""
        result = subprocess.run([NAVIGATOR, *args], env=self.database_env(), capture_output=True, text=True,
                                cwd=ROOT)
        if result.returncode:
            raise RuntimeError(f"navigator {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.kind == "serve":
            command = [str(ROOT / "scripts/serve.sh")]
        else:
            for args in (["init-db"], ["import", "--skip-if-imported", str(self.data)], ["index-follow", "--once"]):
                self.navigator(*args)
            command = [NAVIGATOR, "run", "--host", "127.0.0.1", "--port", str(self.port), "--with-threads"]
        with open(self.log_path, "w") as log:  # the stack's processes keep their own copy of the descriptor
            self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_ready(self, seconds: float = 1800) -> None:
        """Wait until /readyz answers 200 (or fail, showing the end of the stack's log)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack stopped while starting:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the stack was not ready within {seconds:.0f} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- what runs inside ------------------------------------------------------------------------------

    def database_url(self) -> str:
        if self.kind == "run":
            return self.env["NAVIGATOR_DATABASE_URL"]
        return f"postgresql+psycopg://navigator@/navigator?host={self.pgdata}&port={self.pg_port}"

    def database_env(self) -> dict[str, str]:
        """The settings the running stack uses, for CLI commands beside it."""
        env = dict(self.env, NAVIGATOR_DATABASE_URL=self.database_url())
        if self.kind == "serve":
            env["NAVIGATOR_INDEX_FOLLOWER"] = "external"
            env["NAVIGATOR_RATELIMIT_STORAGE_URI"] = f"redis+unix://{self.redis_socket}"
        return env

    def processes(self, needle: str) -> list[int]:
        """Processes of this stack whose command line contains needle."""
        return [pid for pid in _pids() if needle in _cmdline(pid) and _belongs_to(pid, self.process.pid)]

    def worker_pids(self) -> list[int]:
        """The processes that answer requests: gunicorn's workers (children of its master), or `navigator run`."""
        if self.kind == "run":
            return [self.process.pid]
        ours = self.processes("gunicorn")
        return [pid for pid in ours if _parent(pid) in ours]

    def follower_pids(self) -> list[int]:
        """The long-running `navigator index-follow` (not a shell around it, not an --once)."""
        return [pid for pid in self.processes("navigator index-follow") if "--once" not in _cmdline(pid)
                and "serve.sh" not in _cmdline(pid)]

    def cpu_seconds_by_part(self) -> dict[str, float]:
        """CPU seconds used so far by each part of the stack (for where a benchmark's time goes).

        Each process counts with its finished children (PostgreSQL's closed connections end up in the
        postmaster's), so the difference of two readings is the CPU spent between them.
        """
        workers = set(self.worker_pids())
        parts: dict[str, float] = {}
        postmaster = _first_line_pid(self.pgdata / "postmaster.pid")
        redis = _first_line_pid(self.redis_dir / "redis.pid")
        for pid in _pids():
            if pid in workers:
                part = "web workers"
            elif postmaster and _belongs_to(pid, postmaster):
                part = "PostgreSQL"
            elif redis and pid == redis:
                part = "Redis"
            elif self.process and _belongs_to(pid, self.process.pid):
                command = _cmdline(pid)
                part = ("index follower" if "index-follow" in command else "nginx" if command.startswith("nginx")
                        else "gunicorn master and shell")
            else:
                continue
            parts[part] = parts.get(part, 0.0) + _cpu_seconds(pid)
        return parts

    # -- PostgreSQL and Redis of a "serve" stack ---------------------------------------------------------

    @property
    def pgdata(self) -> Path:
        return self.folder / "instance" / "postgres"

    @property
    def pg_port(self) -> str:
        """The cluster's port (its socket's name) as serve.sh last wrote it; a kept folder's cluster keeps the
        port of the run that made it until serve.sh runs there again."""
        found = re.search(r"^port = (\d+)$", _read(self.pgdata / "navigator.conf"), re.M)
        return found.group(1) if found else self.env["PGPORT"]

    def pg_ctl(self, *args: str) -> None:
        """pg_ctl on the stack's cluster (its settings are in the cluster's navigator.conf, which serve.sh writes)."""
        binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))[-1]
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_user, str(binary), "-D", str(self.pgdata), "-l", str(self.pgdata / "server.log"),
                        "-w", *args], check=True, capture_output=True, timeout=120)

    @property
    def redis_dir(self) -> Path:
        return self.folder / "instance" / "redis"

    @property
    def redis_socket(self) -> Path:
        return self.redis_dir / "redis.sock"

    def redis_cli(self, *args: str) -> str:
        result = subprocess.run(["redis-cli", "-s", str(self.redis_socket), *args], capture_output=True, text=True,
                                timeout=30)
        return result.stdout.strip()

    def start_redis(self) -> None:
        """Start Redis again as scripts/serve.sh does (its configuration, as the user who owns its folder)."""
        owner = self.redis_dir.owner()
        as_user = ["runuser", "-u", owner, "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_user, "redis-server", str(self.redis_dir / "redis.conf")], check=True, timeout=30)
        deadline = time.monotonic() + 10
        while self.redis_cli("ping") != "PONG":
            if time.monotonic() > deadline:
                raise RuntimeError("Redis did not start again")
            time.sleep(0.1)


def tcp_ports(pids: list[int]) -> set[int]:
    """The TCP ports these processes listen on (from /proc: their sockets' inodes in /proc/net/tcp{,6})."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = fd.readlink().as_posix() if fd.is_symlink() else ""
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _first_line_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


def _cpu_seconds(pid: int) -> float:
    """User and system time of a process and of its children that have finished."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _belongs_to(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        pid = _parent(pid)
    return False
