"""The model path's TF-IDF features times the coefficients, for a batch, without sklearn.

Equivalent to `make_vectorizer(kind, vocabulary, idf).transform(texts) @ coef`
(lowercase; word 1-2-grams on WORD_PATTERN or char_wb 3-5-grams; sublinear tf,
idf, l2 rows): the same counts, the same element-wise tf-idf arithmetic and the
same sparse product, so decisions agree to rounding (~1e-16). What differs is
how the counts are made: sklearn runs a Python loop over every n-gram of every
text; here char n-grams are worked out once per distinct word (a batch's texts
share most words) and a text's counts are one sparse product
(text x word counts) @ (word x n-gram counts).
"""

from __future__ import annotations

import re
from itertools import repeat

import numpy as np
from scipy import sparse

_WHITESPACE = re.compile(r"\s\s+")
MEMO_LIMIT = 200_000  # distinct words remembered with their char n-grams


class TfidfDot:
    def __init__(self, kind: str, vocabulary: dict[str, int], idf, coef, word_pattern: str):
        if kind not in ("word", "char"):
            raise ValueError(f"unknown vectoriser kind {kind!r}")
        self.kind = kind
        self.vocabulary = vocabulary
        self.size = len(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self._tokens = re.compile(word_pattern)
        self._ngrams: dict[str, tuple[list[int], list[float]]] = {}

    # --- counts (n texts x vocabulary), float64, sorted indices, duplicates summed ---------

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        return self._word_counts(texts) if self.kind == "word" else self._char_counts(texts)

    def _word_counts(self, texts: list[str]) -> sparse.csr_matrix:
        get = self.vocabulary.get
        findall = self._tokens.findall
        cols: list[int] = []
        lengths: list[int] = []
        for text in texts:
            tokens = findall(text.lower())
            before = len(cols)
            # Unigrams, then neighbouring pairs; -1 marks an n-gram outside the vocabulary.
            cols.extend(map(get, tokens, repeat(-1)))
            cols.extend(map(get, map(" ".join, zip(tokens, tokens[1:], strict=False)), repeat(-1)))
            lengths.append(len(cols) - before)
        return self._matrix(cols, lengths, self.size)

    @staticmethod
    def _matrix(cols: list[int], lengths: list[int], width: int) -> sparse.csr_matrix:
        """Counts from each row's column list (-1 skipped), duplicates summed, indices sorted."""
        c = np.asarray(cols, dtype=np.int64)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        keep = c >= 0
        x = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], c[keep])),
                              shape=(len(lengths), width))
        x.sum_duplicates()
        return x

    def _word_ngrams(self, word: str) -> tuple[list[int], list[float]]:
        """sklearn's _char_wb_ngrams for one whitespace-free word, counted in the vocabulary."""
        found: dict[int, float] = {}
        get = self.vocabulary.get
        w = " " + word + " "
        size = len(w)
        for n in (3, 4, 5):
            offset = 0
            j = get(w[:n])
            if j is not None:
                found[j] = found.get(j, 0.0) + 1.0
            while offset + n < size:
                offset += 1
                j = get(w[offset:offset + n])
                if j is not None:
                    found[j] = found.get(j, 0.0) + 1.0
            if offset == 0:  # a short word counts once (as sklearn does)
                break
        cols = sorted(found)
        return cols, [found[c] for c in cols]

    def _char_counts(self, texts: list[str]) -> sparse.csr_matrix:
        words: list[str] = []
        lengths: list[int] = []
        sub = _WHITESPACE.sub
        for text in texts:
            split = sub(" ", text.lower()).split()
            words.extend(split)
            lengths.append(len(split))
        ids = {w: i for i, w in enumerate(dict.fromkeys(words))}
        per_text = self._matrix(list(map(ids.__getitem__, words)), lengths, len(ids))
        memo = self._ngrams
        if len(memo) + len(ids) > MEMO_LIMIT:
            memo.clear()
        w_cols: list[int] = []
        w_data: list[float] = []
        w_ptr = [0]
        for w in ids:  # insertion order = word id order
            found = memo.get(w)
            if found is None:
                found = memo[w] = self._word_ngrams(w)
            w_cols.extend(found[0])
            w_data.extend(found[1])
            w_ptr.append(len(w_cols))
        per_word = sparse.csr_matrix(
            (np.asarray(w_data, dtype=np.float64), np.asarray(w_cols, dtype=np.int32),
             np.asarray(w_ptr, dtype=np.int64)), shape=(len(ids), self.size))
        x = sparse.csr_matrix(per_text @ per_word)
        x.eliminate_zeros()
        x.sort_indices()
        return x

    # --- tf-idf . coef ------------------------------------------------------------------------

    def decision(self, texts: list[str]) -> np.ndarray:
        """One number per text: its l2-normalised sublinear tf-idf row times the coefficients."""
        x = self.counts(texts)
        data = x.data
        np.log(data, data)
        data += 1.0
        data *= self.idf[x.indices]
        lengths = np.diff(x.indptr)
        rows = np.repeat(np.arange(len(texts)), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(texts)))
        norms[norms == 0.0] = 1.0  # an empty row stays zero, as sklearn's normalize leaves it
        data /= np.repeat(norms, lengths)
        return x @ self.coef
