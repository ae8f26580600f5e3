"""A review's ranking features on disk: one copy per review, shared by every reviewer's retrain
in every worker process.

No Django here: the service gives the directory, each record's text digest (computed by the
database) and a way to read texts. The directory holds one sub-directory per record set::

    <directory>/<key>/meta.json                 the set's size and the blocks' widths
    <directory>/<key>/ids.npy, digests.npy      record ids (sorted) and their text digests
    <directory>/<key>/<block>.indptr.npy        CSR row pointers (int64)
    <directory>/<key>/<block>.data              sublinear tf, float32, read by range
    <directory>/<key>/<block>.indices           column numbers in the set's vocabulary, int32
    <directory>/<key>/<block>.columns.npy       the hashed column of each vocabulary column
    <directory>/<key>/<block>.idf.npy           IDF over the set (float32, one per column)
    <directory>/<key>/<block>.norms.npy         each row's TF-IDF norm (float32)

``key`` digests the record set (ids and text digests) and the feature version, so an import, a
de-duplication or an edited abstract gives a new key: the new set is built once (by whichever
process asks first, under a file lock), re-using the rows of records whose text is unchanged
and featurising only the others; the IDF and norms are recomputed over the new set. Retraining
reads the files a chunk at a time (see :class:`~screening.ranking.model.Block`), so a worker
holds no copy of the review's features: the operating system's page cache is the one shared
copy.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from screening.ranking import model

# Bumped whenever what a row holds changes (tokenisation, hashing, weighting): old stores are
# then rebuilt instead of being read with the wrong meaning.
FEATURES_VERSION = "tf-sublinear-2"
# How many record sets a review keeps: the current one, and the previous one for a retrain that
# started before the record set changed.
KEEP = 2

# Given record ids, their rows per block (model.term_weights of their texts, in the same order).
Featuriser = Callable[[list[int]], Mapping[str, sp.csr_matrix]]


def text_featuriser(read_texts: Callable[[list[int]], Iterable[tuple[int, str]]]) -> Featuriser:
    """A featuriser reading (id, text) pairs, e.g. from the database, a chunk at a time."""

    def featurise(ids: list[int]) -> Mapping[str, sp.csr_matrix]:
        texts = dict(read_texts(ids))
        return model.term_weights([texts.get(rid, "") for rid in ids])

    return featurise


def record_set_key(digests: Mapping[int, str], max_df: float = model.DEFAULT_CONFIG.max_df) -> str:
    """A digest of the record set: ids, their text digests, the feature version and max_df."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FEATURES_VERSION}:{max_df!r}".encode())
    for rid in sorted(digests):
        h.update(f"{rid}:{digests[rid]};".encode())
    return h.hexdigest()


class DiskBlock(model.Block):
    def __init__(self, path: Path, name: str, width: int, *, statistics: bool = True) -> None:
        self.prefix = path / name
        self.width = width
        # Small per-row and per-column arrays, memory-mapped: shared between processes too.
        self.indptr = np.load(f"{self.prefix}.indptr.npy", mmap_mode="r")
        self.n_rows = len(self.indptr) - 1
        if statistics:
            self.idf = np.load(f"{self.prefix}.idf.npy", mmap_mode="r")
            self.norms = np.load(f"{self.prefix}.norms.npy", mmap_mode="r")
            # The hashed column of each of the block's own columns (its vocabulary).
            self.columns = np.load(f"{self.prefix}.columns.npy", mmap_mode="r")

    def read(self, start: int, stop: int) -> sp.csr_matrix:
        lo, hi = int(self.indptr[start]), int(self.indptr[stop])
        data = _read_range(f"{self.prefix}.data", np.float32, lo, hi)
        indices = _read_range(f"{self.prefix}.indices", np.int32, lo, hi)
        indptr = np.asarray(self.indptr[start : stop + 1]) - lo
        return sp.csr_matrix((data, indices, indptr), shape=(stop - start, self.width))


def _read_range(path: str, dtype: type, lo: int, hi: int) -> np.ndarray:
    size = np.dtype(dtype).itemsize
    with open(path, "rb") as fh:
        return np.fromfile(fh, dtype=dtype, count=hi - lo, offset=lo * size)


class DiskFeatures(model.Features):
    """A built record set, opened for reading."""

    def __init__(self, path: Path) -> None:
        meta = json.loads((path / "meta.json").read_text())
        self.path = path
        self.key = path.name
        ids = np.load(path / "ids.npy")
        self.digests = np.load(path / "digests.npy")
        blocks = {name: DiskBlock(path, name, width) for name, width in meta["widths"].items()}
        super().__init__(ids.tolist(), blocks)
        self._sorted_ids = ids

    def rows(self, ids) -> np.ndarray:
        wanted = np.asarray(list(ids), dtype=np.int64)
        rows = np.searchsorted(self._sorted_ids, wanted)
        if len(wanted) and (
            rows.max() >= len(self._sorted_ids) or (self._sorted_ids[rows] != wanted).any()
        ):
            raise KeyError("records not in the feature store")
        return rows


def open_features(
    directory: Path,
    digests: Mapping[int, str],
    featurise: Featuriser,
    config: model.ModelConfig = model.DEFAULT_CONFIG,
) -> tuple[DiskFeatures, int]:
    """The review's features for exactly this record set, built if needed (once, whoever asks
    first); returns them and how many records had to be featurised (0 when already built)."""
    key = record_set_key(digests, config.max_df)
    path = directory / key
    if (path / "meta.json").exists():
        return DiskFeatures(path), 0
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder per review; the others wait, then read
        if (path / "meta.json").exists():
            return DiskFeatures(path), 0
        previous = _latest(directory)
        built = _build(path, digests, featurise, previous, config)
        _prune(directory, keep=path)
        return DiskFeatures(path), built


def _latest(directory: Path) -> DiskFeatures | None:
    sets = [p for p in directory.iterdir() if (p / "meta.json").exists()]
    if not sets:
        return None
    return DiskFeatures(max(sets, key=lambda p: (p / "meta.json").stat().st_mtime))


def _prune(directory: Path, keep: Path) -> None:
    sets = sorted(
        (p for p in directory.iterdir() if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for stale in sets[KEEP - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)


def _build(
    path: Path,
    digests: Mapping[int, str],
    featurise: Featuriser,
    previous: DiskFeatures | None,
    config: model.ModelConfig,
) -> int:
    """Write the record set's rows a chunk at a time (bounded memory), then number the columns
    the set uses (its vocabulary) and write its IDF and norms, into a temporary directory
    renamed into place when complete."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    ids = np.array(sorted(digests), dtype=np.int64)
    digest_array = np.array([digests[int(i)] for i in ids], dtype="S32")
    np.save(tmp / "ids.npy", ids)
    np.save(tmp / "digests.npy", digest_array)
    featurised, vocabularies = _write_hashed_rows(tmp, ids, digest_array, previous, featurise)
    widths = {}
    for name, (columns, df) in vocabularies.items():
        _number_columns(tmp, name, columns, model.idf_weights(df, len(ids), config.max_df))
        widths[name] = max(1, len(columns))
    meta = {"records": len(ids), "widths": widths, "version": FEATURES_VERSION}
    (tmp / "meta.json").write_text(json.dumps(meta))
    os.replace(tmp, path)
    return featurised


def _number_columns(tmp: Path, name: str, columns: np.ndarray, idf: np.ndarray) -> None:
    """Rewrite a block's hashed rows over its own columns (0..len(columns)), with norms."""
    np.save(tmp / f"{name}.columns.npy", columns)
    np.save(tmp / f"{name}.idf.npy", idf)
    hashed = DiskBlock(tmp, f"{name}.hashed", 2**31 - 1, statistics=False)
    norms = []
    with open(tmp / f"{name}.data", "wb") as data, open(tmp / f"{name}.indices", "wb") as out:
        for start in range(0, hashed.n_rows, model.CHUNK_ROWS):
            rows = hashed.read(start, min(hashed.n_rows, start + model.CHUNK_ROWS))
            rows.indices = np.searchsorted(columns, rows.indices).astype(np.int32)
            data.write(rows.data.tobytes())
            out.write(rows.indices.tobytes())
            norms.append(model.row_norms(rows, idf))
    norms.append(np.ones(0, dtype=np.float32))
    np.save(tmp / f"{name}.norms.npy", np.concatenate(norms))
    os.replace(tmp / f"{name}.hashed.indptr.npy", tmp / f"{name}.indptr.npy")
    for suffix in ("data", "indices"):
        (tmp / f"{name}.hashed.{suffix}").unlink()


def _write_hashed_rows(
    tmp: Path,
    ids: np.ndarray,
    digests: np.ndarray,
    previous: DiskFeatures | None,
    featurise: Featuriser,
) -> tuple[int, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Each block's rows over hashed columns, in id order; returns how many records were
    featurised and each block's vocabulary (sorted hashed columns, document frequencies)."""
    old_row = {} if previous is None else {rid: n for n, rid in enumerate(previous.ids)}
    indptr = {name: [np.zeros(1, dtype=np.int64)] for name in model.BLOCK_WIDTH}
    vocabulary = {name: _Vocabulary() for name in model.BLOCK_WIDTH}
    featurised = 0
    with ExitStack() as files:
        out = {
            name: (
                files.enter_context(open(tmp / f"{name}.hashed.data", "wb")),
                files.enter_context(open(tmp / f"{name}.hashed.indices", "wb")),
            )
            for name in model.BLOCK_WIDTH
        }
        for start in range(0, len(ids), model.CHUNK_ROWS):
            stop = min(len(ids), start + model.CHUNK_ROWS)
            chunk = _chunk_rows(ids[start:stop], digests[start:stop], previous, old_row, featurise)
            featurised += chunk.pop("featurised")
            for name in model.BLOCK_WIDTH:
                rows = chunk[name]
                out[name][0].write(rows.data.astype(np.float32).tobytes())
                out[name][1].write(rows.indices.astype(np.int32).tobytes())
                indptr[name].append(indptr[name][-1][-1] + rows.indptr[1:])
                vocabulary[name].add(rows.indices)
    for name in model.BLOCK_WIDTH:
        np.save(tmp / f"{name}.hashed.indptr.npy", np.concatenate(indptr[name]))
    return featurised, {name: v.result() for name, v in vocabulary.items()}


class _Vocabulary:
    """The distinct hashed columns of a block and in how many rows each occurs, merged every
    few chunks so memory follows the vocabulary, not the number of non-zeros."""

    def __init__(self) -> None:
        self.columns = np.zeros(0, dtype=np.int32)
        self.df = np.zeros(0, dtype=np.int64)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, indices: np.ndarray) -> None:
        # Each row holds a column once (sum_duplicates), so counting indices counts rows.
        self.pending.append(np.unique(indices, return_counts=True))
        if len(self.pending) >= 8:
            self._merge()

    def _merge(self) -> None:
        columns = np.concatenate([self.columns, *(c for c, _ in self.pending)])
        counts = np.concatenate([self.df, *(n for _, n in self.pending)])
        self.columns, inverse = np.unique(columns, return_inverse=True)
        self.df = np.bincount(inverse, weights=counts, minlength=len(self.columns)).astype(np.int64)
        self.pending = []

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        self._merge()
        return self.columns.astype(np.int32), self.df


def _chunk_rows(
    chunk_ids: np.ndarray,
    chunk_digests: np.ndarray,
    previous: DiskFeatures | None,
    old_row: dict,
    featurise: Featuriser,
) -> dict:
    """Rows for one chunk of ids over hashed columns: copied from the previous set when the
    text is unchanged, featurised otherwise."""
    reuse_at, reuse_rows, stale = [], [], []
    for n, (rid, digest) in enumerate(zip(chunk_ids.tolist(), chunk_digests, strict=True)):
        row = old_row.get(rid)
        if row is not None and previous.digests[row] == digest:
            reuse_at.append(n)
            reuse_rows.append(row)
        else:
            stale.append(rid)
    fresh = featurise(stale) if stale else None
    out: dict = {"featurised": len(stale)}
    stale_at = np.setdiff1d(np.arange(len(chunk_ids)), reuse_at)
    for name, width in model.BLOCK_WIDTH.items():
        parts, positions = [], []
        if reuse_rows:
            old = previous.blocks[name]
            rows = old.gather(np.array(reuse_rows), raw=True)
            # Back from the previous set's own column numbers to hashed columns.
            rows = sp.csr_matrix(
                (rows.data, old.columns[rows.indices], rows.indptr), shape=(len(reuse_rows), width)
            )
            parts.append(rows)
            positions.append(np.array(reuse_at))
        if stale:
            parts.append(fresh[name])
            positions.append(stale_at)
        stacked = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, width))
        order = np.argsort(np.concatenate(positions)) if positions else np.zeros(0, dtype=int)
        out[name] = stacked[order]
    return out
