"""Load on the serving stack: a fixed rate of mixed requests while a provider saves a program every second.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/load.py [--programs 100000] [--rates 50,100,150,200] [--duration 60]
                                   [--workers 4] [--stack serve|run] [--keep DIR] [--warm-up 30]

It writes a sample catalogue (navigator.sampledata), starts the stack the way an administrator does
(`scripts/serve.sh`: its own PostgreSQL cluster, Redis, `navigator index-follow`, gunicorn with
--workers workers; or `--stack run`: the one-process `navigator run` on SQLite), waits for /readyz,
sends --warm-up seconds of the same mix at half the lowest rate (not counted), and then, for each rate,
sends requests at that fixed rate for --duration seconds: an open loop (each request leaves at its
scheduled moment whether or not earlier ones have answered, and its latency is counted from that
moment), so a slow server is not hidden by a client that waits for it.

The mix, drawn at random from several thousand distinct URLs: search pages with filters and text 50 %,
API searches 20 %, program pages 20 %, organization and coverage pages 10 %. Meanwhile a provider
account signed in through the log-in form changes a program's free places once a second through the
cabinet's quick edit, and a checker asks the API (a filter on free places, new connections each time,
so gunicorn hands them to different workers) until the change has been seen by 2×workers answers in a
row: that is the time until a saved program is findable in every worker.

It prints, per rate: achieved throughput, p50/p95/p99 per kind, errors, the visibility times, and
each worker's memory (RSS and PSS from /proc), and the CPU time each part of the stack, the load generator
and the whole machine spent per answered request. aiohttp is the client: about 1.3 ms of CPU per request
(it opens a connection for each, as gunicorn's sync workers close them), where a load tool with its own
Python users (locust) would take much of one of the two cores that the server needs.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from stack import Stack  # bench/stack.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
MIX = (("search page", 0.5), ("api search", 0.2), ("program page", 0.2), ("organization/coverage", 0.1))
WORDS = ("шахматы", "робототехника", "танцы", "футбол", "вокал", "рисование", "плавание", "английский",
         "программирование", "театр", "хор", "карате", "лего", "гитара", "экология", "журналистика")
DIRECTIONS = ("technical", "science", "art", "sport", "tourism", "social")


def sample_urls(rows: list[dict[str, str]], count: int, seed: int = 7) -> dict[str, list[str]]:
    """Several thousand distinct URLs of each kind, from the catalogue's own ids and places."""
    chance = random.Random(seed)
    municipalities = sorted({row["municipality"] for row in rows})
    organizations = sorted({row["organization_id"] for row in rows})

    def filters() -> dict:
        params = {}
        if chance.random() < 0.6:
            params["q"] = chance.choice(WORDS)
        if chance.random() < 0.4:
            params["age"] = chance.randint(5, 17)
        if chance.random() < 0.3:
            params["direction"] = chance.choice(DIRECTIONS)
        if chance.random() < 0.3:
            params["municipality"] = chance.randint(1, len(municipalities))  # ids in order of first appearance
        if chance.random() < 0.2:
            params["price_max"] = 0
        if chance.random() < 0.3:
            params["page"] = chance.randint(1, 3)
        return params

    urls = defaultdict(set)
    while len(urls["search page"]) < count:
        urls["search page"].add("/search?" + urlencode(filters()))
    while len(urls["api search"]) < count // 2:
        urls["api search"].add("/api/v1/programs?" + urlencode(filters()))
    for row in chance.sample(rows, min(count, len(rows))):
        urls["program page"].add(f"/programs/{row['program_id']}")
    for organization in chance.sample(organizations, min(count // 2, len(organizations))):
        urls["organization/coverage"].add(f"/organizations/{organization}")
    urls["organization/coverage"].update(["/coverage"] + [f"/coverage/{name}" for name in municipalities])
    return {kind: sorted(found) for kind, found in urls.items()}


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB: PSS shares each shared page among the processes that map it."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0]) / 1024
    except OSError:
        return 0.0, 0.0
    return round(fields.get("Rss", 0.0), 1), round(fields.get("Pss", 0.0), 1)


PASSWORD = "нагрузочный-тест-2026"


async def set_password(base: str, link: str) -> None:
    """Set the provider's password once, through its one-time link."""
    path = link[link.index("/set-password/"):]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(base + path) as response:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', await response.text()).group(1)
        async with session.post(base + path, data={"csrf_token": token, "password": PASSWORD, "repeat": PASSWORD},
                                allow_redirects=False) as response:
            if response.status not in (302, 303):
                sys.exit(f"could not set the provider's password: {response.status}")


async def sign_in(session: aiohttp.ClientSession, base: str, email: str) -> None:
    """Log the provider in through the log-in form, as a person does."""
    async with session.get(base + "/login") as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', await response.text()).group(1)
    async with session.post(base + "/login", data={"csrf_token": token, "email": email, "password": PASSWORD},
                            allow_redirects=False) as response:
        if response.status not in (302, 303):
            sys.exit(f"could not sign the provider in: {response.status}")


async def provider_saves(base: str, email: str, programs: list[str], organization: str, workers: int,
                         stop_at: float, visible: list[float], failures: list[str]) -> None:
    """Once a second: toggle a program's free places through the cabinet, then time until every worker sees it."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        await sign_in(session, base, email)
        round_number = 0
        while time.monotonic() < stop_at:
            started = time.monotonic()
            public_id = programs[round_number % len(programs)]
            seats_free = 0 if (round_number // len(programs)) % 2 == 0 else 5
            async with session.get(base + "/provider") as response:
                page = await response.text()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            async with session.post(f"{base}/provider/programs/{public_id}/quick", allow_redirects=False,
                                    data={"csrf_token": token, "seats_total": "10", "seats_free": str(seats_free),
                                          "schedule": f"Пн 10:00 (проверка {round_number})"}) as response:
                if response.status not in (302, 303):
                    failures.append(f"save {response.status}")
            seconds = await _until_seen_everywhere(base, organization, public_id, seats_free > 0, workers)
            if seconds is None:
                failures.append(f"{public_id} not seen within 10 s")
            else:
                visible.append(seconds)
            round_number += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


async def _until_seen_everywhere(base: str, organization: str, public_id: str, expected: bool,
                                 workers: int) -> float | None:
    saved = time.monotonic()
    url = f"{base}/api/v1/programs?organization={organization}&free_seats=1&per_page=100"
    streak, first_of_streak = 0, None
    while time.monotonic() - saved < 10:
        async with aiohttp.ClientSession() as fresh, fresh.get(url) as response:  # a new connection: any worker
            body = await response.json() if response.status == 200 else {}
        found = public_id in {item["id"] for item in body.get("items", [])}
        if found == expected:
            first_of_streak = first_of_streak or time.monotonic()
            streak += 1
            if streak >= 2 * workers:
                return first_of_streak - saved
        else:
            streak, first_of_streak = 0, None
        await asyncio.sleep(0.05)
    return None


async def drive(base: str, urls: dict[str, list[str]], rate: float, duration: float, seed: int):
    """Send requests at a fixed rate (open loop); latency is counted from each request's scheduled moment."""
    chance = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    connector = aiohttp.TCPConnector(limit=256)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers={"Accept-Encoding": "gzip"}) as session:
        async def one(kind: str, url: str, scheduled: float) -> None:
            try:
                async with session.get(base + url) as response:
                    await response.read()
                    if response.status >= 400 and not (response.status == 404 and kind == "organization/coverage"):
                        errors[f"{kind} {response.status}"] += 1
            except (TimeoutError, aiohttp.ClientError) as problem:
                errors[f"{kind} {type(problem).__name__}"] += 1
                return
            results[kind].append(time.monotonic() - scheduled)

        started = time.monotonic()
        tasks = []
        number = 0
        while (scheduled := started + number / rate) < started + duration:
            await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
            kind = chance.choices(kinds, weights)[0]
            tasks.append(asyncio.create_task(one(kind, chance.choice(urls[kind]), scheduled)))
            number += 1
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
    return results, errors, number / elapsed, elapsed


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


def cpu_reading(stack: Stack) -> dict[str, float]:
    """CPU seconds so far: the stack's parts, this load generator, and the whole machine."""
    reading = stack.cpu_seconds_by_part()
    own = os.times()
    reading["load generator"] = own.user + own.system
    busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    reading["whole machine"] = (sum(map(int, busy)) - int(busy[3]) - int(busy[4])) / os.sysconf("SC_CLK_TCK")
    return reading


def report(rate: float, results, errors, achieved: float, visible: list[float], failures: list[str],
           memory: list[tuple[float, float]], cpu: dict[str, float]) -> bool:
    every = [value for values in results.values() for value in values]
    total_errors = sum(errors.values()) + len(failures)
    p95 = percentile(every, 0.95) * 1000
    print(f"\n== {rate:g} requests/s asked: {achieved:.1f}/s achieved, {len(every)} answered, "
          f"{total_errors} errors; all: p50 {percentile(every, .5) * 1000:.0f} ms, p95 {p95:.0f} ms, "
          f"p99 {percentile(every, .99) * 1000:.0f} ms")
    for kind, values in sorted(results.items()):
        print(f"   {kind:24} {len(values):6}  p50 {percentile(values, .5) * 1000:6.0f} ms  "
              f"p95 {percentile(values, .95) * 1000:6.0f} ms  p99 {percentile(values, .99) * 1000:6.0f} ms")
    for error, count in sorted(errors.items()):
        print(f"   error: {error} × {count}")
    for failure in failures[:5]:
        print(f"   provider: {failure}")
    if visible:
        print(f"   saved program findable in every worker after: median {statistics.median(visible):.2f} s, "
              f"max {max(visible):.2f} s ({len(visible)} saves)")
    print("   worker memory (RSS / PSS MB): " + ", ".join(f"{rss:.0f}/{pss:.0f}" for rss, pss in memory))
    if every:
        print("   CPU per answered request: " + ", ".join(
            f"{part} {seconds * 1000 / len(every):.1f} ms" for part, seconds in
            sorted(cpu.items(), key=lambda item: -item[1])))
    return p95 <= 300 and total_errors == 0


async def run_rates(stack: Stack, urls, rates: list[float], duration: float, email: str,
                    saves: tuple[list[str], str], warm_up: float) -> None:
    if warm_up:
        # A served site has been running: its caches (the page cache under the mapped columns, PostgreSQL's
        # buffers, each worker's posting lists and templates) are warm. The first measured rate should not
        # be the one that pays for filling them.
        results, errors, achieved, _elapsed = await drive(stack.base, urls, min(rates) / 2, warm_up, seed=99)
        every = [value for values in results.values() for value in values]
        print(f"warm-up: {len(every)} requests at {achieved:.1f}/s in {warm_up:g} s, "
              f"p95 {percentile(every, 0.95) * 1000:.0f} ms, {sum(errors.values())} errors (not counted)")
    held = []
    for number, rate in enumerate(rates):
        if number:
            await asyncio.sleep(5)  # let a saturated rate's queue drain before the next

        visible, failures = [], []
        saver = asyncio.create_task(provider_saves(stack.base, email, saves[0], saves[1], stack.workers,
                                                   time.monotonic() + duration, visible, failures))
        before = cpu_reading(stack)
        results, errors, achieved, _elapsed = await drive(stack.base, urls, rate, duration, seed=number)
        await saver
        after = cpu_reading(stack)
        cpu = {part: after[part] - before.get(part, 0.0) for part in after}
        memory = [memory_mb(pid) for pid in stack.worker_pids()]
        if report(rate, results, errors, achieved, visible, failures, memory, cpu):
            held.append(rate)
    print(f"\nHighest rate holding p95 ≤ 300 ms with zero errors: {max(held) if held else 'none'} requests/s "
          f"({stack.kind}, {stack.workers} workers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=100_000)
    parser.add_argument("--rates", default="50,100,150,200", help="comma-separated requests per second")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--stack", choices=("serve", "run"), default="serve")
    parser.add_argument("--keep", type=Path, help="folder to build in and keep (reused on the next run)")
    parser.add_argument("--urls", type=int, default=3000, help="distinct search-page URLs (others in proportion)")
    parser.add_argument("--warm-up", type=float, default=30.0, help="seconds of traffic at half the lowest rate "
                        "before the measured rates (not counted)")
    arguments = parser.parse_args()
    folder = arguments.keep or ROOT / "bench" / "out" / f"load-{arguments.stack}-{arguments.programs}"
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "programs.csv"
    if not data.exists():
        subprocess.run([sys.executable, "-m", "navigator.sampledata", "--rows", str(arguments.programs),
                        "--seed", "11", str(data)], check=True, cwd=ROOT)
    with open(data, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    urls = sample_urls(rows, arguments.urls)
    stack = Stack(arguments.stack, folder, data, arguments.workers)
    started = time.monotonic()
    stack.start()
    try:
        stack.wait_ready()
        print(f"{arguments.stack}: ready in {time.monotonic() - started:.0f} s with {len(rows)} programs; "
              f"{sum(map(len, urls.values()))} distinct URLs")
        organization = max({row["organization_id"] for row in rows},
                           key=lambda o: sum(row["organization_id"] == o for row in rows[:5000]))
        programs = [row["program_id"] for row in rows if row["organization_id"] == organization][:5]
        email = f"load-{int(time.time())}@example.org"
        env = stack.database_env()
        out = subprocess.run([str(ROOT / ".venv/bin/navigator"), "create-account", "--role", "provider",
                              "--organization", organization, email], env=env, capture_output=True, text=True,
                             cwd=ROOT)
        link = re.search(r"\S*/set-password/\S+", out.stdout)  # relative when the stack has no BASE_URL
        if not link:
            sys.exit(f"could not create the provider account: {out.stdout}{out.stderr}")
        rates = [float(rate) for rate in arguments.rates.split(",")]
        asyncio.run(set_password(stack.base, link.group(0)))
        asyncio.run(run_rates(stack, urls, rates, arguments.duration, email, (programs, organization),
                              arguments.warm_up))
    finally:
        stack.stop()
        if not arguments.keep:
            shutil.rmtree(folder / "instance" / "postgres", ignore_errors=True)


if __name__ == "__main__":
    main()
