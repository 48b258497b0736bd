"""Other users of the machine reach neither the database nor Redis of `make serve` (findings 3 and 9 of the
third security test), and no part of the stack but nginx listens on TCP.

The security test found PostgreSQL made with trust authentication on 127.0.0.1 (any local process could
`psql -h 127.0.0.1 -U navigator` as superuser and run `COPY … FROM PROGRAM`), and Redis without a password,
running as root, whose log-in counters any local process could read or clear — keys naming e-mail addresses.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.stack import tcp_ports
from tests.faults.traffic import fetch

pytestmark = pytest.mark.faults

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="runs commands as another user (runuser) and as root")


def test_postgresql_and_redis_listen_on_no_tcp_port_and_run_as_their_own_users(stack):
    postmaster, redis = _pid(stack.pgdata / "postmaster.pid"), _pid(stack.redis_dir / "redis.pid")
    assert tcp_ports([postmaster, *_children(postmaster)]) == set()
    assert tcp_ports([redis]) == set()
    if os.geteuid() == 0:
        assert _user(postmaster) == "postgres" and _user(redis) == "redis"
        workers = [pid for pid in stack.processes("nginx") if "worker" in _command(pid)]
        assert workers and {_user(pid) for pid in workers} == {"www-data"}
    # Who may connect: the role navigator on the Unix socket, as the OS users pg_ident.conf maps to it (peer).
    rules = [line for line in (stack.pgdata / "pg_hba.conf").read_text().splitlines() if not line.startswith("#")]
    assert rules == ["local all navigator peer map=navigator"]


@needs_root
def test_another_local_user_reaches_neither_postgresql_nor_redis(stack):
    socket_dsn = f"host={stack.pgdata} port={stack.pg_port} user=navigator dbname=navigator"
    for dsn in (socket_dsn, f"host=127.0.0.1 port={stack.pg_port} user=navigator dbname=navigator"):
        tried = _as_nobody("psql", dsn, "-tAc", "COPY (SELECT 1) TO PROGRAM 'true'")
        assert tried.returncode != 0 and ("Permission denied" in tried.stderr or "refused" in tried.stderr), tried
    tried = _as_nobody("redis-cli", "-s", str(stack.redis_socket), "--scan")
    assert "Permission denied" in tried.stdout + tried.stderr, tried


def test_log_in_counters_in_redis_name_no_e_mail_address(stack):
    email = f"counted-{time.monotonic_ns()}@example.org"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', fetch(opener, stack.base, "/login").body).group(1)
    answer = fetch(opener, stack.base, "/login", {"csrf_token": token, "email": email, "password": "x"})
    assert answer.status == 401, answer.describe()
    keys = stack.redis_cli("--scan", "--pattern", "*").splitlines()
    account_keys = [key for key in keys if "account:" in key]
    assert account_keys, keys  # the attempt was counted in Redis
    assert not [key for key in keys if "@" in key or "counted-" in key or urllib.parse.quote(email) in key]


def _as_nobody(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "nobody", "--", *command], capture_output=True, text=True, timeout=30,
                          cwd="/")


def _pid(path: Path) -> int:
    return int(path.read_text().split()[0])


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _user(pid: int) -> str:
    import pwd

    uid = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("Uid:")).split()[1])
    return pwd.getpwuid(uid).pw_name


def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
