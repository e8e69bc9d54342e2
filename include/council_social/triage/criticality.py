"""Criticality 0..1: how critical a text is of the council.

Two paths, both one logistic regression over features computed once per text:
- rules path: VADER's lexicon scored by `triage.lexicon` (fast, VADER's rules
  simplified), the domain cues of `cues.COMPLAINT` / `cues.PRAISE` (neutral-worded
  complaints such as "still waiting for my bin, third week" that general sentiment
  misses) and a few surface features, weighted by a model trained offline;
- model path: the same features plus TF-IDF word 1-2-grams and character 3-5-grams.

Both are trained by `council_social.triage.training` (council_train.jsonl +
TweetEval) and shipped as JSON coefficients in `triage/models/` (no pickle,
nothing fetched at run time). Each is calibrated on out-of-fold predictions of
the council training data and shifted so that 0.5 sits at the threshold chosen
by cross-validation there. A retrained model may add a logistic combiner fitted
on officers' corrections. `criticality >= threshold` means critical.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import contains, itemgetter
from pathlib import Path
from typing import Any

from council_social.triage import lexicon
from council_social.triage.cues import COMPLAINT, PRAISE
from council_social.triage.gate import TextKeys, text_keys

MODELS_DIR = Path(__file__).resolve().parent / "models"
SHIPPED_MODEL = MODELS_DIR / "criticality-v2.json"
PROMOTED_NAME = "criticality-promoted.json"


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_scores(text: str) -> dict[str, float]:
    """The real VADER (slow; kept for comparison in bench/triage_eval.py)."""
    return _vader().polarity_scores(text)


def sentiment(text: str) -> dict[str, float]:
    """The fast scorer on VADER's lexicon that the triage paths use."""
    return lexicon.polarity(text)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _noisy_or(found: dict[str, float]) -> float:
    miss = 1.0
    for w in found.values():
        miss *= 1.0 - w
    return 1.0 - miss


def cue_score(text: str, keys: TextKeys | None = None) -> tuple[float, list[str]]:
    """Noisy-OR of the complaint cues found; returns (score, cue names)."""
    found = COMPLAINT.matches(text, keys)
    miss = 1.0
    for w in found.values():
        miss *= 1.0 - w
    return 1.0 - miss, sorted(found)


def praise_score(text: str, keys: TextKeys | None = None) -> tuple[float, list[str]]:
    found = PRAISE.matches(text, keys)
    miss = 1.0
    for w in found.values():
        miss *= 1.0 - w
    return 1.0 - miss, sorted(found)


# Dense features, in this order (the rules path uses only these).
_QUESTION_MARK = "?"
DENSE = ("compound", "neg", "pos", "question", "exclaim", "caps", "cue_score", "praise_score",
         *(f"cue:{n}" for n in COMPLAINT.names), *(f"praise:{n}" for n in PRAISE.names))


def dense_row(text: str, pol: dict[str, float], cues: dict[str, float],
              praise: dict[str, float]) -> list[float]:
    return _dense_row(text, pol, cues, praise, _noisy_or(cues), _noisy_or(praise))


_FIXED = 8  # dense features before the cue indicators
_CUE_COLUMN = {n: _FIXED + j for j, n in enumerate(COMPLAINT.names)}
_PRAISE_COLUMN = {n: _FIXED + len(COMPLAINT.names) + j for j, n in enumerate(PRAISE.names)}
_ZEROS = [0.0] * (len(COMPLAINT.names) + len(PRAISE.names))


def _dense_row(text: str, pol: dict[str, float], cues: dict[str, float],
               praise: dict[str, float], cue_score: float, praise_score: float) -> list[float]:
    row = [pol["compound"], pol["neg"], pol["pos"], float(_QUESTION_MARK in text),
           float("!" in text), pol["caps"], cue_score, praise_score, *_ZEROS]
    for n in cues:  # the cue indicators: 1.0 where found (few are)
        row[_CUE_COLUMN[n]] = 1.0
    for n in praise:
        row[_PRAISE_COLUMN[n]] = 1.0
    return row


@dataclass
class CriticalityModel:
    """Coefficients of both paths plus how to combine them with corrections.

    text: {"vocabulary", "idf", "char_vocabulary", "char_idf", "coef" (words, chars, then
    DENSE), "intercept", "platt": [a, b]}; rules: {"coef" (DENSE), "intercept",
    "platt": [a, b]}; p = sigmoid(a * decision + b)."""

    version: str
    text: dict[str, Any]
    rules: dict[str, Any]
    dense: list[str] = field(default_factory=lambda: list(DENSE))
    combiner: dict[str, Any] = field(default_factory=lambda: {"kind": "direct"})
    trained_on: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> CriticalityModel:
        path = path if hasattr(path, "read_text") else Path(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version, "text": self.text, "rules": self.rules, "dense": self.dense,
            "combiner": self.combiner, "trained_on": self.trained_on, "metrics": self.metrics,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")

    def _arrays(self):
        import numpy as np

        if "rules" not in self._cache:
            if self.dense != list(DENSE):
                raise ValueError(f"model {self.version} was trained on other features; retrain it")
            self._cache["rules"] = np.asarray(self.rules["coef"])
            self._cache["text"] = np.asarray(self.text["coef"])
        return self._cache["rules"], self._cache["text"]

    # --- the two paths (a batch at a time) -------------------------------------------------

    def rules_probabilities(self, dense) -> list[float]:
        return self._rules_array(dense).tolist()

    def _rules_array(self, dense):
        w, _ = self._arrays()
        a, b = self.rules["platt"]
        return _calibrated(_rows_dot(dense, w) + self.rules["intercept"], a, b)

    def vectorizers(self):
        if "vec" not in self._cache:
            t = self.text
            self._cache["vec"] = (make_vectorizer("word", t["vocabulary"], t["idf"]),
                                  make_vectorizer("char", t["char_vocabulary"], t["char_idf"]))
        return self._cache["vec"]

    def text_dots(self):
        """The word and char TF-IDF rows times their coefficients (`textvec`: what
        `vectorizers()[i].transform(texts) @ coef` gives, without sklearn's per-n-gram loop)."""
        if "dots" not in self._cache:
            from council_social.triage.textvec import TfidfDot

            _, w = self._arrays()
            t = self.text
            nw, nc = len(t["vocabulary"]), len(t["char_vocabulary"])
            self._cache["dots"] = (
                TfidfDot("word", t["vocabulary"], t["idf"], w[:nw], WORD_PATTERN),
                TfidfDot("char", t["char_vocabulary"], t["char_idf"], w[nw:nw + nc], WORD_PATTERN))
        return self._cache["dots"]

    def text_probabilities(self, texts: list[str], dense) -> list[float]:
        """Calibrated P(critical | text) for a batch (sparse matrix products)."""
        return self._text_array(texts, dense).tolist()

    def _text_array(self, texts: list[str], dense):
        import numpy as np

        if not texts:
            return np.zeros(0)
        _, w = self._arrays()
        words, chars = self.text_dots()
        nw, nc = words.size, chars.size
        z = (words.decision(texts) + chars.decision(texts)
             + _rows_dot(dense, w[nw + nc:]) + self.text["intercept"])
        a, b = self.text["platt"]
        return _calibrated(z, a, b)

    # --- combination -----------------------------------------------------------------------

    def combine(self, p_text: float, cues: float, praise: float, compound: float) -> float:
        if self.combiner.get("kind") == "logistic":
            w = self.combiner["weights"]
            z = w[0] + w[1] * _logit(p_text) + w[2] * cues + w[3] * praise + w[4] * compound
            return _sigmoid(z)
        return p_text  # "direct": the cues are features of both paths already


def _calibrated(z, a: float, b: float):
    """[_sigmoid(a * d + b) for d in z] a batch at a time: numpy's elementwise *, +, - and /
    are the IEEE operations Python's floats do, and exp(-|x|) is both branches' math.exp."""
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):  # as floats: inf or nan, no warning
        x = z * a + b
    e = np.fromiter(map(math.exp, (-np.abs(x)).tolist()), float, len(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def _rounded(values, digits: int) -> list[float]:
    """[round(v, digits) for v in values] (a float64 array, digits <= 15), a batch at a time:
    round() reads back the nearest `digits`-place decimal, the same double as rint(v * 10**d)
    / 10**d (both exact or correctly rounded) when v * 10**d is exact enough to pick that
    decimal: within 2**30, where a rounding error < 2**-22 cannot cross the half-way mark
    unless it is within 1e-6 of it. The rest (rare) go through round()."""
    import numpy as np

    scale = 10.0 ** digits
    with np.errstate(over="ignore", invalid="ignore"):  # inf or nan: left to round()
        y = values * scale
        nearest = np.rint(y)
        out = (nearest / scale).tolist()
        sure = (np.abs(y - nearest) < 0.5 - 1e-6) & (np.abs(y) < 2.0 ** 30)
    for i in np.flatnonzero(~sure).tolist():
        out[i] = round(float(values[i]), digits)
    return out


def _rows_dot(dense, w):
    """`dense @ w` without BLAS: a threaded BLAS product leaves its worker threads
    spinning after it returns, which cost more CPU than the product (a few µs an item)."""
    import numpy as np

    return np.einsum("ij,j->i", dense, w)


WORD_PATTERN = r"(?u)\b\w[\w']*\b"


def make_vectorizer(kind: str, vocabulary: dict[str, int] | None = None,
                    idf: list[float] | None = None, max_features: int | None = None):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "word":
        vec = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                              token_pattern=WORD_PATTERN, vocabulary=vocabulary,
                              max_features=max_features, dtype=np.float64)
    else:
        vec = TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(3, 5), min_df=3,
                              sublinear_tf=True, vocabulary=vocabulary, max_features=max_features,
                              dtype=np.float64)
    if idf is not None:
        vec.idf_ = np.asarray(idf)
    return vec


def model_path(data_dir: Path | None) -> Path:
    """A model promoted by retrain_criticality (in `<data_dir>/models`; data_dir may be a
    universal_pathlib UPath on shared storage) wins over the shipped one."""
    if data_dir is not None:
        base = data_dir if hasattr(data_dir, "joinpath") else Path(data_dir)
        promoted = base / "models" / PROMOTED_NAME
        if promoted.is_file():
            return promoted
    return SHIPPED_MODEL


@lru_cache(maxsize=4)
def _load_cached(path, mtime: float) -> CriticalityModel:
    return CriticalityModel.load(path)


def load_model(data_dir: Path | None = None) -> CriticalityModel:
    path = model_path(data_dir)
    return _load_cached(path, path.stat().st_mtime)


@dataclass(frozen=True)
class Criticality:
    score: float
    p_text: float
    cues: float
    praise: float
    cue_names: tuple[str, ...]
    vader: dict[str, float]  # the lexicon scorer's {neg, neu, pos, compound}
    keys: TextKeys | None = field(default=None, repr=False, compare=False)

    def inputs(self) -> dict[str, Any]:
        return {
            "criticality": round(self.score, 4), "p_text": round(self.p_text, 4),
            "cue_score": round(self.cues, 4), "praise_score": round(self.praise, 4),
            "cues": list(self.cue_names), "vader_compound": self.vader["compound"],
        }


def features(texts: list[str], keys: list[TextKeys] | None = None):
    """Per text: (lexicon scores, text keys, complaint cues, praise cues, complaint score,
    praise score), and the dense matrix.

    `keys` (one per text, e.g. from a `gate.GateIndex`) are made here when not given."""
    pols, keys, cues, praise, cue_scores, praise_scores, dense = _features(texts, keys)
    return list(zip(pols, keys, cues, praise, cue_scores, praise_scores, strict=True)), dense


def _features(texts: list[str], keys: list[TextKeys] | None):
    """`features` as lists, one a part, and the dense matrix: `_dense_row` of every text,
    filled a column at a time (the same floats in the same C-ordered float64 matrix)."""
    import numpy as np

    if keys is None:
        keys = list(map(text_keys, texts))
    pols = list(map(lexicon.polarity, texts))
    cues = list(map(COMPLAINT.matches, texts, keys))
    praise = list(map(PRAISE.matches, texts, keys))
    # Most texts have no cue, and no cue scores 1.0 - 1.0 = 0.0.
    cue_scores = [_noisy_or(found) if found else 0.0 for found in cues]
    praise_scores = [_noisy_or(found) if found else 0.0 for found in praise]
    n, width = len(texts), len(DENSE)
    dense = np.zeros((n, width))
    for column, name in ((0, "compound"), (1, "neg"), (2, "pos"), (5, "caps")):
        dense[:, column] = np.fromiter(map(itemgetter(name), pols), float, n)
    dense[:, 3] = np.fromiter(map(contains, texts, repeat(_QUESTION_MARK)), float, n)
    dense[:, 4] = np.fromiter(map(contains, texts, repeat("!")), float, n)
    dense[:, 6] = cue_scores
    dense[:, 7] = praise_scores
    # The cue indicators, 1.0 where found (few are), by their offsets in the flat matrix.
    dense.put([row * width + _CUE_COLUMN[name]
               for row, found in enumerate(cues) if found for name in found], 1.0)
    dense.put([row * width + _PRAISE_COLUMN[name]
               for row, found in enumerate(praise) if found for name in found], 1.0)
    return pols, keys, cues, praise, cue_scores, praise_scores, dense


def score_batch(texts: list[str], model: CriticalityModel, use_model: bool = True,
                keys: list[TextKeys] | None = None) -> list[Criticality]:
    """Criticality for many texts; each path is one matrix product over the batch."""
    pols, keys, cues, _, cue_scores, praise_scores, dense = _features(texts, keys)
    import numpy as np

    p = model._text_array(texts, dense) if use_model else model._rules_array(dense)
    p_texts = p.tolist()
    if model.combiner.get("kind") == "logistic":
        p = np.array([model.combine(p_text, c, pr, pol["compound"]) for p_text, c, pr, pol
                      in zip(p_texts, cue_scores, praise_scores, pols, strict=True)], dtype=float)
    scores = _rounded(p, 6)
    out = []
    append = out.append
    new = object.__new__
    for score, p_text, c, pr, found, pol, keys_ in zip(
            scores, p_texts, cue_scores, praise_scores, cues, pols, keys, strict=True):
        # Criticality(...) with every field, without the frozen __init__'s per-field
        # object.__setattr__: the same object, its fields set in the same order.
        item = new(Criticality)
        fields = item.__dict__
        fields["score"] = score
        fields["p_text"] = p_text
        fields["cues"] = c
        fields["praise"] = pr
        fields["cue_names"] = tuple(sorted(found)) if found else ()
        fields["vader"] = pol
        fields["keys"] = keys_
        append(item)
    return out


def criticality(text: str, model: CriticalityModel | None = None, use_model: bool = True) -> float:
    """One text's criticality 0..1 (the shipped model unless one is given)."""
    return score_batch([text], model or load_model(None), use_model)[0].score
