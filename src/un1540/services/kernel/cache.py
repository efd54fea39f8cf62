"""One cache per process for reads that only change when data is written.

A cached value is keyed by what it is (a name and its arguments, the viewer's `cache_key`, the
language) and stored with the versions of the data scopes it depends on (kernel/data_version.py),
read in the same transaction before it was computed. So:

- a value is served only to a reader that sees exactly those versions: after a write commits,
  every process serves the new value on its next request (the versions come from the database);
- a write to one State raises only that State's scope (and the aggregates): the pages and
  matrices of every other State stay warm;
- a value computed while a write commits is stored under the versions read before it, never
  under the newer ones; a reader that sees a newer version drops the outdated entries of that
  scope at once, so they do not linger until pushed out;
- one computation per key and versions at a time ("single flight"): the other readers of the
  same key wait for it and share its result;
- the whole cache is bounded by an estimate of its size in bytes (`UN1540_CACHE_MB`), least
  recently used first out.

A transaction that has written anything reads its own uncommitted data: it neither reads from
nor stores into the cache.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from enum import Enum
from types import FunctionType, ModuleType
from typing import Any, TypeVar

import numpy as np
from sqlalchemy.orm import Session

from un1540.db.engine import session_url
from un1540.services.kernel.data_version import (
    EVERYTHING,
    GLOBAL,
    Versions,
    current_versions,
    writes_pending,
)

T = TypeVar("T")
MB = 1024 * 1024
DEFAULT_BUDGET_MB = 128
_SAMPLE = 32  # longer sequences and mappings are sized from a sample of their items


@dataclass
class _Entry:
    key: tuple[str, Hashable]  # (database, key)
    scopes: tuple[str, ...]
    versions: tuple[int, ...]
    value: Any
    size: int


class _Flight:
    """One computation under way; readers of the same key and versions wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.owner = threading.get_ident()
        self.value: Any = None
        self.failed = False


@dataclass(frozen=True)
class _Seen:
    version: int
    read_after: float  # when the read that saw it ended (time.monotonic())


_NEVER = _Seen(0, float("-inf"))


class DataCache:
    """Values computed from the data, keyed by what they depend on; see the module docstring."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, Hashable], _Entry] = OrderedDict()
        self._by_scope: dict[tuple[str, str], set[tuple[str, Hashable]]] = {}
        self._seen: dict[str, dict[str, _Seen]] = {}
        self._latest: dict[str, tuple[int, int]] = {}  # database -> (global, all) last seen
        self._flights: dict[tuple[tuple[str, Hashable], tuple[int, ...]], _Flight] = {}
        self._bytes = 0
        self.counts = dict.fromkeys(
            ("hits", "computed", "stored", "waited", "outdated", "evicted", "bypassed"), 0
        )

    # Reading -------------------------------------------------------------------------------

    def get(
        self,
        session: Session,
        key: Hashable,
        depends_on: Iterable[str],
        compute: Callable[[], T],
        *,
        size: int | None = None,
        pack: Callable[[T], T] | None = None,
    ) -> T:
        """The value of `key`, computed by `compute()` from the data of the scopes it
        `depends_on` if this process has not computed it for their current versions.
        `pack(value)`, if given, is what is kept and answered instead of the computed value
        (e.g. a response body compressed, web/compression.py): applied once, when the value is
        computed for the cache; a value computed without it (the cache off, a transaction that
        wrote) is answered as computed, so the caller accepts both forms."""
        if self.budget <= 0 or writes_pending(session):
            self.counts["bypassed"] += 1
            return compute()
        versions = current_versions(session)  # before computing, never after
        self._observe(versions)
        scopes = tuple(dict.fromkeys((*depends_on, EVERYTHING)))
        wanted = tuple(versions.of(scope) for scope in scopes)
        full_key = (versions.database, key)
        while True:
            with self._lock:
                entry = self._entries.get(full_key)
                if entry is not None and entry.versions == wanted and entry.scopes == scopes:
                    self._entries.move_to_end(full_key)
                    self.counts["hits"] += 1
                    value: T = entry.value
                    return value
                flight = self._flights.get((full_key, wanted))
                leading = flight is None
                if flight is None:
                    flight = self._flights[(full_key, wanted)] = _Flight()
                elif flight.owner == threading.get_ident():
                    return compute()  # asked again while computing it: compute here
                else:
                    self.counts["waited"] += 1
            if leading:
                return self._lead(flight, full_key, scopes, wanted, compute, size, pack)
            flight.done.wait()
            if not flight.failed:
                shared: T = flight.value
                return shared
            # The computation failed (e.g. not found): try again, perhaps leading this time.

    def peek(self, session: Session, key: Hashable, depends_on: Iterable[str]) -> Any:
        """The value of `key` if this process holds it for the current versions of the scopes
        it `depends_on` (read from the database, as `get` does), else `MISSING`; never
        computes. For answering a warm request before any routing (web/warm_reads.py). A key held
        for no versions at all is missing without asking the database."""
        if self.budget <= 0 or writes_pending(session):
            return MISSING
        if (session_url(session), key) not in self._entries:
            return MISSING
        return self.peek_at(current_versions(session), key, depends_on)

    def holds(self, database: str, key: Hashable) -> bool:
        """Whether some value of `key` is held, for any versions (no database read)."""
        return (database, key) in self._entries

    def peek_at(self, versions: Versions, key: Hashable, depends_on: Iterable[str]) -> Any:
        """`peek` for versions read by the caller, as fresh as `current_versions` (e.g. by a
        `SqliteVersionWatch`, with no session: web/warm_reads.py)."""
        if self.budget <= 0 or (versions.database, key) not in self._entries:
            return MISSING
        self._observe(versions)
        scopes = tuple(dict.fromkeys((*depends_on, EVERYTHING)))
        wanted = tuple(versions.of(scope) for scope in scopes)
        with self._lock:
            entry = self._entries.get((versions.database, key))
            if entry is None or entry.versions != wanted or entry.scopes != scopes:
                return MISSING
            self._entries.move_to_end(entry.key)
            self.counts["hits"] += 1
            return entry.value

    def _lead(
        self,
        flight: _Flight,
        full_key: tuple[str, Hashable],
        scopes: tuple[str, ...],
        wanted: tuple[int, ...],
        compute: Callable[[], T],
        size: int | None,
        pack: Callable[[T], T] | None,
    ) -> T:
        try:
            value = compute()
            if pack is not None:
                value = pack(value)
            cost = size if size is not None else estimate_size(value)
        except BaseException:
            flight.failed = True
            with self._lock:
                del self._flights[(full_key, wanted)]
            flight.done.set()
            raise
        flight.value = value
        with self._lock:
            del self._flights[(full_key, wanted)]
            self.counts["computed"] += 1
            if cost <= self.budget and self._is_current(full_key[0], scopes, wanted):
                self._store(_Entry(full_key, scopes, wanted, value, cost))
        flight.done.set()
        return value

    def _is_current(self, database: str, scopes: tuple[str, ...], wanted: tuple[int, ...]) -> bool:
        """False if another reader has already seen a newer version of one of the scopes."""
        seen = self._seen.get(database, {})
        return all(
            seen.get(scope, _NEVER).version <= version
            for scope, version in zip(scopes, wanted, strict=True)
        )

    # Keeping it small ----------------------------------------------------------------------

    def _store(self, entry: _Entry) -> None:
        if entry.key in self._entries:
            self._remove(entry.key)
        self._entries[entry.key] = entry
        self._bytes += entry.size
        for scope in entry.scopes:
            self._by_scope.setdefault((entry.key[0], scope), set()).add(entry.key)
        self.counts["stored"] += 1
        while self._bytes > self.budget and self._entries:
            self._remove(next(iter(self._entries)))
            self.counts["evicted"] += 1

    def _remove(self, key: tuple[str, Hashable]) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size
        for scope in entry.scopes:
            keys = self._by_scope.get((key[0], scope))
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_scope[(key[0], scope)]

    def _observe(self, versions: Versions) -> None:
        """Drop the entries a newer version makes outdated, as soon as a reader sees it."""
        database = versions.database
        latest = (versions.of(GLOBAL), versions.of(EVERYTHING))
        if self._latest.get(database) == latest:
            return  # nothing was written since: every write raises `global`
        with self._lock:
            seen = self._seen.setdefault(database, {})
            for scope in seen.keys() | versions.values.keys():
                new, old = versions.of(scope), seen.get(scope, _NEVER)
                if new > old.version:
                    seen[scope] = _Seen(new, versions.read_after)
                    self._drop(database, scope, keep=(new, None))
                elif new < old.version and versions.read_before > old.read_after:
                    # Read after the newer version was seen, yet older: that write was rolled
                    # back, or the database restored from a backup. What was seen is gone.
                    seen[scope] = _Seen(new, versions.read_after)
                    self._drop(database, scope, keep=(None, new))
                # Otherwise an older reader (it read its versions before a write committed):
                # what it computes is not stored (_is_current).
            self._latest[database] = (
                seen.get(GLOBAL, _NEVER).version,
                seen.get(EVERYTHING, _NEVER).version,
            )

    def _drop(self, database: str, scope: str, *, keep: tuple[int | None, int | None]) -> None:
        """Drop the entries whose version of `scope` is outside `keep` (lowest, highest)."""
        lowest, highest = keep
        for key in list(self._by_scope.get((database, scope), ())):
            entry = self._entries[key]
            version = entry.versions[entry.scopes.index(scope)]
            if (lowest is not None and version < lowest) or (
                highest is not None and version > highest
            ):
                self._remove(key)
                self.counts["outdated"] += 1

    # Settings and inspection ---------------------------------------------------------------

    def configure(self, budget_mb: int) -> None:
        with self._lock:
            self.budget = budget_mb * MB
            while self._bytes > self.budget and self._entries:
                self._remove(next(iter(self._entries)))
                self.counts["evicted"] += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._by_scope.clear()
            self._seen.clear()
            self._latest.clear()
            self._bytes = 0
            self.counts = dict.fromkeys(self.counts, 0)

    @property
    def bytes(self) -> int:
        return self._bytes

    def contents(self) -> list[tuple[Hashable, Any, int]]:
        """Every entry's key, value and estimated size, of every database (what fills the
        cache: benchmarks/cache_contents.py)."""
        with self._lock:
            return [(entry.key[1], entry.value, entry.size) for entry in self._entries.values()]

    def entries(self, database: str) -> dict[Hashable, dict[str, int]]:
        """What is cached now for one database (as `session_url` names it): each key with the
        versions of the scopes it was computed from."""
        with self._lock:
            return {
                entry.key[1]: dict(zip(entry.scopes, entry.versions, strict=True))
                for entry in self._entries.values()
                if entry.key[0] == database
            }


CACHE = DataCache(DEFAULT_BUDGET_MB * MB)
MISSING: Any = object()  # what `DataCache.peek` answers when the value is not held


def cached(
    session: Session,
    key: Hashable,
    *,
    depends_on: Iterable[str],
    compute: Callable[[], T],
    size: int | None = None,
    pack: Callable[[T], T] | None = None,
) -> T:
    """`compute()`, or the value this process computed for `key` from the same versions of the
    scopes it `depends_on` (kernel/data_version.py names them). `key` names the value fully:
    its name, its arguments, the viewer's cache_key and the language where they matter.
    `pack`: what the cache keeps of a value it stores (`DataCache.get`)."""
    return CACHE.get(session, key, depends_on, compute, size=size, pack=pack)


@dataclass(frozen=True)
class _Compact:
    """A value kept pickled and zlib-compressed (`cached_compact`): one block of bytes instead
    of thousands of small objects spread over the allocator's arenas."""

    data: bytes

    @classmethod
    def of(cls, value: object) -> _Compact:
        return cls(zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1))

    def value(self) -> Any:
        return pickle.loads(zlib.decompress(self.data))


def cached_compact(
    session: Session, key: Hashable, *, depends_on: Iterable[str], compute: Callable[[], T]
) -> T:
    """`cached`, keeping the value pickled and compressed, and answering a fresh copy of it each
    time. For values made of many small objects (pydantic models of a row per State) whose
    readers are themselves cached (a page, a response): held as objects they cost several times
    their size in memory the allocator cannot give back (Python frees an arena only when every
    object in it is gone: issue 14, docs/performance.md "lead, session 9"); a copy costs about a
    millisecond each time the value is read."""
    compact = cached(session, key, depends_on=depends_on, compute=lambda: _Compact.of(compute()))
    copy: T = compact.value()
    return copy


def held(session: Session, key: Hashable, *, depends_on: Iterable[str]) -> Any:
    """The value `cached` would answer for `key` without computing it, or `MISSING`."""
    return CACHE.peek(session, key, depends_on)


def held_at(versions: Versions, key: Hashable, *, depends_on: Iterable[str]) -> Any:
    """`held` for versions the caller read (kernel/data_version.py `SqliteVersionWatch`)."""
    return CACHE.peek_at(versions, key, depends_on)


def configure_cache(budget_mb: int) -> None:
    """Set the memory budget of the process's cache (settings.cache_mb); 0 turns it off."""
    CACHE.configure(budget_mb)


_ATOMS = (type(None), bool, int, float, complex, str, bytes, bytearray, memoryview)
_SHARED = (type, ModuleType, FunctionType, Enum)


def estimate_size(value: object) -> int:
    """About how many bytes `value` holds, following containers, dataclasses and objects'
    attributes; long sequences and mappings are sized from a sample of their items."""
    seen: set[int] = set()
    total = 0
    pending: list[tuple[object, float]] = [(value, 1.0)]
    while pending:
        item, weight = pending.pop()
        if id(item) in seen or isinstance(item, _SHARED):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            total += int(weight * (item.nbytes + sys.getsizeof(np.empty(0))))
            continue
        total += int(weight * sys.getsizeof(item))
        if isinstance(item, _ATOMS):
            continue
        children: list[object]
        if isinstance(item, dict):
            children = [part for pair in item.items() for part in pair]
        elif isinstance(item, (list, tuple, set, frozenset)):
            children = list(item)
        elif dataclasses.is_dataclass(item):
            children = [getattr(item, field.name) for field in dataclasses.fields(item)]
            children += list(getattr(item, "__dict__", {}).values())  # cached properties
        elif hasattr(item, "__dict__"):
            children = list(vars(item).values())
        else:
            continue
        if len(children) > 2 * _SAMPLE:
            step = len(children) / _SAMPLE
            sample = [children[int(index * step)] for index in range(_SAMPLE)]
            pending.extend((child, weight * step) for child in sample)
        else:
            pending.extend((child, weight) for child in children)
    return total
