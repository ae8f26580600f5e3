"""Relevance ranking for title/abstract screening, and a stopping estimate.

Pure functions over plain Python data: no Django, no ORM, no I/O. The Celery task that wires this
into a review loads the decided and undecided records, calls :func:`rank`, and stores the order.

Model (chosen on ``bench/ranking_bench.py``, see docs/benchmarks.md "Relevance ranking"):

* features: sublinear TF-IDF over word 1-2-grams, plus character 1-2-grams over runs of CJK
  characters only (Chinese and Japanese have no spaces, so a "word" would be a whole clause).
  All blocks are hashed, so a record's raw counts do not depend on the rest of the corpus and
  are cached (:class:`FeatureStore`); only the IDF weights are recomputed per review, which is
  cheap. The blocks share one feature space (one L2-normalised row per record), so
  mixed-language reviews need no special casing. Columns no record of the review uses are
  dropped, so the models see the review's vocabulary, not the (wide, 2**23) hash space.
* classifier: a linear SVM and a multinomial naive Bayes, both trained on the decided records
  with "balanced" sample weights (all irrelevant records together weigh a fixed multiple of all
  relevant ones, the trick ASReview uses); the score is z(SVM) + 0.5 z(NB log-odds), each one
  sparse matrix-vector product over the undecided records.
* explore mode: once the reviewer has made ``explore_after`` (60) irrelevant decisions in a
  row, the word model has run dry; the next retrains add a within-word character 4-gram block
  (all scripts, half weight) and a second SVM on it, mixed with the usual score, until a
  relevant record turns up. The 4-grams reach the last, oddly worded relevant records
  (WSS@100); kept out of the normal mode, they cost nothing while the word model is finding
  records (character n-grams throughout had lowered WSS@95 and cost 3x the non-zeros).
* ties are broken by a seeded random key, never by input order, so a file that lists its
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
from sklearn.naive_bayes import MultinomialNB
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

RecordId = Hashable

# Hash widths: a 2,000-record review has ~200k distinct word 1-2-grams, of which 2**20 buckets
# merge ~18 % with another; 2**23 merge ~2.5 % (ASReview's vocabulary merges none), and a 100k
# search has millions. The width costs nothing in training: build_features drops the columns no
# record of the review uses, so the models see the review's own vocabulary.
# CJK character 1-2-grams have a much smaller vocabulary.
_WORD_FEATURES = 2**23
_CHAR_FEATURES = 2**18
# Character 4-grams inside word boundaries (all scripts): ~100k distinct in a 2,000-record review.
_SUBWORD_FEATURES = 2**20

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


_WORD_VECTORIZER = HashingVectorizer(
    ngram_range=(1, 2),
    n_features=_WORD_FEATURES,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)
_CHAR_VECTORIZER = HashingVectorizer(
    analyzer=cjk_ngrams,
    n_features=_CHAR_FEATURES,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)
_SUBWORD_VECTORIZER = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(4, 4),
    n_features=_SUBWORD_FEATURES,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)

Counts = tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]


@dataclass(frozen=True)
class ModelConfig:
    """Knobs of the ranking model; the defaults are the benchmarked ones."""

    svm_c: float = 0.11
    # Weight of all irrelevant records relative to all relevant ones (ASReview's "ratio").
    balance_ratio: float = 9.8
    word_weight: float = 1.0
    # Relative weight of the CJK character block (before the joint L2 normalisation).
    char_weight: float = 1.0
    max_df: float = 0.95
    # Naive Bayes (ASReview's alpha) mixed into the SVM's ranking: z-scores, this weight.
    nb_alpha: float = 3.822
    nb_weight: float = 0.5
    # After this many irrelevant decisions in a row the word model has run dry: the next
    # retrains add character 4-grams (within words) at this weight, which reach the oddly
    # worded relevant records the word n-grams miss, until a relevant record turns up.
    explore_after: int = 60
    subword_weight: float = 0.5
    # In explore mode the score is z(explore SVM) + this weight * z(the usual score), so the
    # word model's view is kept; 0 = the explore SVM alone.
    explore_focus_weight: float = 1.0


DEFAULT_CONFIG = ModelConfig()


@dataclass
class RankResult:
    """The queue order for the unlabelled records and what produced it."""

    order: list  # unlabelled ids, most relevant first
    scores: dict  # id -> float, higher = more likely relevant
    trained_on: int  # number of labelled records the model saw (0 = random fallback)
    seconds: float
    model: str = "tfidf-word+cjk-svm+nb"


def record_text(title: str, abstract: str = "", keywords: Iterable[str] = ()) -> str:
    """The text the model reads for one record: title, abstract and keywords."""
    parts = [title or "", abstract or "", " ".join(k for k in keywords if k)]
    return "\n".join(p.strip() for p in parts if p and p.strip())


# --------------------------------------------------------------------------------------------
# Features


def raw_counts(texts: Sequence[str]) -> Counts:
    """Hashed word 1-2-gram, CJK character 1-2-gram and within-word character 4-gram counts,
    one row per text.

    Each row depends only on its own text, so rows can be computed once per record and cached.
    """
    texts = [t or "" for t in texts]
    return (
        _WORD_VECTORIZER.transform(texts).tocsr(),
        _CHAR_VECTORIZER.transform(texts).tocsr(),
        _SUBWORD_VECTORIZER.transform(texts).tocsr(),
    )


def _tfidf(counts: sp.csr_matrix, max_df: float) -> sp.csr_matrix:
    """Sublinear TF-IDF with IDF from these rows (the whole review), not yet normalised."""
    counts = counts.tocsr(copy=True)
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    # Terms in nearly every record (e.g. "the") carry no signal; ASReview drops them the same way.
    if n_docs >= 20:
        idf[df > max_df * n_docs] = 0.0
    counts.data = np.log1p(counts.data) * idf[counts.indices]
    counts.eliminate_zeros()
    return counts


@dataclass
class Features:
    """One L2-normalised TF-IDF row per record (rows aligned with ``ids``)."""

    ids: list
    x: sp.csr_matrix


def build_features(
    ids: Sequence[RecordId],
    counts: Counts,
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    explore: bool = False,
) -> Features:
    """TF-IDF rows; ``explore`` adds the within-word character 4-gram block."""
    word, char, subword = counts
    blocks = [config.word_weight * _tfidf(word, config.max_df)]
    # Latin-only reviews have an empty character block: skip it rather than carry 2**18 columns.
    if char.nnz and config.char_weight > 0:
        blocks.append(config.char_weight * _tfidf(char, config.max_df))
    if explore and subword.nnz and config.subword_weight > 0:
        blocks.append(config.subword_weight * _tfidf(subword, config.max_df))
    x = blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")
    x = normalize(x, norm="l2", copy=False).astype(np.float32)
    return Features(list(ids), _drop_empty_columns(x))


def _drop_empty_columns(x: sp.csr_matrix) -> sp.csr_matrix:
    """The same rows over only the columns some row uses (order kept): the review's vocabulary.

    The models' weight vectors are as wide as the matrix, and the naive Bayes smoothing counts
    every column, so they should see the review's vocabulary, not the hash width.
    """
    used = np.bincount(x.indices, minlength=x.shape[1]) > 0
    new_index = (np.cumsum(used) - 1).astype(x.indices.dtype)
    out = sp.csr_matrix(
        (x.data, new_index[x.indices], x.indptr),
        shape=(x.shape[0], max(1, int(used.sum()))),
    )
    out.has_sorted_indices = x.has_sorted_indices
    return out


class FeatureStore:
    """Cache of per-record raw counts, keyed by id and a hash of the text.

    Featurising 100,000 abstracts takes far longer than training on them, so the integration
    keeps one store per review (it pickles) and only new or edited records are featurised again.
    """

    def __init__(self) -> None:
        self._row: dict[RecordId, int] = {}
        self._digest: dict[RecordId, bytes] = {}
        # One list of row blocks per kind of count (word, CJK, subword), vstacked lazily.
        self._blocks: list[list[sp.csr_matrix]] = [[], [], []]
        self._rows = 0
        # TF-IDF over every live record, per feature set (explore or not), rebuilt only when
        # records were added or edited.
        self._tfidf: dict[bool, tuple[tuple[int, ModelConfig], sp.csr_matrix, np.ndarray]] = {}

    @classmethod
    def from_counts(cls, ids: Sequence[RecordId], counts: Counts) -> FeatureStore:
        """A store over counts computed elsewhere (benchmarks); their texts count as unknown."""
        store = cls()
        store._blocks = [[c.tocsr()] for c in counts]
        store._row = {rid: n for n, rid in enumerate(ids)}
        store._digest = dict.fromkeys(ids, b"")
        store._rows = len(ids)
        return store

    def has(self, rid: RecordId) -> bool:
        return rid in self._row

    def __len__(self) -> int:
        return len(self._row)

    @staticmethod
    def _hash(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).digest()

    def stale(self, digests: Iterable[tuple[RecordId, Hashable]]) -> list[RecordId]:
        """Of (id, digest of its text) pairs computed elsewhere (the database), the ids that are
        new or whose text changed: only their texts need reading."""
        return [rid for rid, digest in digests if self._digest.get(rid) != digest]

    def update(
        self,
        records: Iterable[tuple[RecordId, str]],
        digests: Mapping[RecordId, Hashable] | None = None,
    ) -> int:
        """Featurise records that are new or whose text changed; returns how many were.

        ``digests``: each record's digest as given to :meth:`stale` (else the text is hashed
        here); one store keeps to one kind of digest.
        """
        todo = []
        for rid, text in records:
            digest = digests[rid] if digests is not None else self._hash(text)
            if self._digest.get(rid) != digest:
                todo.append((rid, text, digest))
        if not todo:
            return 0
        counts = raw_counts([t for _, t, _ in todo])
        self._consolidate()
        for block, new in zip(self._blocks, counts, strict=True):
            block.append(new)
        for i, (rid, _, digest) in enumerate(todo):
            # An edited record gets a new row; its old row is simply never selected again.
            self._row[rid] = self._rows + i
            self._digest[rid] = digest
        self._rows += len(todo)
        return len(todo)

    def _consolidate(self) -> None:
        for n, block in enumerate(self._blocks):
            if len(block) > 1:
                self._blocks[n] = [sp.vstack(block, format="csr")]

    def features(
        self,
        ids: Sequence[RecordId],
        config: ModelConfig = DEFAULT_CONFIG,
        *,
        explore: bool = False,
    ) -> sp.csr_matrix:
        """TF-IDF rows for ``ids`` with IDF over every record in the store (the review).

        Between imports the IDF does not change, so retraining after a few more decisions only
        selects rows: the expensive part of featurising is done once per import (and once more
        the first time the review's reviewer needs the ``explore`` features).
        """
        key = (self._rows, config)
        cached = self._tfidf.get(explore)
        if cached is None or cached[0] != key:
            self._consolidate()
            live = np.fromiter(self._row.values(), dtype=np.int64, count=len(self._row))
            live.sort()
            # The 4-gram block is the largest: copied only when the explore features need it.
            word, char, subword = (
                block[0][live] if n < 2 or explore else block[0][:0]
                for n, block in enumerate(self._blocks)
            )
            x = build_features(live.tolist(), (word, char, subword), config, explore=explore).x
            position = np.full(self._rows, -1, dtype=np.int64)
            position[live] = np.arange(len(live))
            cached = self._tfidf[explore] = (key, x, position)
        _, x, position = cached
        rows = np.fromiter((self._row[i] for i in ids), dtype=np.int64, count=len(ids))
        return x[position[rows]]

    def counts(self, ids: Sequence[RecordId]) -> Counts:
        self._consolidate()
        rows = np.fromiter((self._row[i] for i in ids), dtype=np.int64, count=len(ids))
        word, char, subword = (block[0][rows] for block in self._blocks)
        return word, char, subword


# --------------------------------------------------------------------------------------------
# Model


def _balanced_weights(y: np.ndarray, ratio: float) -> np.ndarray:
    """ASReview-style balance: all irrelevant records together weigh ``ratio`` x all relevant."""
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    w = np.where(y == 1, 1.0, n_pos / (ratio * n_neg))
    return w * (len(y) / w.sum())


def _zscore(s: np.ndarray) -> np.ndarray:
    sd = float(s.std())
    return (s - s.mean()) / (sd if sd > 0 else 1.0)


def score_features(
    train: sp.csr_matrix,
    y: np.ndarray,
    test: sp.csr_matrix,
    *,
    seed: int = 0,
    config: ModelConfig = DEFAULT_CONFIG,
    explore: bool = False,
) -> np.ndarray:
    """Fit on labelled rows (y: 1 relevant, 0 irrelevant) and score the unlabelled rows.

    Normally the score is z(SVM) + nb_weight * z(naive Bayes log-odds), both fitted with the
    same balanced weights; the two linear models err on different records, and the mix ranks
    the bulk of the relevant records earlier than either alone. In ``explore`` mode (the features
    then include character 4-grams) the SVM alone scores.
    """
    weights = _balanced_weights(y, config.balance_ratio)
    clf = LinearSVC(C=config.svm_c, random_state=seed % 2**32)
    clf.fit(train, y, sample_weight=weights)
    # decision_function = one sparse mat-vec over the undecided rows.
    svm = np.asarray(test @ clf.coef_.ravel().astype(np.float32) + clf.intercept_[0])
    if explore or config.nb_weight <= 0 or test.shape[0] < 2:
        return svm
    nb = MultinomialNB(alpha=config.nb_alpha).fit(train, y, sample_weight=weights)
    # The log-odds of relevance (predict_log_proba's difference), as one more mat-vec.
    log_ratio = (nb.feature_log_prob_[1] - nb.feature_log_prob_[0]).astype(np.float32)
    odds = np.asarray(test @ log_ratio) + (nb.class_log_prior_[1] - nb.class_log_prior_[0])
    return _zscore(svm) + config.nb_weight * _zscore(odds)


def score_explore(
    train: sp.csr_matrix,
    test: sp.csr_matrix,
    train_explore: sp.csr_matrix,
    test_explore: sp.csr_matrix,
    y: np.ndarray,
    *,
    seed: int = 0,
    config: ModelConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """The explore-mode score: the SVM on the features with character 4-grams, mixed with the
    usual score on the usual features (``config.explore_focus_weight``)."""
    explore = score_features(train_explore, y, test_explore, seed=seed, config=config, explore=True)
    if config.explore_focus_weight <= 0 or test.shape[0] < 2:
        return explore
    focus = score_features(train, y, test, seed=seed, config=config)
    return _zscore(explore) + config.explore_focus_weight * _zscore(focus)


def irrelevant_run(decisions_in_order: Iterable[bool]) -> int:
    """How many irrelevant decisions in a row end the sequence (True = relevant)."""
    run = 0
    for relevant in reversed(list(decisions_in_order)):
        if relevant:
            break
        run += 1
    return run


def explores(run: int, config: ModelConfig = DEFAULT_CONFIG) -> bool:
    """Whether a retrain after ``run`` irrelevant decisions in a row uses the explore features."""
    return config.explore_after > 0 and run >= config.explore_after


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
    :class:`FeatureStore` to reuse the features of records seen in earlier calls. ``run`` is the
    reviewer's current streak of irrelevant decisions (:func:`irrelevant_run`): from
    ``config.explore_after`` on, the model adds character 4-grams (see :func:`explores`).
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

    lab_ids = [rid for rid, _, _ in labelled]
    if store is None:
        store = FeatureStore()
    store.update([(rid, text) for rid, text, _ in labelled])
    store.update(unlabelled)
    return rank_ids(
        lab_ids, labels, un_ids, store, seed=seed, config=config, started=started, run=run
    )


def rank_ids(
    labelled_ids: Sequence[RecordId],
    labels: np.ndarray,
    unlabelled_ids: Sequence[RecordId],
    store: FeatureStore,
    *,
    seed: int = 0,
    config: ModelConfig = DEFAULT_CONFIG,
    started: float | None = None,
    run: int = 0,
) -> RankResult:
    """The retraining step of :func:`rank` for records already in ``store``."""
    started = time.perf_counter() if started is None else started
    explore = explores(run, config)
    ids = [*labelled_ids, *unlabelled_ids]
    x = store.features(ids, config)
    n = len(labelled_ids)
    y = np.asarray(labels)
    if explore:
        xe = store.features(ids, config, explore=True)
        scores = score_explore(x[:n], x[n:], xe[:n], xe[n:], y, seed=seed, config=config)
    else:
        scores = score_features(x[:n], y, x[n:], seed=seed, config=config)
    return _result(unlabelled_ids, scores, n, seed, started, explore)


def _result(
    unlabelled_ids: Sequence[RecordId],
    scores: np.ndarray,
    n: int,
    seed: int,
    started: float,
    explore: bool = False,
) -> RankResult:
    order = order_by_score(unlabelled_ids, scores, seed=seed)
    return RankResult(
        order,
        dict(zip(unlabelled_ids, scores.tolist(), strict=True)),
        n,
        time.perf_counter() - started,
        model="tfidf-word+cjk+char4-svm+focus" if explore else RankResult.model,
    )


def rank_counts(
    labelled_ids: Sequence[RecordId],
    labels: np.ndarray,
    unlabelled_ids: Sequence[RecordId],
    counts: Counts,
    *,
    seed: int = 0,
    config: ModelConfig = DEFAULT_CONFIG,
    started: float | None = None,
    run: int = 0,
) -> RankResult:
    """The retraining step of :func:`rank` on cached raw counts (labelled rows first)."""
    started = time.perf_counter() if started is None else started
    n = len(labelled_ids)
    explore = explores(run, config)
    ids = [*labelled_ids, *unlabelled_ids]
    y = np.asarray(labels)
    # IDF over the whole review (decided + undecided): unsupervised, so no label leaks.
    x = build_features(ids, counts, config).x
    if explore:
        xe = build_features(ids, counts, config, explore=True).x
        scores = score_explore(x[:n], x[n:], xe[:n], xe[n:], y, seed=seed, config=config)
    else:
        scores = score_features(x[:n], y, x[n:], seed=seed, config=config)
    return _result(unlabelled_ids, scores, n, seed, started, explore)


def seeded_shuffle(ids: Sequence[RecordId], seed: int) -> list[RecordId]:
    """A reproducible random order (for queues before the model has both kinds of label)."""
    out = list(ids)
    random.Random(seed).shuffle(out)
    return out
