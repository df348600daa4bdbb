"""Assisted coding by a classifier trained on the human codings.

TF-IDF on lemmas (unigrams and bigrams), one logistic regression per code (one-vs-rest,
balanced class weights). Probabilities are calibrated (sigmoid, 3-fold) when a code has
at least ``MIN_CALIBRATE`` positive and negative segments; otherwise the raw logistic
probabilities are used and the table says so.

Performance is estimated honestly: cross-validation with folds grouped by source (a
speaker's other quotes never sit in the training folds of their own evaluation), out of
fold predictions at threshold 0.5, precision/recall/F1 per code, plus the average
precision of the out-of-fold probabilities (threshold-free; compare it with the base rate,
the share of positive segments, which is what a random ranking scores). Codes with fewer than
``MIN_POSITIVES`` positive segments, or positives in fewer than ``MIN_GROUPS`` sources,
are listed with the reason instead of a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.paths import DEFAULT_SEED

MIN_POSITIVES = 8
MIN_GROUPS = 3
MIN_CALIBRATE = 15
MAX_FOLDS = 5
THRESHOLD = 0.5

EVAL_COLUMNS = (
    "code",
    "method",
    "n_segments",
    "n_positive",
    "n_sources_positive",
    "folds",
    "precision",
    "recall",
    "f1",
    "average_precision",
    "base_rate",
    "calibrated",
    "note",
)


def lemma_documents(tokens: pd.DataFrame, ids: list[str]) -> list[str]:
    """One space-joined string of word lemmas per id (in ``ids`` order)."""
    words = tokens[tokens["is_word"]]
    joined = words.groupby("id", sort=False)["lemma"].agg(" ".join)
    return [str(joined.get(i, "")) for i in ids]


def label_matrix(coded: pd.DataFrame, ids: list[str], codes: list[str]) -> pd.DataFrame:
    """0/1 matrix (index = segment id, one column per code) from (segment_id, code) rows."""
    matrix = pd.DataFrame(0, index=pd.Index(ids, name="segment_id"), columns=codes, dtype="int64")
    for segment, code in zip(coded["segment_id"], coded["code"], strict=True):
        if segment in matrix.index and code in matrix.columns:
            matrix.loc[segment, code] = 1
    return matrix


def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, min_df=1
    )


def _estimator(n_pos: int, n_neg: int, seed: int) -> tuple[Any, bool]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    base = LogisticRegression(class_weight="balanced", max_iter=2000, C=4.0, random_state=seed)
    if min(n_pos, n_neg) >= MIN_CALIBRATE:
        return CalibratedClassifierCV(base, method="sigmoid", cv=3), True
    return base, False


@dataclass(frozen=True)
class CodeModel:
    """A trained classifier for one code, or the reason there is none."""

    code: str
    estimator: Any
    calibrated: bool
    n_positive: int
    note: str = ""


@dataclass(frozen=True)
class TrainedClassifier:
    """The vectoriser and one model per code (codes with too few examples have none)."""

    vectorizer: Any
    models: tuple[CodeModel, ...]
    seed: int

    def predict(
        self, documents: list[str], ids: list[str], threshold: float = THRESHOLD
    ) -> pd.DataFrame:
        """Proposals (id, code, confidence, method, evidence) at probability >=
        ``threshold``."""
        rows = []
        if not documents:
            return _empty()
        features = self.vectorizer.transform(documents)
        for model in self.models:
            if model.estimator is None:
                continue
            probability = model.estimator.predict_proba(features)[:, 1]
            for ident, p in zip(ids, probability, strict=True):
                if p >= threshold:
                    note = "calibrated" if model.calibrated else "uncalibrated"
                    rows.append(
                        {
                            "id": ident,
                            "code": model.code,
                            "confidence": round(float(p), 4),
                            "method": "classifier",
                            "evidence": f"logistic regression on lemmas ({note})",
                        }
                    )
        return pd.DataFrame(rows) if rows else _empty()


def _empty() -> pd.DataFrame:
    from analysis.qual.autocode import empty_proposals

    return empty_proposals()


def train(
    documents: list[str], labels: pd.DataFrame, *, seed: int = DEFAULT_SEED
) -> TrainedClassifier:
    """Fit one model per code column of ``labels`` (codes with too few positives skipped)."""
    vectorizer = _vectorizer().fit(documents)
    features = vectorizer.transform(documents)
    models = []
    for code in labels.columns:
        y = labels[code].to_numpy()
        n_pos = int(y.sum())
        if n_pos < MIN_POSITIVES:
            models.append(
                CodeModel(code, None, False, n_pos, f"too few examples ({n_pos} < {MIN_POSITIVES})")
            )
            continue
        estimator, calibrated = _estimator(n_pos, len(y) - n_pos, seed)
        estimator.fit(features, y)
        models.append(CodeModel(code, estimator, calibrated, n_pos))
    return TrainedClassifier(vectorizer, tuple(models), seed)


def model_key(documents: list[str], labels: pd.DataFrame, *, seed: int) -> str:
    """What a fitted classifier depends on: the training texts and labels, the settings,
    this module's code and scikit-learn's version (a hash)."""
    import importlib.metadata
    import json

    from analysis.cache import module_hash
    from analysis.fileio import sha256_bytes

    content = {
        "documents": sha256_bytes("\x1e".join(documents).encode("utf-8")),
        "labels": sha256_bytes(labels.to_csv().encode("utf-8")),
        "seed": seed,
        "settings": [MIN_POSITIVES, MIN_CALIBRATE, THRESHOLD],
        "code": module_hash("analysis.qual.classifier"),
        "scikit-learn": importlib.metadata.version("scikit-learn"),
    }
    return sha256_bytes(json.dumps(content, sort_keys=True).encode("utf-8"))


def cached_train(
    documents: list[str], labels: pd.DataFrame, folder: Path, *, seed: int = DEFAULT_SEED
) -> TrainedClassifier:
    """:func:`train`, or the model fitted earlier on the same data and settings (kept in
    ``folder``, the project's cache; a file whose checksum does not match is refitted)."""
    import pickle

    from analysis.fileio import atomic_write_bytes, sha256_bytes

    key = model_key(documents, labels, seed=seed)
    path = folder / f"qual_classifier_{key[:16]}.pickle"
    check = path.with_suffix(".sha256")
    if path.is_file() and check.is_file():
        data = path.read_bytes()
        if check.read_text(encoding="utf-8").strip() == sha256_bytes(data) + " " + key:
            return pickle.loads(data)  # our own cache file, checksummed
    model = train(documents, labels, seed=seed)
    data = pickle.dumps(model)
    for old in folder.glob("qual_classifier_*"):
        old.unlink(missing_ok=True)  # one cached model: the latest
    atomic_write_bytes(path, data)
    atomic_write_bytes(check, f"{sha256_bytes(data)} {key}\n".encode())
    return model


def cross_validate(
    documents: list[str],
    labels: pd.DataFrame,
    groups: list[str],
    *,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Grouped, stratified cross-validation per code; one row per code (see module doc)."""
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
    from sklearn.model_selection import StratifiedGroupKFold

    group_array = np.asarray(groups)
    rows = []
    for code in labels.columns:
        y = labels[code].to_numpy()
        n_pos = int(y.sum())
        pos_groups = len(set(group_array[y == 1]))
        base = {
            "code": code,
            "method": "classifier",
            "base_rate": n_pos / len(y) if len(y) else np.nan,
            "n_segments": len(y),
            "n_positive": n_pos,
            "n_sources_positive": pos_groups,
        }
        if n_pos < MIN_POSITIVES or pos_groups < MIN_GROUPS:
            reason = (
                f"too few examples to estimate ({n_pos} segments in {pos_groups} sources; "
                f"needs {MIN_POSITIVES} in {MIN_GROUPS})"
            )
            rows.append({**base, "folds": 0, "calibrated": False, "note": reason})
            continue
        folds = min(MAX_FOLDS, pos_groups)
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        probabilities = np.zeros(len(y), dtype=float)
        calibrated_any = False
        for train_idx, test_idx in splitter.split(documents, y, group_array):
            train_docs = [documents[i] for i in train_idx]
            vectorizer = _vectorizer().fit(train_docs)
            y_train = y[train_idx]
            if y_train.sum() == 0 or y_train.sum() == len(y_train):
                continue  # nothing to learn in this fold; its segments stay predicted 0
            estimator, calibrated = _estimator(
                int(y_train.sum()), int(len(y_train) - y_train.sum()), seed
            )
            calibrated_any |= calibrated
            estimator.fit(vectorizer.transform(train_docs), y_train)
            test_docs = [documents[i] for i in test_idx]
            probability = estimator.predict_proba(vectorizer.transform(test_docs))[:, 1]
            probabilities[test_idx] = probability
        predicted = (probabilities >= THRESHOLD).astype(int)
        rows.append(
            {
                **base,
                "folds": folds,
                "precision": float(precision_score(y, predicted, zero_division=0)),
                "recall": float(recall_score(y, predicted, zero_division=0)),
                "f1": float(f1_score(y, predicted, zero_division=0)),
                "average_precision": float(average_precision_score(y, probabilities)),
                "base_rate": n_pos / len(y),
                "calibrated": calibrated_any,
                "note": f"{folds}-fold, grouped by source",
            }
        )
    return _eval_frame(rows)


def rules_evaluation(
    proposals: pd.DataFrame, labels: pd.DataFrame, groups: list[str]
) -> pd.DataFrame:
    """Precision/recall of rule proposals (``id``, ``code``) against the human labels."""
    ids = list(labels.index)
    proposed = label_matrix(
        proposals.rename(columns={"id": "segment_id"}), ids, list(labels.columns)
    )
    group_array = np.asarray(groups)
    rows = []
    for code in labels.columns:
        y = labels[code].to_numpy()
        p = proposed[code].to_numpy()
        tp = int(((y == 1) & (p == 1)).sum())
        rows.append(
            {
                "code": code,
                "method": "rules",
                "n_segments": len(y),
                "n_positive": int(y.sum()),
                "n_sources_positive": len(set(group_array[y == 1])),
                "folds": 0,
                "precision": tp / p.sum() if p.sum() else np.nan,
                "recall": tp / y.sum() if y.sum() else np.nan,
                "f1": 2 * tp / (p.sum() + y.sum()) if (p.sum() + y.sum()) else np.nan,
                "base_rate": y.sum() / len(y) if len(y) else np.nan,
                "calibrated": False,
                "note": "patterns written with this corpus in view: in-sample, optimistic",
            }
        )
    return _eval_frame(rows)


def _eval_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in EVAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = np.nan
    frame = frame[list(EVAL_COLUMNS)]
    numeric = ["precision", "recall", "f1", "average_precision", "base_rate"]
    frame[numeric] = frame[numeric].astype("float64")
    frame["calibrated"] = frame["calibrated"].astype("bool")
    frame["folds"] = frame["folds"].astype("int64")
    return frame
