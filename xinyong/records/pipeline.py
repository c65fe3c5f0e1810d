"""Read, validate and shape an import's rows a chunk at a time: here, or in a second process.

An import does two kinds of work of about the same size: the Python work of reading a file,
checking every row against the catalog (:class:`~xinyong.records.columnwise.ChunkValidator`) and
shaping it for storage (:class:`~xinyong.records.shaping.RowShaper`: facts masked, periods
computed), and the work of storing the rows (:class:`~xinyong.records.writer.RowPreparer`, which
keys the identity numbers, then :class:`~xinyong.records.writer.ChunkWriter`). One Python process
does one at a time. For a large file the first kind runs in a second process while this one
writes, so on two cores they overlap: the worker validates the next chunk while the writer stores
the last. Shaped rows cross as flat tuples of texts (no facts dictionary, no catalog objects:
pickling those cost more than the rest), and the keys stay with the importer: the worker needs
none.

The worker is *spawned*, not forked: it shares nothing with the parent's threads and database
connections (the web server imports uploads from a thread), and it never touches the database,
so the batch stays one transaction in the parent. It re-opens the file itself; the parent has
already read the headers (a file it cannot use is refused before the worker starts). It keeps a
few chunks in hand (a thread writes them to the pipe), so neither side waits for the other when
one chunk happens to be quicker to validate and the next quicker to write. If the
parent dies (killed mid-batch), the worker's next send fails and it exits; the parent's
transaction is gone with it, so the database holds none of the batch, as without a worker.
Small files and API batches stay in one process: starting the worker costs about a second.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xinyong.catalog.schemas import Category, PolicySet
from xinyong.core.gc_thresholds import fewer_collections
from xinyong.records.cleaning import clean_text
from xinyong.records.columns import ColumnMap, detect_category, map_columns
from xinyong.records.columnwise import ChunkValidator
from xinyong.records.readers import FileUnusable, Source, open_source
from xinyong.records.shaping import RowShaper, Shaped
from xinyong.records.validation import Defaults, RowError


class CategoryResolver:
    """Finds each row's category: given once, from a column, or from the file's headers."""

    def __init__(self, policy: PolicySet, headers: list[str], category_code: str | None,
                 hint: str | None = None):
        self.policy = policy
        self.headers = headers
        self.maps: dict[str, ColumnMap] = {}
        self.fixed: Category | None = None
        if category_code:
            self.fixed = policy.category(category_code) or _by_name(policy, category_code)
            if self.fixed is None:
                codes = "、".join(f"{c.code}（{c.name}）" for c in policy.catalog.categories)
                raise FileUnusable(
                    f"未知的记录类别“{category_code}”，可选：{codes}",
                    f"unknown category {category_code!r}",
                )
        generic = map_columns(headers, None)
        self.category_positions = generic.common.get("category")
        if self.fixed is None and not self.category_positions:
            # the platform's own template says its category; any other file is known by its headers
            self.fixed = (policy.category(hint) if hint else None) or detect_category(headers, policy.catalog.categories)
            if self.fixed is None:
                raise FileUnusable(
                    "无法判断记录类别：请选择记录类别，或在文件中加入“记录类别”列，或使用平台生成的导入模板",
                    "cannot tell the record category: name the category or add a 'category' column",
                )

    def cmap(self, category: Category) -> ColumnMap:
        cmap = self.maps.get(category.code)
        if cmap is None:
            cmap = self.maps[category.code] = map_columns(self.headers, category)
        return cmap

    def for_row(self, values: list) -> Category | str:
        if self.fixed is not None:
            return self.fixed
        for pos in self.category_positions or ():
            raw = clean_text(values[pos]) if pos < len(values) else ""
            if raw:
                return self.policy.category(raw) or _by_name(self.policy, raw) or f"未知的记录类别“{raw}”"
        return "缺少“记录类别”"

    def ignored_columns(self) -> list[str]:
        """Headers no row's category could use."""
        if not self.maps:
            return []
        unused = set.intersection(*(set(m.ignored) for m in self.maps.values()))
        return [h for h in self.headers if h in unused]


def _by_name(policy: PolicySet, name: str) -> Category | None:
    return next((c for c in policy.catalog.categories if c.name == name), None)


@dataclass
class ValidatedChunk:
    total: int  # rows read so far
    rows: list[Shaped]  # from the worker: plain tuples of the same layout
    errors: list[RowError]  # the chunk's refused rows, in file order
    rejected: int
    categories: list[str] = field(default_factory=list)  # categories first met in this chunk


def validated_chunks(source: Source, resolver: CategoryResolver, policy: PolicySet, defaults: Defaults,
                     chunk_rows: int) -> Iterator[ValidatedChunk]:
    """The source's rows, validated and shaped, a chunk at a time."""
    validator = ChunkValidator(policy, defaults)
    shaper = RowShaper(policy)
    pending: list[tuple[int, list, Category]] = []
    unread: list[RowError] = []  # lines that never reached validation
    seen: set[str] = set()
    new: list[str] = []
    total = 0

    def chunk() -> ValidatedChunk:
        clean, errors, rejected = validator.validate(pending, resolver.maps)
        out = ValidatedChunk(
            total, shaper.shape(clean), sorted(unread + errors, key=lambda e: e.row),  # a stable sort: file order
            rejected + len(unread), list(new))
        pending.clear()
        unread.clear()
        new.clear()
        return out

    for row_no, values, line_error in source.rows:
        total += 1
        if line_error is not None or values is None:
            unread.append(RowError(row_no, "", "", line_error or "空行", "unreadable line"))
        else:
            cat = resolver.for_row(values)
            if isinstance(cat, str):
                unread.append(RowError(row_no, "记录类别", "", cat, "unknown or missing category"))
            else:
                if cat.code not in seen:
                    seen.add(cat.code)
                    new.append(cat.code)
                    resolver.cmap(cat)
                pending.append((row_no, values, cat))
        if len(pending) + len(unread) >= chunk_rows:
            yield chunk()
    yield chunk()  # the last, perhaps empty: it carries the final count


# -- in a second process ------------------------------------------------------------------------


def validated_chunks_in_worker(path: Path, category: str | None, policy: PolicySet, defaults: Defaults,
                               chunk_rows: int) -> Iterator[ValidatedChunk]:
    """:func:`validated_chunks` of the file at ``path``, run in a spawned worker process."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_work, args=(sender, str(path), category, policy, defaults, chunk_rows),
        name="xinyong-import-worker", daemon=True)
    worker.start()
    sender.close()  # the worker holds the only sending end: its end is our EOF
    try:
        while True:
            try:
                kind, payload = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise RuntimeError(
                    f"import worker ended unexpectedly (exit code {worker.exitcode})") from None
            if kind == "chunk":
                yield payload
            elif kind == "done":
                return
            elif kind == "unusable":
                raise FileUnusable(*payload)
            else:
                raise RuntimeError(f"import worker failed:\n{payload}")
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join(timeout=10)


# Chunks the worker may have validated and not yet handed over. Each is a few megabytes pickled;
# with some in hand, the worker's next chunk never waits for the importer to finish its last one,
# and the importer finds one ready whenever a chunk happened to be quicker to write than to read.
_AHEAD = 4


class _ImporterGone(Exception):
    """The pipe to the importer broke: it was killed or gave up, and its transaction with it."""


class _Outbox:
    """The worker's chunks on their way to the importer: a thread writes them to the pipe (the
    write releases the interpreter lock), so validation goes on while the importer is busy.
    If the importer is gone, the next :meth:`put` raises :class:`_ImporterGone`."""

    def __init__(self, sender):
        self.sender = sender
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)
        self.failed = False
        self.thread = threading.Thread(target=self._pump, name="xinyong-import-outbox", daemon=True)
        self.thread.start()

    def _pump(self) -> None:  # pragma: no cover - runs in the worker
        try:
            while (data := self.queue.get()) is not None:
                self.sender.send_bytes(data)
        except OSError:  # a broken pipe, a reset connection
            self.failed = True

    def put(self, data: bytes | None) -> None:  # pragma: no cover - runs in the worker
        while True:
            if self.failed:
                raise _ImporterGone
            try:
                self.queue.put(data, timeout=0.2)
                return
            except queue.Full:
                continue

    def close(self) -> None:  # pragma: no cover - runs in the worker
        """Send what is queued, then stop."""
        self.put(None)
        self.thread.join()
        if self.failed:
            raise _ImporterGone


def _work(sender, path: str, category: str | None, policy: PolicySet, defaults: Defaults,
          chunk_rows: int) -> None:  # pragma: no cover - runs in the worker (tests drive it end to end)
    outbox = _Outbox(sender)

    def send(kind: str, payload: object) -> None:
        outbox.put(pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL))

    try:
        try:
            source = open_source(Path(path))
            resolver = CategoryResolver(policy, source.headers, category, source.category_hint)
            with fewer_collections():
                for chunk in validated_chunks(source, resolver, policy, defaults, chunk_rows):
                    chunk.rows = list(map(tuple, chunk.rows))  # a named tuple pickles at Python speed
                    send("chunk", chunk)
            send("done", None)
        except _ImporterGone:
            raise
        except FileUnusable as exc:
            send("unusable", (exc.zh, exc.en))
        except BaseException:
            send("failed", traceback.format_exc())
        outbox.close()
    except _ImporterGone:
        return  # the importer is gone, and its transaction with it
    finally:
        sender.close()
