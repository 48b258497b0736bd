"""The Whoosh index on disk: schema, full rebuild with an atomic swap, and writing followed changes.

Layout of the index folder:
    live            symlink to the build that serves searches
    build-<stamp>/  Whoosh files of one build, and its state.json: the index format version and the
                    last outbox sequence applied to it
    follower.lock   held while the folder is written (navigator.search.follower)
    follower.running  held for its whole life by the folder's long-running follower

A rebuild never touches the serving build: it writes a complete new one, points `live` at it with
an atomic rename, then deletes older builds. A crash or kill before the rename leaves the previous
build serving; the half-written folder is removed by the next rebuild.

Only the follower writes (one per folder, under follower.lock); web workers only read, and reopen
the newest generation when it changes. An index whose format version differs from FORMAT_VERSION
is never read: the follower rebuilds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from navigator.search.analysis import RussianTokenizer
from navigator.search.bulk import write_segment
from navigator.search.columns import save_columns
from navigator.search.documents import active_count, documents

LIVE = "live"
STATE = "state.json"
FOLLOWER_LOCK = "follower.lock"
RUNNING_LOCK = "follower.running"
#: Raised whenever what a build holds or how it is laid out changes: an index of another version is rebuilt.
FORMAT_VERSION = 3  # 3: builds carry memory-mapped column files (navigator.search.columns)


#: What builds a missing or unusable index, said where one is met (a page, /readyz, a worker's log).
REBUILT_BY = "the follower builds it (`navigator index-follow --once`)"
NO_INDEX = f"No search index yet: {REBUILT_BY}."
NONE_YET = "there is none yet"


class IndexUnavailable(RuntimeError):
    """There is no usable index. The message says what is wrong and what builds it; `problem` only what is
    wrong, for a command that is about to build it (so it names no command the operator need not run)."""

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem or message


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


def open_live(index_dir: Path, *, mapped: bool = True):
    """The serving Whoosh index, or IndexUnavailable saying what is wrong and what to do.

    mapped=False is for processes that reopen the index at every new generation (web workers): with
    mmap, Whoosh copies each part of a segment's file into memory when a searcher opens it (BufferFile
    wraps the mapped bytes in a BytesIO), 35 ms for the large segment at 100,000 programs, once a second
    while providers save; reading the parts from the open file instead takes 3.5 ms. Whoosh then reads
    through one file position per segment, so a reader must not be used by two threads at once (the
    searcher service lets one search run at a time).
    """
    link = live_path(index_dir)
    if not link.exists():
        raise IndexUnavailable(NO_INDEX, NONE_YET)
    try:
        return FileStorage(str(link.resolve()), supports_mmap=mapped).open_index()
    except Exception as problem:  # Whoosh raises several kinds for damaged files
        raise IndexUnavailable(f"The search index in {index_dir} cannot be opened ({problem}): {REBUILT_BY}.",
                               f"it cannot be opened ({problem})") from problem


def index_status(index_dir: Path) -> str | None:
    """None when the index opens, reads and is of this code's format; otherwise the problem, in words."""
    try:
        state = read_state(index_dir)
        if state.get("format") != FORMAT_VERSION:
            return f"it is of format {state.get('format')}; this code reads format {FORMAT_VERSION}"
        with open_live(index_dir).searcher() as searcher:
            searcher.doc_count()
    except IndexUnavailable as problem:
        return problem.problem
    return None


def read_state(index_dir: Path) -> dict:
    """The serving build's state: {"format": version, "sequence": last applied outbox entry}."""
    link = live_path(index_dir)
    try:
        return json.loads((link / STATE).read_text())
    except FileNotFoundError as problem:
        if link.exists():
            return {"format": None, "sequence": 0}  # a build from before format versions: rebuilt
        raise IndexUnavailable(NO_INDEX, NONE_YET) from problem
    except (OSError, ValueError) as problem:
        raise IndexUnavailable(f"The search index in {index_dir} cannot be read ({problem}): {REBUILT_BY}.",
                               f"its state cannot be read ({problem})") from problem


def _write_state(build: Path, sequence: int) -> None:
    temporary = build / f".{STATE}.{uuid.uuid4().hex}"
    temporary.write_text(json.dumps({"format": FORMAT_VERSION, "sequence": sequence}))
    os.replace(temporary, build / STATE)


def rebuild(index_dir: Path, session_factory: Callable[[], Session], sequence: int,
            progress: Callable[[Iterable], Iterable] = lambda items, **_: items) -> int:
    """Build a complete new index from the database, swap it in atomically; return the document count.

    `sequence` is the outbox position the database was at before the build started reading: entries
    after it are applied by the follower afterwards (applying a change twice is harmless).
    The caller holds the folder's follower lock.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    remove_unfinished_builds(index_dir)
    build = index_dir / f"build-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    build.mkdir()
    try:
        count = _write_build(build, session_factory, progress)
        _write_state(build, sequence)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    _point_live_at(index_dir, build)
    _remove_other_builds(index_dir, build)
    return count


def write_changes(index_dir: Path, session_factory: Callable[[], Session], program_ids: Iterable[int],
                  sequence: int) -> None:
    """Write the current database state of these programs to the live index and record `sequence` as applied.

    The caller holds the folder's follower lock, so no other process writes and the writer lock is free.
    """
    build = live_path(index_dir).resolve()
    writer = open_live(index_dir).writer(timeout=30.0)
    try:
        with session_factory() as session:
            for program_id, document in documents(session, program_ids):
                if document is None:
                    writer.delete_by_term("id", str(program_id))
                else:
                    writer.update_document(**document)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    _write_state(build, sequence)


def follower_lock(index_dir: Path, wait: bool):
    """Hold the folder's writer lock; yields False (holding nothing) when not waiting and it is taken."""
    return _file_lock(Path(index_dir) / FOLLOWER_LOCK, wait)


def running_lock(index_dir: Path):
    """Held for its whole life by the long-running follower of the folder; yields False if one already runs."""
    return _file_lock(Path(index_dir) / RUNNING_LOCK, wait=False)


@contextlib.contextmanager
def _file_lock(path: Path, wait: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_build(build: Path, session_factory: Callable[[], Session], progress) -> int:
    """Write every active program into one new segment (navigator.search.bulk), commit it, save its columns."""
    writer = whoosh_index.create_in(str(build), make_schema()).writer()
    try:
        with session_factory() as session:
            total = active_count(session)
            items = progress(documents(session), unit=" programs", desc="Indexing", total=total)
            rows = write_segment(writer, (document for _program_id, document in items), progress)
    except BaseException:
        writer.cancel()
        raise
    segment_id = writer.newsegment.segment_id()
    writer.commit(merge=False)
    save_columns(build, segment_id, rows)
    return len(rows)


def _point_live_at(index_dir: Path, build: Path) -> None:
    temporary = index_dir / f"{LIVE}.{uuid.uuid4().hex}"
    temporary.symlink_to(build.name)
    os.replace(temporary, live_path(index_dir))


def _remove_other_builds(index_dir: Path, keep: Path) -> None:
    for path in index_dir.glob("build-*"):
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)


def remove_unfinished_builds(index_dir: Path) -> None:
    """Remove folders of builds killed before their swap (never the serving one); the caller holds the lock."""
    serving = live_path(index_dir).resolve() if live_path(index_dir).exists() else None
    for path in index_dir.glob("build-*"):
        if path != serving:
            shutil.rmtree(path, ignore_errors=True)
