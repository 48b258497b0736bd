"""The Whoosh index on disk: schema, full rebuild with an atomic swap, and incremental updates.

Layout of the index folder:
    live            symlink to the build that serves searches
    build-<stamp>/  Whoosh files of one build; a rebuild writes a new one, then swaps `live`
    pending/        ids of programs changed in committed transactions, not yet written to the index

A rebuild never touches the serving build: it writes a complete new one, points `live` at it with
an atomic rename, then deletes older builds. A crash or kill before the rename leaves the previous
build serving; the half-written folder is removed by the next rebuild.

Whoosh allows one writer at a time. A change is first recorded as a file in pending/ (so it cannot
be lost), then written by whichever process gets the writer lock; a process that finds the lock
busy retries in a background thread. While a rebuild runs, pending files are kept until the new
build has taken them in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.index import LockError

from navigator.search.analysis import RussianTokenizer
from navigator.search.documents import active_count, documents

LIVE = "live"
PENDING = "pending"
REBUILD_MARKER = "rebuilding"
REBUILD_LOCK = "rebuild.lock"
WRITER_TIMEOUT_S = 1.0
RETRY_INTERVAL_S = 0.5
RETRY_FOR_S = 120.0
#: A rebuild of at least this many programs is indexed by two worker processes (Whoosh's MpWriter, one
#: segment each): analysis and posting lists are pure Python, and a second core nearly halves the time
#: of a 100,000-program build (docs/performance.md). Smaller builds are not worth starting processes for.
PARALLEL_FROM = 5_000


class IndexUnavailable(RuntimeError):
    """There is no usable index; the message tells the operator what to run."""


def make_schema() -> Schema:
    return Schema(
        # The program's database id: the unique key that update_document and delete_by_term use.
        id=ID(unique=True, stored=True),
        # Title and profile say what the program is: a match here outranks one in the body (field_boost).
        # No positions (phrase=False): we never run phrase queries, and it keeps the index small.
        heading=TEXT(analyzer=RussianTokenizer(), field_boost=3.0, phrase=False),
        # Description, organization, teacher and district: found, but ranked below the heading.
        body=TEXT(analyzer=RussianTokenizer(), phrase=False),
        # Unstemmed words, so that «Возможно, вы искали …» suggests real words, not stems.
        spelling=TEXT(analyzer=RussianTokenizer(stemming=False), phrase=False),
        # Filter and sort values (navigator.search.documents.FilterRow), read back into numpy arrays.
        row=STORED,
    )


def live_path(index_dir: Path) -> Path:
    return Path(index_dir) / LIVE


def open_live(index_dir: Path):
    """The serving Whoosh index, or IndexUnavailable saying what is wrong and what to do."""
    link = live_path(index_dir)
    if not link.exists():
        raise IndexUnavailable(f"No search index in {index_dir}: run `navigator reindex`.")
    try:
        return whoosh_index.open_dir(str(link.resolve()))
    except Exception as problem:  # Whoosh raises several kinds for damaged files
        raise IndexUnavailable(f"The search index in {index_dir} cannot be opened ({problem}): "
                               "run `navigator reindex`.") from problem


def index_status(index_dir: Path) -> str | None:
    """None when the index opens and reads; otherwise the problem, in words."""
    try:
        with open_live(index_dir).searcher() as searcher:
            searcher.doc_count()
    except IndexUnavailable as problem:
        return str(problem)
    return None


def rebuild(index_dir: Path, session_factory: Callable[[], Session],
            progress: Callable[[Iterable], Iterable] = lambda items, **_: items) -> int:
    """Build a complete new index from the database, swap it in atomically; return the document count."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(index_dir / REBUILD_LOCK):
        (index_dir / REBUILD_MARKER).write_text(str(os.getpid()))
        build = index_dir / f"build-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        build.mkdir()
        try:
            count = _write_build(build, session_factory, progress)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            (index_dir / REBUILD_MARKER).unlink(missing_ok=True)
            raise
        _point_live_at(index_dir, build)
        (index_dir / REBUILD_MARKER).unlink()
        while not flush_pending(index_dir, session_factory, timeout=10.0):
            pass
        _remove_other_builds(index_dir, build)
    return count


def _write_build(build: Path, session_factory: Callable[[], Session], progress) -> int:
    count = 0
    with session_factory() as session:
        parallel = active_count(session) >= PARALLEL_FROM and len(os.sched_getaffinity(0)) > 1
        options = dict(procs=2, multisegment=True, batchsize=500) if parallel else {}
        writer = whoosh_index.create_in(str(build), make_schema()).writer(limitmb=256, **options)
        try:
            for _program_id, document in progress(documents(session), unit=" programs", desc="Indexing"):
                writer.add_document(**document)
                count += 1
        except BaseException:
            _cancel(writer)
            raise
    writer.commit()
    return count


def _cancel(writer) -> None:
    """Cancel a build. MpWriter.cancel only flags its own copies of the workers, which would go on waiting
    for work (and keep the process from exiting): stop them first."""
    for task in getattr(writer, "tasks", ()):
        task.terminate()
        task.join()
    writer.cancel()


def _point_live_at(index_dir: Path, build: Path) -> None:
    temporary = index_dir / f"{LIVE}.{uuid.uuid4().hex}"
    temporary.symlink_to(build.name)
    os.replace(temporary, live_path(index_dir))


def _remove_other_builds(index_dir: Path, keep: Path) -> None:
    for path in index_dir.glob("build-*"):
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rebuild_running(index_dir: Path) -> bool:
    marker = index_dir / REBUILD_MARKER
    try:
        pid = int(marker.read_text())
    except (FileNotFoundError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # a rebuild that crashed: its marker no longer means anything
    except PermissionError:
        pass
    return True


def queue_changes(index_dir: Path, program_ids: Iterable[int]) -> None:
    """Record changed program ids durably before trying to write them to the index."""
    pending = Path(index_dir) / PENDING
    pending.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    temporary = pending / f".{name}"
    temporary.write_text("\n".join(str(i) for i in sorted(set(program_ids))))
    os.replace(temporary, pending / name)


def flush_pending(index_dir: Path, session_factory: Callable[[], Session], timeout: float = WRITER_TIMEOUT_S) -> bool:
    """Write every pending change to the live index; False if another writer held the lock."""
    index_dir = Path(index_dir)
    pending = index_dir / PENDING
    files = sorted(p for p in pending.glob("*") if not p.name.startswith(".")) if pending.exists() else []
    if not files or not live_path(index_dir).exists():
        return True
    ids = _read_ids(files)
    try:
        writer = open_live(index_dir).writer(timeout=timeout)
    except LockError:
        return False
    try:
        with session_factory() as session:
            for program_id, document in documents(session, ids):
                if document is None:
                    writer.delete_by_term("id", str(program_id))
                else:
                    writer.update_document(**document)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    if not _rebuild_running(index_dir):
        for path in files:
            path.unlink(missing_ok=True)
    return True


def _read_ids(files: list[Path]) -> set[int]:
    ids = set()
    for path in files:
        with contextlib.suppress(FileNotFoundError):  # taken in by another process meanwhile
            ids.update(int(line) for line in path.read_text().split())
    return ids


def apply_changes(index_dir: Path, session_factory: Callable[[], Session], program_ids: Iterable[int]) -> None:
    """Queue the changes, write them now if the writer lock is free, else keep retrying in the background."""
    queue_changes(index_dir, program_ids)
    if not flush_pending(index_dir, session_factory):
        threading.Thread(target=_retry_flush, args=(Path(index_dir), session_factory), daemon=True).start()


def _retry_flush(index_dir: Path, session_factory: Callable[[], Session]) -> None:
    deadline = time.monotonic() + RETRY_FOR_S
    while time.monotonic() < deadline:
        time.sleep(RETRY_INTERVAL_S)
        if flush_pending(index_dir, session_factory):
            return
