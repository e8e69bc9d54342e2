"""Criticality 0..1: how critical a text is of the council (or whoever it addresses).

One logistic regression over scikit-learn TF-IDF features of the text (word
and character n-grams, see `VECTORIZERS`) and the two cue scores of `cues.COMPLAINT` /
`cues.PRAISE` (neutral-worded complaints such as "still waiting for my bin,
third week"), Platt-calibrated so that 0.5 sits at the threshold chosen on
held-out data. Trained by `council_social.triage.training`; stored as JSON
(vocabularies, idf, coefficients and the model card), so loading a model runs
no code and nothing is fetched at run time. A retrained model may add a
logistic combiner fitted on officers' corrections (see retrain.py).

Text with nothing to judge (no word of two letters or more once handles and
links are set aside: "a b", a lone emoji, only a link) is never critical.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from council_social.triage.cues import COMPLAINT, PRAISE, noisy_or

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent / "models"
SHIPPED_MODEL = MODELS_DIR / "criticality-v3.json"
PROMOTED_NAME = "criticality-promoted.json"

# Handles and links name who is addressed, not what is said: one token each, so a
# model trained on tweets to brands does not learn the brands.
_HANDLE = re.compile(r"@\w+")
_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE_OR_LINK = re.compile(rf"{_HANDLE.pattern}|{_LINK.pattern}", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")

# scikit-learn TfidfVectorizer settings, stored with each model (the preprocessor is
# `normalise`): word 1-2-grams ("?" and "!" count as tokens), and character 4-grams
# inside words, which carry misspellings and word forms the words alone miss (3-5-grams
# did no better in leave-one-domain-out and cost three times as much).
VECTORIZERS: tuple[dict[str, Any], ...] = (
    {"analyzer": "word", "ngram_range": [1, 2], "min_df": 2, "sublinear_tf": True,
     "token_pattern": r"(?u)\b\w[\w']*\b|[?!]"},
    {"analyzer": "char_wb", "ngram_range": [4, 4], "min_df": 3, "sublinear_tf": True},
)
DENSE = ("cue_score", "praise_score")


def normalise(text: str) -> str:
    return _HANDLE.sub(" @user ", _LINK.sub(" http ", text)).lower()


def substantive(text: str) -> bool:
    """Whether the text holds a word of two letters or more outside handles and links."""
    return _WORD.search(_HANDLE_OR_LINK.sub(" ", text)) is not None


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def make_vectorizer(settings: dict[str, Any], vocabulary: dict[str, int] | None = None,
                    idf: list[float] | None = None):
    """A TfidfVectorizer with these settings, for texts already `normalise`d; fitted
    already when vocabulary and idf are given."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    params = {**settings, "ngram_range": tuple(settings["ngram_range"])}
    vec = TfidfVectorizer(lowercase=False, vocabulary=vocabulary, dtype=np.float64, **params)
    if idf is not None:
        vec.idf_ = np.asarray(idf)
    return vec


def cue_scores(text: str) -> tuple[float, float, tuple[str, ...]]:
    """(complaint cue score, praise cue score, the complaint cues' names)."""
    found = COMPLAINT.matches(text)
    return noisy_or(found), noisy_or(PRAISE.matches(text)), tuple(sorted(found))


@dataclass
class CriticalityModel:
    """A calibrated text model and its model card.

    vectorizers: [{"settings", "vocabulary", "idf"}]; coef: the vectorizers' columns in
    order, then DENSE; p = sigmoid(platt[0] * (x . coef + intercept) + platt[1])."""

    version: str
    vectorizers: list[dict[str, Any]]
    coef: list[float]
    intercept: float
    platt: list[float]
    dense: list[str] = field(default_factory=lambda: list(DENSE))
    combiner: dict[str, Any] = field(default_factory=lambda: {"kind": "direct"})
    training: str = "logistic regression, Platt-calibrated"  # how the coefficients were fitted
    created_at: str = ""
    trained_on: list[dict[str, Any]] = field(default_factory=list)  # data sets and their sizes
    metrics: dict[str, Any] = field(default_factory=dict)  # figures on held-out data
    notes: list[str] = field(default_factory=list)

    _fitted: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> CriticalityModel:
        path = path if hasattr(path, "read_text") else Path(path)
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "vectorizers": self.vectorizers, "coef": self.coef,
                "intercept": self.intercept, "platt": self.platt, "dense": self.dense,
                "combiner": self.combiner, "training": self.training,
                "created_at": self.created_at,
                "trained_on": self.trained_on, "metrics": self.metrics, "notes": self.notes}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")

    def _parts(self):
        """The fitted vectorizers and coefficients; scikit-learn only for settings
        `tfidf` does not reproduce (loading it costs a process seconds)."""
        from council_social.triage import tfidf

        if self._fitted is None:
            if self.dense != list(DENSE):
                raise ValueError(f"model {self.version} was trained on other features; retrain it")
            if all(tfidf.supports(v["settings"]) for v in self.vectorizers):
                vecs = [tfidf.TfidfFeatures(v["settings"], v["vocabulary"], v["idf"])
                        for v in self.vectorizers]
            else:
                vecs = [make_vectorizer(v["settings"], v["vocabulary"], v["idf"])
                        for v in self.vectorizers]
            self._fitted = vecs, list(self.coef)
        return self._fitted

    def decision(self, texts: list[str], dense) -> list[float]:
        """x . coef + intercept per text (before calibration)."""
        vecs, coef = self._parts()
        plain = [normalise(t) for t in texts]
        if not all(hasattr(v, "weights") for v in vecs):
            import numpy as np
            from scipy.sparse import csr_matrix, hstack

            x = hstack([*(v.transform(plain) for v in vecs), csr_matrix(dense)]).tocsr()
            return (x @ np.asarray(coef) + self.intercept).tolist()
        offsets, width = [], 0
        for v in vecs:
            offsets.append(width)
            width += len(v.idf)
        out = []
        for text, extra in zip(plain, dense, strict=True):
            z = self.intercept + sum(c * x for c, x in zip(coef[width:], extra, strict=True))
            for v, offset in zip(vecs, offsets, strict=True):
                z += sum(coef[offset + j] * w for j, w in v.weights(text).items())
            out.append(z)
        return out

    def text_probabilities(self, texts: list[str], dense) -> list[float]:
        """Calibrated P(critical | text) for a batch."""
        a, b = self.platt
        return [sigmoid(a * z + b) for z in self.decision(texts, dense)]

    def combine(self, p_text: float, cues: float, praise: float) -> float:
        if self.combiner.get("kind") == "logistic":
            w = self.combiner["weights"]
            return sigmoid(w[0] + w[1] * logit(p_text) + w[2] * cues + w[3] * praise)
        return p_text  # "direct": the cues are features of the model already


@dataclass(frozen=True)
class Criticality:
    score: float
    p_text: float
    cues: float
    praise: float
    cue_names: tuple[str, ...]
    substantive: bool = True

    def inputs(self) -> dict[str, Any]:
        return {"criticality": round(self.score, 4), "p_text": round(self.p_text, 4),
                "cue_score": round(self.cues, 4), "praise_score": round(self.praise, 4),
                "cues": list(self.cue_names), "substantive": self.substantive}


def score_batch(texts: list[str], model: CriticalityModel,
                use_model: bool = True) -> list[Criticality]:
    """Criticality of each text. Without the model (`triage.use_model: false`) the score
    is the complaint cues' noisy-OR, lowered by the praise cues'."""
    cues = [cue_scores(t) for t in texts]
    if use_model and texts:
        p_text = model.text_probabilities(texts, [[c, p] for c, p, _ in cues])
    else:
        p_text = [c * (1.0 - p) for c, p, _ in cues]
    out = []
    for text, p, (c, praise, names) in zip(texts, p_text, cues, strict=True):
        score = model.combine(p, c, praise) if use_model else p
        ok = substantive(text)
        out.append(Criticality(score if ok else 0.0, p, c, praise, names, ok))
    return out


def criticality(text: str, model: CriticalityModel, use_model: bool = True) -> float:
    return score_batch([text], model, use_model)[0].score


def model_path(data_dir: Path | None) -> Path:
    """A model promoted by `triage train` or retrain_criticality wins over the shipped one."""
    if data_dir is not None:
        # data_dir may be a universal_pathlib UPath on shared storage.
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
    try:
        return _load_cached(path, path.stat().st_mtime)
    except (TypeError, ValueError) as exc:
        if path == SHIPPED_MODEL:
            raise
        # A model promoted before this format (criticality-v2: no "vectorizers"): triage
        # goes on with the shipped model until a new one is promoted.
        log.warning("promoted model %s is not readable (%s); using %s", path, exc, SHIPPED_MODEL.name)
        return _load_cached(str(SHIPPED_MODEL), SHIPPED_MODEL.stat().st_mtime)
