"""TF-IDF features of a fitted model, computed without scikit-learn.

Scoring a text needs only the stored vocabulary and idf: the n-grams
scikit-learn's `TfidfVectorizer` would make (word n-grams over its
`token_pattern`, or `char_wb` n-grams), counted, `1 + log(tf)` when
`sublinear_tf`, times idf, then l2-normalised. Importing scikit-learn costs a
triage command or a task several seconds, so only training uses it;
tests/unit/test_triage_tfidf.py checks these weights equal scikit-learn's.
Settings this module does not know are left to scikit-learn (`supports`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

# The settings (and values) whose n-grams are reproduced here; anything else goes to sklearn.
_KNOWN = {"analyzer", "ngram_range", "min_df", "max_df", "max_features", "sublinear_tf",
          "token_pattern", "norm", "use_idf", "smooth_idf"}
_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's char_wb analyzer
_DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def supports(settings: dict[str, Any]) -> bool:
    return (set(settings) <= _KNOWN
            and settings.get("analyzer", "word") in ("word", "char_wb")
            and settings.get("norm", "l2") == "l2"
            and settings.get("use_idf", True) is True
            and re.compile(settings.get("token_pattern", _DEFAULT_TOKEN_PATTERN)).groups <= 1)


class TfidfFeatures:
    """One fitted vectorizer: `weights(text)` is its row, {column: value}."""

    def __init__(self, settings: dict[str, Any], vocabulary: dict[str, int],
                 idf: Sequence[float]):
        if not supports(settings):
            raise ValueError(f"TF-IDF settings not supported without scikit-learn: {settings}")
        self.vocabulary = vocabulary
        self.idf = list(idf)
        self.sublinear = bool(settings.get("sublinear_tf", False))
        self.min_n, self.max_n = settings.get("ngram_range", (1, 1))
        if settings.get("analyzer", "word") == "char_wb":
            self.ngrams = self._char_wb_ngrams
        else:
            self.findall = re.compile(settings.get("token_pattern", _DEFAULT_TOKEN_PATTERN)).findall
            self.ngrams = self._word_ngrams

    def _word_ngrams(self, text: str) -> list[str]:
        tokens = self.findall(text)
        out = list(tokens) if self.min_n == 1 else []
        for n in range(max(self.min_n, 2), min(self.max_n, len(tokens)) + 1):
            out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _char_wb_ngrams(self, text: str) -> list[str]:
        out = []
        for word in _WHITE_SPACES.sub(" ", text).split():
            w = f" {word} "
            for n in range(self.min_n, self.max_n + 1):
                if len(w) <= n:  # a short word counts once, whole
                    out.append(w)
                    break
                out.extend(w[i:i + n] for i in range(len(w) - n + 1))
        return out

    def weights(self, text: str) -> dict[int, float]:
        vocabulary, idf = self.vocabulary, self.idf
        counts = Counter(j for j in map(vocabulary.get, self.ngrams(text)) if j is not None)
        log = math.log
        row = {j: ((1.0 + log(tf)) if self.sublinear else float(tf)) * idf[j]
               for j, tf in counts.items()}
        norm = math.sqrt(sum(v * v for v in row.values()))
        return {j: v / norm for j, v in row.items()} if norm > 0 else row



class Rows:
    """Sparse rows as CSR's three arrays (numpy only: scipy costs a process its import).
    `rows @ coef` is each row's dot product with `coef`."""

    def __init__(self, indptr, indices, data):
        import numpy as np

        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)
        self.data = np.asarray(data, dtype=float)

    def __matmul__(self, coef):
        import numpy as np

        n = len(self.indptr) - 1
        row_of = np.repeat(np.arange(n), np.diff(self.indptr))
        return np.bincount(row_of, weights=self.data * np.asarray(coef)[self.indices], minlength=n)


def rows(vectorizers: Sequence[TfidfFeatures], texts: Sequence[str], dense) -> Rows:
    """Each text's columns across `vectorizers` side by side, then its `dense` values."""
    indptr, indices, data = [0], [], []
    for text, extra in zip(texts, dense, strict=True):
        offset = 0
        for v in vectorizers:
            row = v.weights(text)
            for j in sorted(row):
                indices.append(offset + j)
                data.append(row[j])
            offset += len(v.idf)
        for k, value in enumerate(extra):
            if value:
                indices.append(offset + k)
                data.append(float(value))
        indptr.append(len(indices))
    return Rows(indptr, indices, data)
