"""Criticality 0..1: how critical a text is of the council (or whoever it addresses).

One logistic regression over scikit-learn TF-IDF features of the text (word
and character n-grams, see `VECTORIZERS`) and the two cue scores of `cues.COMPLAINT` /
`cues.PRAISE` (neutral-worded complaints such as "still waiting for my bin,
third week") and VADER's compound score (the dense columns a model names in
`dense`), Platt-calibrated so that 0.5 sits at the threshold chosen on
held-out data; a second regression over the same columns, the praise head,
says whether the text is praise or thanks that needs nothing. Trained by `council_social.triage.training`; stored as JSON
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
SHIPPED_MODEL = MODELS_DIR / "criticality-v5.json"
PROMOTED_NAME = "criticality-promoted.json"

# Handles and links name who is addressed, not what is said: one token each, so a
# model trained on tweets to brands does not learn the brands.
_HANDLE = re.compile(r"@\w+")
_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE_OR_LINK = re.compile(rf"{_HANDLE.pattern}|{_LINK.pattern}", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")
_WORD_OR_MARK = re.compile(r"[@\w']+")
EXPLAIN_TOP = 3  # words or cues named per critical post

# scikit-learn TfidfVectorizer settings, stored with each model (the preprocessor is
# `normalise`): word 1-2-grams ("?" and "!" count as tokens), and character 4-grams
# inside words, which carry misspellings and word forms the words alone miss (3-5-grams
# did no better in leave-one-domain-out and cost three times as much).
VECTORIZERS: tuple[dict[str, Any], ...] = (
    {"analyzer": "word", "ngram_range": [1, 2], "min_df": 2, "sublinear_tf": True,
     "token_pattern": r"(?u)\b\w[\w']*\b|[?!]"},
    {"analyzer": "char_wb", "ngram_range": [4, 4], "min_df": 3, "sublinear_tf": True},
)
DENSE = ("cue_score", "praise_score", "vader_compound")  # the columns a new model trains on
# Dense columns a model may be trained on (`CriticalityModel.dense` names its own):
# the two cue scores, and VADER's compound score (Hutto and Gilbert 2014: a sentiment
# lexicon of 7,500 words with negation and intensity rules; general tweets' negative
# tone that the training sets, few and narrow, do not teach).
KNOWN_DENSE = ("cue_score", "praise_score", "vader_compound")
PRAISE_HEAD = "praise"  # a second logistic regression over the same columns (see `heads`)


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


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


VADER_CHARS = 5_000  # of a text's start: a post's tone, and VADER's time stays bounded


def vader_compound(text: str) -> float:
    return _vader().polarity_scores(text[:VADER_CHARS])["compound"]


def dense_rows(names, texts: list[str], cues) -> list[list[float]]:
    """Each text's dense columns, in the order `names` gives them (`cues`: cue_scores)."""
    unknown = set(names) - set(KNOWN_DENSE)
    if unknown:
        raise ValueError(f"a model trained on other features ({', '.join(sorted(unknown))});"
                         " retrain it")
    vader = "vader_compound" in names
    out = []
    for text, (c, p, _) in zip(texts, cues, strict=True):
        found = {"cue_score": c, "praise_score": p}
        if vader:
            found["vader_compound"] = vader_compound(text)
        out.append([found[n] for n in names])
    return out


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
    # Other questions asked of the same columns: name -> {"coef", "intercept", "cut"},
    # p = sigmoid(x . coef + intercept - logit(cut)), so 0.5 sits at the cut chosen on
    # held-out rows. "praise": thanks and praise that need nothing (see training.py).
    heads: dict[str, Any] = field(default_factory=dict)
    combiner: dict[str, Any] = field(default_factory=lambda: {"kind": "direct"})
    training: str = "logistic regression, Platt-calibrated"  # how the coefficients were fitted
    created_at: str = ""
    trained_on: list[dict[str, Any]] = field(default_factory=list)  # data sets and their sizes
    metrics: dict[str, Any] = field(default_factory=dict)  # figures on held-out data
    notes: list[str] = field(default_factory=list)

    _fitted: Any = field(default=None, repr=False, compare=False)
    _names: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> CriticalityModel:
        path = path if hasattr(path, "read_text") else Path(path)
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "vectorizers": self.vectorizers, "coef": self.coef,
                "intercept": self.intercept, "platt": self.platt, "dense": self.dense,
                "heads": self.heads, "combiner": self.combiner, "training": self.training,
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
            if not set(self.dense) <= set(KNOWN_DENSE):
                raise ValueError(f"model {self.version} was trained on other features; retrain it")
            if all(tfidf.supports(v["settings"]) for v in self.vectorizers):
                vecs = [tfidf.TfidfFeatures(v["settings"], v["vocabulary"], v["idf"])
                        for v in self.vectorizers]
            else:
                vecs = [make_vectorizer(v["settings"], v["vocabulary"], v["idf"])
                        for v in self.vectorizers]
            import numpy as np

            heads = {name: (np.asarray(h["coef"], dtype=float),
                            float(h["intercept"]) - logit(float(h["cut"])))
                     for name, h in self.heads.items()}
            self._fitted = vecs, np.asarray(self.coef, dtype=float), heads
        return self._fitted

    def features(self, texts: list[str], dense) -> Any:
        """The rows the coefficients apply to: TF-IDF columns, then DENSE, as CSR arrays
        (`indptr`, `indices`, `data`); scipy only where scikit-learn vectorizes."""
        from council_social.triage import tfidf

        vecs = self._parts()[0]
        plain = [normalise(t) for t in texts]
        if all(isinstance(v, tfidf.TfidfFeatures) for v in vecs):
            return tfidf.rows(vecs, plain, dense)
        from scipy.sparse import csr_matrix, hstack

        return hstack([*(v.transform(plain) for v in vecs), csr_matrix(dense)]).tocsr()

    def decision(self, texts: list[str], dense) -> Any:
        """x . coef + intercept per text (before calibration)."""
        return self.decision_of(self.features(texts, dense))

    def decision_of(self, x) -> Any:
        return x @ self._parts()[1] + self.intercept

    def head_probabilities(self, name: str, x) -> list[float] | None:
        """P(head) per row of `features`, or None when the model has no such head."""
        head = self._parts()[2].get(name)
        if head is None:
            return None
        coef, shift = head
        return [sigmoid(v) for v in (x @ coef + shift).tolist()]

    def text_probabilities(self, texts: list[str], dense) -> list[float]:
        """Calibrated P(critical | text) for a batch."""
        a, b = self.platt
        return [sigmoid(a * z + b) for z in self.decision(texts, dense)]

    def _columns(self) -> list[tuple[str, str]]:
        """(analyzer, term) of every column, built the first time a post is explained."""
        if self._names is None:
            names: list[tuple[str, str]] = []
            for v in self.vectorizers:
                terms = [""] * len(v["vocabulary"])
                for term, i in v["vocabulary"].items():
                    terms[i] = term
                names += [(v["settings"]["analyzer"], t) for t in terms]
            self._names = names + [("dense", d) for d in self.dense]
        return self._names

    def pushed_by(self, text: str, cols, values, cue_names: tuple[str, ...] = (),
                  k: int = EXPLAIN_TOP) -> list[tuple[str, float]]:
        """The words and cues that pushed this text towards critical, strongest first:
        each column's coefficient x its value (`cols`, `values`: one row of `features`), a
        character n-gram counted to the word it came from, summed per word (over the
        4 k strongest columns)."""
        coef = self._parts()[1]
        names = self._columns()
        import numpy as np

        contrib = values * coef[cols]
        if len(contrib) > 4 * k:  # only the strongest columns: a post has hundreds
            top = np.argpartition(-contrib, 4 * k - 1)[:4 * k]
            contrib, cols = contrib[top], cols[top]
        words = None  # the text's words, found only if a character n-gram is among the top
        totals: dict[str, float] = {}
        for col, c in zip(cols.tolist(), contrib.tolist(), strict=True):
            if c <= 0:
                continue
            kind, term = names[col]
            if kind == "dense":
                term = {"cue_score": "complaint cues" + (f" ({', '.join(cue_names)})"
                                                         if cue_names else ""),
                        "praise_score": "praise cues",
                        "vader_compound": "tone (VADER)"}.get(term, term)
            elif kind == "char_wb":
                gram = term.strip()
                if words is None:
                    words = _WORD_OR_MARK.findall(normalise(text))
                term = next((w for w in words if gram in w), gram)
            totals[term] = totals.get(term, 0.0) + c
        top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [(t, round(c, 2)) for t, c in top]

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
    pushed_by: tuple[tuple[str, float], ...] = ()  # (word or cue, contribution), see pushed_by
    praise_p: float | None = None  # the model's praise head, when it has one

    @property
    def praise_signal(self) -> float:
        """What intent reads as praise: the praise cues, or the praise head if higher."""
        return self.praise if self.praise_p is None else max(self.praise, self.praise_p)

    def inputs(self) -> dict[str, Any]:
        found = {"criticality": round(self.score, 4), "p_text": round(self.p_text, 4),
                 "cue_score": round(self.cues, 4), "praise_score": round(self.praise, 4),
                 "cues": list(self.cue_names), "substantive": self.substantive}
        if self.praise_p is not None:
            found["praise_p"] = round(self.praise_p, 4)
        if self.pushed_by:
            found["critical_words"] = [[w, c] for w, c in self.pushed_by]
        return found


def score_batch(texts: list[str], model: CriticalityModel, use_model: bool = True,
                explain_from: float | None = None) -> list[Criticality]:
    """Criticality of each text. Without the model (`triage.use_model: false`) the score
    is the complaint cues' noisy-OR, lowered by the praise cues'. With the model, each
    text scoring at least `explain_from` names what pushed it there (`pushed_by`)."""
    cues = [cue_scores(t) for t in texts]
    x = praise_p = None
    if use_model and texts:
        x = model.features(texts, dense_rows(model.dense, texts, cues))
        a, b = model.platt
        z = model.decision_of(x)
        p_text = [sigmoid(a * v + b) for v in z.tolist()]
        praise_p = model.head_probabilities(PRAISE_HEAD, x)
    else:
        p_text = [c * (1.0 - p) for c, p, _ in cues]
    out = []
    for i, (text, p, (c, praise, names)) in enumerate(zip(texts, p_text, cues, strict=True)):
        score = model.combine(p, c, praise) if use_model else p
        ok = substantive(text)
        words: tuple = ()
        if ok and x is not None and explain_from is not None and score >= explain_from:
            start, end = x.indptr[i], x.indptr[i + 1]
            words = tuple(model.pushed_by(text, x.indices[start:end], x.data[start:end], names))
        out.append(Criticality(score if ok else 0.0, p, c, praise, names, ok, words,
                               None if praise_p is None else praise_p[i]))
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
