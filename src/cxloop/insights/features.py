"""Hashed text features fast enough for the fast path (≥ 5,000 texts/s on one core).

scikit-learn's ``TfidfVectorizer`` and ``HashingVectorizer`` build character n-grams in a Python
loop per text: about 500 review-length texts/s here, ten times too slow for the issue's budget.
This module computes the same kind of features with whole-batch numpy operations instead:

- **char view**: character n-grams (2–5 by default) of the normalised text padded with spaces,
  hashed into ``2**char_bits`` buckets with a polynomial rolling hash (multiplicative hashing for
  the bucket);
- **word view**: lemma unigrams and bigrams with negation marks (``text.word_tokens``), hashed
  with CRC-32 (stable across processes, unlike ``hash()``) into ``2**word_bits`` buckets.

Each view is weighted by sublinear TF × IDF (``fit`` learns the IDF) and L2-normalised, then the
views are put side by side; ``word_weight`` scales the word view against the char view.

- **English lexicon view** (optional, ``lexicon_weight`` > 0): VADER's sentiment of each English
  text (``vaderSentiment``, MIT: a valence lexicon with rules for negation, intensifiers, "but",
  capitals, exclamation marks and emoji), as five non-negative columns; other languages get
  zeros. Tweets and short English answers say a lot with few words, and a lexicon built from
  thousands of rated words knows them before the workspace has examples of each.
Hashing keeps a trained model small (no vocabulary to store) and makes features independent of the
training set, so a model file is just the IDF vectors and the classifier's weights.
"""

from __future__ import annotations

import functools
import itertools
import zlib
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .text import NEG_MARK, lemma, normalise, word_tokens

_P = np.uint64(1_000_003)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Characters after this are ignored: long reviews say what they mean early, and a 1 MB text
# costs what a long review costs.
MAX_CHARS = 1_500


def _bucket(hashes: np.ndarray, bits: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return ((hashes * _GOLDEN) >> np.uint64(64 - bits)).astype(np.int64)


def char_ngram_counts(
    texts: Sequence[str],
    nmin: int,
    nmax: int,
    bits: int,
    lookup: tuple[np.ndarray, np.ndarray] | None = None,
) -> sp.csr_matrix:
    """Counts of hashed character n-grams; one row per text, n-grams never cross texts."""
    n_docs = len(texts)
    padded = [" " + text.replace("\x00", " ") + " " for text in texts]
    joined = "\x00".join(padded)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in padded), dtype=np.int64, count=n_docs)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)[: len(codes)]
    separators = np.concatenate(([0], np.cumsum(codes == 0)))
    rows, cols = [], []
    hashes = codes.copy()
    with np.errstate(over="ignore"):
        for n in range(2, nmax + 1):
            size = len(codes) - n + 1
            if size <= 0:
                break
            hashes = hashes[:size] * _P + codes[n - 1 : n - 1 + size]
            if n < nmin:
                continue
            clean = separators[n : n + size] - separators[:size] == 0
            rows.append(doc[:size][clean])
            cols.append(_bucket(hashes[clean] + np.uint64(n), bits))
    return _count_matrix(rows, cols, n_docs, bits, lookup)


def _count_matrix(
    rows: list,
    cols: list,
    n_docs: int,
    bits: int,
    lookup: tuple[np.ndarray, np.ndarray] | None = None,
) -> sp.csr_matrix:
    """Sparse counts from (row, col) pairs; one sort of packed keys instead of scipy's two.

    With ``lookup`` (the kept columns, and a table from hashed column to position among them or
    -1), columns are mapped and dropped here: much cheaper than scipy's column indexing of a
    ``2**bits``-wide matrix, which allocates that width for every call.
    """
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    width = 1 << bits
    if lookup is not None:
        columns, table = lookup
        col = table[col]
        keep = col >= 0
        row, col, width = row[keep], col[keep].astype(np.int64), len(columns)
    keys, counts = np.unique((row << bits) | col, return_counts=True)
    indptr = np.searchsorted(keys >> bits, np.arange(n_docs + 1), side="left")
    return sp.csr_matrix(
        (counts.astype(np.float32), (keys & ((1 << bits) - 1)).astype(np.int32), indptr),
        shape=(n_docs, width),
    )


# Surface token → CRC-32 of its feature (lemma, ``NEG_`` lemma when negated), per language.
_feature_hashes: dict[str, dict[str, int]] = {}
_CACHE_LIMIT = 1_000_000


def _feature_hash(token: str, language: str, cache: dict[str, int]) -> int:
    if token.startswith(NEG_MARK):
        feature = NEG_MARK + lemma(token[len(NEG_MARK) :], language)
    else:
        feature = lemma(token, language)
    value = zlib.crc32(feature.encode("utf-8"))
    if len(cache) < _CACHE_LIMIT:
        cache[token] = value
    return value


def word_hashes(normalised: str, language: str) -> list[int]:
    """Hashed lemma tokens of a normalised text (see ``text.word_tokens``)."""
    cache = _feature_hashes.setdefault(language, {})
    get = cache.get
    return [
        h if (h := get(token)) is not None else _feature_hash(token, language, cache)
        for token in word_tokens(normalised)
    ]


def word_ngram_counts(
    hash_lists: Sequence[list[int]], bits: int, lookup: tuple[np.ndarray, np.ndarray] | None = None
) -> sp.csr_matrix:
    """Counts of hashed word unigrams and bigrams."""
    n_docs = len(hash_lists)
    lengths = np.fromiter((len(t) for t in hash_lists), dtype=np.int64, count=n_docs)
    hashes = np.fromiter(
        itertools.chain.from_iterable(hash_lists), dtype=np.uint64, count=int(lengths.sum())
    )
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    rows, cols = [doc], [_bucket(hashes, bits)]
    if len(hashes) > 1:
        same = doc[1:] == doc[:-1]
        with np.errstate(over="ignore"):
            pairs = hashes[:-1][same] * _P + hashes[1:][same] + np.uint64(7)
        rows.append(doc[:-1][same])
        cols.append(_bucket(pairs, bits))
    return _count_matrix(rows, cols, n_docs, bits, lookup)


@functools.cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


LEXICON_COLUMNS = ("vader_negative", "vader_neutral", "vader_positive", "vader_up", "vader_down")


def english_lexicon(texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
    """VADER's negative / neutral / positive shares and its compound score split into its
    positive and negative parts (so every column is non-negative), for English texts only."""
    values = np.zeros((len(texts), len(LEXICON_COLUMNS)), dtype=np.float32)
    analyser = None
    for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
        if language != "en" or not text:
            continue
        analyser = analyser or _vader()
        found = analyser.polarity_scores(text[:MAX_CHARS])
        compound = found["compound"]
        values[i] = (found["neg"], found["neu"], found["pos"], max(compound, 0), max(-compound, 0))
    return values


class NotFitted(RuntimeError):
    """``transform`` before ``fit_transform``: a programming error."""


class TextFeatures:
    """Char and word views, TF-IDF weighted.

    ``fit`` keeps the hashed columns that occur in at least ``min_df`` training texts (a column
    seen once teaches nothing and makes the classifier slower and the model file larger) and
    learns their IDF; ``transform`` is then a pure function of the text.
    """

    def __init__(
        self,
        *,
        char_ngrams: tuple[int, int] = (2, 5),
        char_bits: int = 20,
        word_bits: int = 20,
        word_weight: float = 1.0,
        min_df: int = 2,
        lexicon_weight: float = 0.0,
    ) -> None:
        self.char_ngrams = char_ngrams
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.word_weight = word_weight
        self.min_df = min_df
        self.lexicon_weight = lexicon_weight
        self.char_columns: np.ndarray | None = None
        self.char_idf: np.ndarray | None = None
        self.word_columns: np.ndarray | None = None
        self.word_idf: np.ndarray | None = None

    @property
    def n_features(self) -> int:
        if self.char_columns is None or self.word_columns is None:
            raise NotFitted
        lexicon = len(LEXICON_COLUMNS) if self.lexicon_weight else 0
        return len(self.char_columns) + len(self.word_columns) + lexicon

    def _counts(
        self, texts: Sequence[str], languages: Sequence[str], *, fitted: bool = True
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        normalised = [normalise(text[:MAX_CHARS]) for text in texts]
        chars = char_ngram_counts(
            normalised, *self.char_ngrams, self.char_bits, self._lookup("char") if fitted else None
        )
        words = word_ngram_counts(
            [word_hashes(text, lang) for text, lang in zip(normalised, languages, strict=True)],
            self.word_bits,
            self._lookup("word") if fitted else None,
        )
        return chars, words

    def _lookup(self, view: str) -> tuple[np.ndarray, np.ndarray]:
        """Hashed column → position among the kept columns (-1: dropped); built once."""
        cached = self.__dict__.get(f"_{view}_lookup")
        if cached is None:
            columns = getattr(self, f"{view}_columns")
            if columns is None:
                raise NotFitted
            table = np.full(1 << getattr(self, f"{view}_bits"), -1, dtype=np.int32)
            table[columns] = np.arange(len(columns), dtype=np.int32)
            cached = self.__dict__[f"_{view}_lookup"] = (columns, table)
        return cached

    def _select(self, counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        columns = np.flatnonzero(df >= self.min_df).astype(np.int32)
        idf = (np.log((1 + counts.shape[0]) / (1 + df[columns])) + 1).astype(np.float32)
        return columns, idf

    @staticmethod
    def _weigh(counts: sp.csr_matrix, idf: np.ndarray, weight: float) -> sp.csr_matrix:
        np.log1p(counts.data, out=counts.data)
        counts.data *= idf[counts.indices]
        matrix = normalize(counts, copy=False)
        if weight != 1.0:
            matrix.data *= weight
        return matrix

    def fit_transform(self, texts: Sequence[str], languages: Sequence[str]) -> sp.csr_matrix:
        chars, words = self._counts(texts, languages, fitted=False)
        self.char_columns, self.char_idf = self._select(chars)
        self.word_columns, self.word_idf = self._select(words)
        self.__dict__.pop("_char_lookup", None)
        self.__dict__.pop("_word_lookup", None)
        return self._combine(
            chars[:, self.char_columns], words[:, self.word_columns], texts, languages
        )

    def transform(self, texts: Sequence[str], languages: Sequence[str]) -> sp.csr_matrix:
        return self._combine(*self._counts(texts, languages), texts, languages)

    def _combine(
        self,
        chars: sp.csr_matrix,
        words: sp.csr_matrix,
        texts: Sequence[str],
        languages: Sequence[str],
    ) -> sp.csr_matrix:
        if self.char_idf is None or self.word_idf is None:
            raise NotFitted
        views = [
            self._weigh(chars, self.char_idf, 1.0),
            self._weigh(words, self.word_idf, self.word_weight),
        ]
        if self.lexicon_weight:
            views.append(sp.csr_matrix(english_lexicon(texts, languages) * self.lexicon_weight))
        return sp.hstack(views, format="csr")

    def state(self) -> dict[str, np.ndarray]:
        """Arrays that, with the constructor's arguments, rebuild this object."""
        return {
            "char_columns": self.char_columns,
            "char_idf": self.char_idf,
            "word_columns": self.word_columns,
            "word_idf": self.word_idf,
        }

    def config(self) -> dict:
        return {
            "char_ngrams": list(self.char_ngrams),
            "char_bits": self.char_bits,
            "word_bits": self.word_bits,
            "word_weight": self.word_weight,
            "min_df": self.min_df,
            "lexicon_weight": self.lexicon_weight,
        }

    @classmethod
    def restore(cls, config: dict, state: dict[str, np.ndarray]) -> TextFeatures:
        features = cls(**{**config, "char_ngrams": tuple(config["char_ngrams"])})
        for key in ("char_columns", "char_idf", "word_columns", "word_idf"):
            setattr(features, key, state[key])
        return features
