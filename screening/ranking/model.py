"""Relevance ranking for title/abstract screening.

Pure functions over plain Python data and arrays: no Django, no ORM. The Celery task that wires
this into a review keeps the review's features in a :class:`~screening.ranking.store.DiskFeatures`
(one per review, shared by its reviewers), calls :func:`rank_ids`, and stores the order.

Model (see docs/benchmarks.md "Relevance ranking" for what was measured on which data):

* The base is ASReview's default ("ELAS u4"), matched term for term rather than re-tuned: TF-IDF
  over word 1-2-grams with sublinear tf (1 + ln tf), smooth IDF over the whole review, terms in
  more than 95 % of the records dropped, no stop words, no minimum document frequency, rows
  L2-normalised; a linear SVM (C = 0.11, squared hinge) with "balanced" sample weights (all
  irrelevant records together weigh 9.8 x all relevant ones); the undecided records ranked by
  the SVM's decision value (certainty sampling). Those constants are ASReview's, not ours.
* The words are hashed (2**23 buckets, ~2.5 % of a review's bigrams share one) so a record's row
  depends only on its own text and is computed once; CJK text, which has no spaces, adds
  character 1-2-grams over runs of CJK characters in the same space.
* The one addition, for the tail: once the reviewer has made ``explore_after`` irrelevant
  decisions in a row, the word model has run dry, and the ranking averages it (z-scores, equal
  weights) with a second SVM on within-word character 4-grams, which reaches relevant records
  worded differently from those found so far, until a relevant record turns up.
* Ties are broken by a seeded random key, never by input order, so a file that lists its
  included records first cannot leak into the queue.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.svm import LinearSVC

RecordId = Hashable

# Hash widths: wide enough that terms almost never share a column (2**30 buckets: ~0.02 % of a
# 2,000-record review's 200k distinct 1-2-grams, ~0.5 % of a 100k-record review's millions), so
# the hashed rows behave like ASReview's fitted vocabulary (at 2**23, 2.5 % shared a column, and
# that alone cost Kitchenham 0.01 WSS@95). The width costs nothing: blocks keep only the columns
# the review uses. The CJK character block sits after the word block in the same space.
_WORD_FEATURES = 2**30
_CJK_FEATURES = 2**20
# Character 4-grams inside word boundaries (all scripts).
_SUBWORD_FEATURES = 2**26

WORD, SUBWORD = "word", "subword"
BLOCK_WIDTH = {WORD: _WORD_FEATURES + _CJK_FEATURES, SUBWORD: _SUBWORD_FEATURES}
# Rows read (and scored) at a time: bounds memory whatever the size of the review.
CHUNK_ROWS = 8192

# CJK unified ideographs (+ extension A, compatibility), kana, Hangul syllables, CJK punctuation
# excluded: runs of these are what the character block reads.
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")


def cjk_ngrams(text: str) -> list[str]:
    """Character unigrams and bigrams inside each run of CJK characters (none for Latin text)."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        grams.extend(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _hashing(**kwargs) -> HashingVectorizer:
    return HashingVectorizer(alternate_sign=False, norm=None, dtype=np.float32, **kwargs)


_WORD_VECTORIZER = _hashing(ngram_range=(1, 2), n_features=_WORD_FEATURES)
_CJK_VECTORIZER = _hashing(analyzer=cjk_ngrams, n_features=_CJK_FEATURES)
_SUBWORD_VECTORIZER = _hashing(analyzer="char_wb", ngram_range=(4, 4), n_features=_SUBWORD_FEATURES)


@dataclass(frozen=True)
class ModelConfig:
    """Knobs of the ranking model; the defaults are ASReview's except ``explore_after``."""

    svm_c: float = 0.11
    # Weight of all irrelevant records relative to all relevant ones (ASReview's "ratio").
    balance_ratio: float = 9.8
    max_df: float = 0.95
    # After this many irrelevant decisions in a row the word model has run dry: the ranking
    # averages in the character 4-gram SVM until a relevant record turns up. 0 = never.
    explore_after: int = 150


DEFAULT_CONFIG = ModelConfig()


@dataclass
class RankResult:
    """The queue order for the unlabelled records and what produced it."""

    order: list  # unlabelled ids, most relevant first
    scores: dict  # id -> float, higher = more likely relevant
    trained_on: int  # number of labelled records the model saw (0 = random fallback)
    seconds: float
    model: str = "tfidf-word-svm"


EXPLORE_MODEL = "tfidf-word-svm+char4-svm"


def record_text(title: str, abstract: str = "", keywords: Iterable[str] = ()) -> str:
    """The text the model reads for one record: title, abstract and keywords."""
    parts = [title or "", abstract or "", " ".join(k for k in keywords if k)]
    return "\n".join(p.strip() for p in parts if p and p.strip())


# --------------------------------------------------------------------------------------------
# Features: per-record sublinear term frequencies (hashed), IDF and row norms per review


def _sublinear(counts: sp.csr_matrix) -> sp.csr_matrix:
    """1 + ln(tf), as scikit-learn's ``sublinear_tf`` (ASReview's setting); float32, int32."""
    counts = counts.tocsr()
    counts.sum_duplicates()
    counts.data = (1.0 + np.log(counts.data)).astype(np.float32)
    counts.indices = counts.indices.astype(np.int32, copy=False)
    return counts


def term_weights(texts: Sequence[str]) -> dict[str, sp.csr_matrix]:
    """Each text's sublinear term frequencies per block (one row per text, hashed columns).

    A row depends only on its own text, so it is computed once per record and kept.
    """
    texts = [t or "" for t in texts]
    word = sp.hstack(
        [_WORD_VECTORIZER.transform(texts), _CJK_VECTORIZER.transform(texts)], format="csr"
    )
    return {WORD: _sublinear(word), SUBWORD: _sublinear(_SUBWORD_VECTORIZER.transform(texts))}


def idf_weights(df: np.ndarray, n_docs: int, max_df: float = DEFAULT_CONFIG.max_df) -> np.ndarray:
    """Smooth IDF (scikit-learn's) per column; terms in more than ``max_df`` of the records get 0,
    as if dropped from the vocabulary (ASReview's ``max_df``)."""
    idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    idf[df > max_df * n_docs] = 0.0
    return idf


class Block:
    """One feature block of a review: sublinear tf rows (hashed columns), the IDF over the
    review and each row's TF-IDF norm. Subclasses say where the rows live (:meth:`read`)."""

    width: int
    n_rows: int
    idf: np.ndarray
    norms: np.ndarray

    def read(self, start: int, stop: int) -> sp.csr_matrix:
        """Rows start..stop of sublinear tf (not yet weighted)."""
        raise NotImplementedError

    def _weighted(self, raw: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
        """L2-normalised TF-IDF of raw rows (``rows``: their row numbers in the block)."""
        row_of = np.repeat(rows, np.diff(raw.indptr))
        raw.data = raw.data * self.idf[raw.indices] / self.norms[row_of]
        return raw

    def gather(self, rows: np.ndarray, *, raw: bool = False) -> sp.csr_matrix:
        """TF-IDF rows (``raw``: sublinear tf) in the order given, read a chunk at a time."""
        rows = np.asarray(rows, dtype=np.int64)
        by_position = np.argsort(rows, kind="stable")
        ordered = rows[by_position]
        parts = []
        for start in range(0, self.n_rows, CHUNK_ROWS):
            lo, hi = np.searchsorted(ordered, [start, start + CHUNK_ROWS])
            if hi > lo:
                chunk = self.read(start, min(self.n_rows, start + CHUNK_ROWS))
                part = chunk[ordered[lo:hi] - start]
                parts.append(part if raw else self._weighted(part, ordered[lo:hi]))
        out = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, self.width))
        inverse = np.empty_like(by_position)
        inverse[by_position] = np.arange(len(rows))
        return out[inverse]

    def dot(self, w: np.ndarray) -> np.ndarray:
        """TF-IDF rows @ w for every row, a chunk at a time (no copy of the whole block):
        (tf * idf / norm) @ w = (tf @ (idf * w)) / norm."""
        v = (self.idf * w).astype(np.float32)
        out = np.empty(self.n_rows, dtype=np.float32)
        for start in range(0, self.n_rows, CHUNK_ROWS):
            stop = min(self.n_rows, start + CHUNK_ROWS)
            out[start:stop] = (self.read(start, stop) @ v) / self.norms[start:stop]
        return out


def block_statistics(
    rows: Iterable[sp.csr_matrix], width: int, n_rows: int, max_df: float
) -> np.ndarray:
    """IDF of a block from its rows (any number of chunks, read once)."""
    df = np.zeros(width, dtype=np.int64)
    for chunk in rows:
        df += np.bincount(chunk.indices, minlength=width)
    return idf_weights(df, n_rows, max_df)


def row_norms(chunk: sp.csr_matrix, idf: np.ndarray) -> np.ndarray:
    """Each row's TF-IDF L2 norm (1 for an empty row, which then stays all zero)."""
    weighted = chunk.copy()
    weighted.data = weighted.data * idf[weighted.indices]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return np.where(norms > 0, norms, 1.0).astype(np.float32)


class MemoryBlock(Block):
    """A block held in memory (tests, benchmarks, :func:`rank`). Its columns are the ones its
    rows use (the review's vocabulary), not the hash width: full-width vectors per retrain
    would cost more than the training on a small review."""

    def __init__(self, rows: sp.csr_matrix, max_df: float) -> None:
        rows = rows.tocsr()
        used = np.unique(rows.indices)
        rows = sp.csr_matrix(
            (rows.data, np.searchsorted(used, rows.indices).astype(np.int32), rows.indptr),
            shape=(rows.shape[0], max(1, len(used))),
        )
        self.rows = rows
        self.width = rows.shape[1]
        self.n_rows = rows.shape[0]
        self.idf = block_statistics([self.rows], self.width, self.n_rows, max_df)
        self.norms = row_norms(self.rows, self.idf)

    def read(self, start: int, stop: int) -> sp.csr_matrix:
        return self.rows[start:stop].copy()


class Features:
    """A review's features: row positions of record ids, and the blocks (word, subword)."""

    def __init__(self, ids: Sequence[RecordId], blocks: Mapping[str, Block]) -> None:
        self.ids = list(ids)
        self.blocks = dict(blocks)
        self._row = {rid: n for n, rid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, ids: Sequence[RecordId]) -> np.ndarray:
        return np.fromiter((self._row[i] for i in ids), dtype=np.int64, count=len(ids))

    @classmethod
    def from_texts(
        cls, ids: Sequence[RecordId], texts: Sequence[str], config: ModelConfig = DEFAULT_CONFIG
    ) -> Features:
        return cls.from_weights(ids, term_weights(texts), config)

    @classmethod
    def from_weights(
        cls,
        ids: Sequence[RecordId],
        weights: Mapping[str, sp.csr_matrix],
        config: ModelConfig = DEFAULT_CONFIG,
    ) -> Features:
        return cls(ids, {name: MemoryBlock(m, config.max_df) for name, m in weights.items()})


class FeatureStore:
    """In-memory store of per-record term weights keyed by id and text digest (tests, benches,
    :func:`rank`); the app keeps the same rows on disk (:mod:`screening.ranking.store`)."""

    def __init__(self) -> None:
        self._texts: dict[RecordId, tuple[bytes, dict[str, sp.csr_matrix]]] = {}
        self._features: tuple[tuple, Features] | None = None

    def __len__(self) -> int:
        return len(self._texts)

    @staticmethod
    def _hash(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()

    def update(self, records: Iterable[tuple[RecordId, str]]) -> int:
        """Compute rows for records that are new or whose text changed; returns how many."""
        todo = [
            (rid, text, digest)
            for rid, text in records
            if self._texts.get(rid, (None,))[0] != (digest := self._hash(text))
        ]
        if todo:
            weights = term_weights([t for _, t, _ in todo])
            for n, (rid, _, digest) in enumerate(todo):
                self._texts[rid] = (digest, {k: m[n] for k, m in weights.items()})
        return len(todo)

    def features(self, config: ModelConfig = DEFAULT_CONFIG) -> Features:
        """Features over every record in the store (IDF over all of them), cached."""
        key = (tuple((rid, d) for rid, (d, _) in self._texts.items()), config)
        if self._features is None or self._features[0] != key:
            ids = list(self._texts)
            weights = {
                name: sp.vstack([self._texts[i][1][name] for i in ids], format="csr")
                for name in (WORD, SUBWORD)
            }
            self._features = (key, Features.from_weights(ids, weights, config))
        return self._features[1]


# --------------------------------------------------------------------------------------------
# Model


def _balanced_weights(y: np.ndarray, ratio: float) -> np.ndarray:
    """ASReview's balance: all irrelevant records together weigh ``ratio`` x all relevant."""
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    w = np.where(y == 1, 1.0, n_pos / (ratio * n_neg))
    return w * (len(y) / w.sum())


def _zscore(s: np.ndarray) -> np.ndarray:
    sd = float(s.std())
    return (s - s.mean()) / (sd if sd > 0 else 1.0)


def fit_svm(
    train: sp.csr_matrix, y: np.ndarray, *, seed: int = 0, config: ModelConfig = DEFAULT_CONFIG
) -> tuple[np.ndarray, float]:
    """ASReview's SVM on the labelled rows: (weight per column of ``train``, intercept).

    It is fitted on the columns its rows use only: the others get weight 0 anyway (no row moves
    them, and the regulariser keeps them there), and the hash width would cost liblinear time.
    """
    used = np.unique(train.indices)
    compact = sp.csr_matrix(
        (train.data, np.searchsorted(used, train.indices).astype(np.int32), train.indptr),
        shape=(train.shape[0], max(1, len(used))),
    )
    clf = LinearSVC(C=config.svm_c, random_state=seed % 2**32)
    clf.fit(compact, y, sample_weight=_balanced_weights(y, config.balance_ratio))
    w = np.zeros(train.shape[1], dtype=np.float32)
    w[used] = clf.coef_.ravel()[: len(used)]
    return w, float(clf.intercept_[0])


def svm_scores(
    block: Block, labelled: np.ndarray, y: np.ndarray, *, seed: int, config: ModelConfig
) -> np.ndarray:
    """The SVM's decision value for every row of the block, trained on the labelled rows."""
    w, intercept = fit_svm(block.gather(labelled), y, seed=seed, config=config)
    return block.dot(w) + intercept


def irrelevant_run(decisions_in_order: Iterable[bool]) -> int:
    """How many irrelevant decisions in a row end the sequence (True = relevant)."""
    run = 0
    for relevant in reversed(list(decisions_in_order)):
        if relevant:
            break
        run += 1
    return run


def explores(run: int, config: ModelConfig = DEFAULT_CONFIG) -> bool:
    """Whether a retrain after ``run`` irrelevant decisions in a row adds the 4-gram SVM."""
    return config.explore_after > 0 and run >= config.explore_after


def score_rows(
    features: Features,
    labelled: np.ndarray,
    y: np.ndarray,
    unlabelled: np.ndarray,
    *,
    seed: int = 0,
    config: ModelConfig = DEFAULT_CONFIG,
    explore: bool = False,
) -> np.ndarray:
    """Scores of the unlabelled rows: the word SVM, or in explore mode z(word SVM) + z(4-gram
    SVM) (equal weights: no constant to tune)."""
    word = svm_scores(features.blocks[WORD], labelled, y, seed=seed, config=config)[unlabelled]
    if not explore or len(unlabelled) < 2:
        return word
    sub = svm_scores(features.blocks[SUBWORD], labelled, y, seed=seed, config=config)[unlabelled]
    return _zscore(word) + _zscore(sub)


def _random_keys(ids: Sequence[RecordId], seed: int) -> np.ndarray:
    """A seeded random number per id, stable for a given seed whatever the input order."""
    if all(type(i) is int for i in ids):
        # Integer ids (database keys): a vectorised splitmix64 of (seed, id), ~100x faster.
        with np.errstate(over="ignore"):
            z = np.array(ids, dtype=np.uint64) + np.uint64((seed * 0x9E3779B97F4A7C15) & _MASK64)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
        return (z >> np.uint64(11)).astype(np.float64) / 2.0**53
    keys = np.empty(len(ids))
    for n, rid in enumerate(ids):
        h = hashlib.blake2b(f"{seed}:{rid!r}".encode(), digest_size=8).digest()
        keys[n] = int.from_bytes(h, "big") / 2**64
    return keys


_MASK64 = (1 << 64) - 1


def order_by_score(
    ids: Sequence[RecordId], scores: Sequence[float] | np.ndarray, *, seed: int = 0
) -> list[RecordId]:
    """Highest score first; equal scores in a seeded random order, never in input order."""
    keys = _random_keys(ids, seed)
    # lexsort: last key is primary.
    idx = np.lexsort((keys, -np.asarray(scores, dtype=np.float64)))
    return [ids[i] for i in idx.tolist()]


def rank(
    labelled: Sequence[tuple[RecordId, str, bool]],
    unlabelled: Sequence[tuple[RecordId, str]],
    *,
    seed: int = 0,
    store: FeatureStore | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
    run: int = 0,
) -> RankResult:
    """Order the unlabelled records, most likely relevant first.

    ``labelled`` holds (id, text, relevant) with relevant=True for Include/Maybe and False for
    Exclude. Without at least one relevant and one irrelevant label there is nothing to learn
    from, so the order is a seeded random shuffle (``trained_on == 0``). Pass a
    :class:`FeatureStore` to reuse the rows of records seen in earlier calls. ``run`` is the
    reviewer's current streak of irrelevant decisions (:func:`irrelevant_run`).
    """
    started = time.perf_counter()
    un_ids = [rid for rid, _ in unlabelled]
    labels = np.array([1 if rel else 0 for _, _, rel in labelled], dtype=np.int8)
    if not un_ids:
        return RankResult([], {}, len(labelled), time.perf_counter() - started)
    if labels.size == 0 or labels.min() == labels.max():
        order = order_by_score(un_ids, np.zeros(len(un_ids)), seed=seed)
        scores = dict.fromkeys(un_ids, 0.0)
        return RankResult(order, scores, 0, time.perf_counter() - started, model="random")
    store = FeatureStore() if store is None else store
    store.update([(rid, text) for rid, text, _ in labelled])
    store.update(unlabelled)
    lab_ids = [rid for rid, _, _ in labelled]
    features = store.features(config)
    return rank_ids(
        lab_ids, labels, un_ids, features, seed=seed, config=config, started=started, run=run
    )


def rank_ids(
    labelled_ids: Sequence[RecordId],
    labels: np.ndarray,
    unlabelled_ids: Sequence[RecordId],
    features: Features,
    *,
    seed: int = 0,
    config: ModelConfig = DEFAULT_CONFIG,
    started: float | None = None,
    run: int = 0,
) -> RankResult:
    """The retraining step of :func:`rank` for records whose rows ``features`` holds."""
    started = time.perf_counter() if started is None else started
    explore = explores(run, config)
    scores = score_rows(
        features,
        features.rows(labelled_ids),
        np.asarray(labels),
        features.rows(unlabelled_ids),
        seed=seed,
        config=config,
        explore=explore,
    )
    order = order_by_score(unlabelled_ids, scores, seed=seed)
    return RankResult(
        order,
        dict(zip(unlabelled_ids, scores.tolist(), strict=True)),
        len(labelled_ids),
        time.perf_counter() - started,
        model=EXPLORE_MODEL if explore else RankResult.model,
    )


def seeded_shuffle(ids: Sequence[RecordId], seed: int) -> list[RecordId]:
    """A reproducible random order (for queues before the model has both kinds of label)."""
    out = list(ids)
    random.Random(seed).shuffle(out)
    return out
