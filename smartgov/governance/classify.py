"""The case text classifier: Chinese text → the minor category, with a confidence.

jieba words plus character bigrams (short reports such as “井盖没了” share few whole words
with the training texts, but their bigrams overlap) → TF-IDF → multinomial logistic
regression, as one scikit-learn Pipeline. Training takes the platform's own closed cases,
labelled with the category each case was finally closed with (so a dispatcher's
re-dispatch teaches the next model), or a CSV of historical records. A held-out split gives
the reported figures and the auto-dispatch threshold: the lowest confidence at which the
cases at or above it are still classified with the target precision.

The pipeline is serialised with joblib into ``ClassifierModel.blob`` with its SHA-256, checked
on every load; each process caches the active model and reloads it when the active version
changes. Without a trained model, ``suggest`` falls back to the categories' keywords with
scores that never reach the auto-dispatch threshold, so nothing is dispatched on them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from smartgov.core import audit
from smartgov.core.errors import InvalidInput
from smartgov.governance import config_cache
from smartgov.governance.categories import minor_categories
from smartgov.governance.models import Case, CaseStatus, Category, ClassifierModel

logger = logging.getLogger(__name__)

TARGET_PRECISION = 0.95  # of the cases dispatched without a human
MIN_THRESHOLD = 0.5  # never dispatch automatically below this confidence
NO_AUTO_THRESHOLD = 1.0  # when no threshold reaches the target precision
FALLBACK_MAX_SCORE = 0.45  # keyword fallback scores stay below every threshold
MIN_SAMPLES = 20
DEFAULT_MIN_PER_CLASS = 5
HELD_OUT_SHARE = 0.2
MAX_TEXT = 4000  # characters looked at per text
RANDOM_STATE = 20260101
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@dataclass(frozen=True)
class Suggestion:
    category_id: int
    code: str
    name: str
    score: float


# --- text features -------------------------------------------------------------------


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def analyse(text: str) -> list[str]:
    """Tokens of a text: jieba words (no punctuation or bare numbers) and CJK bigrams."""
    text = (text or "")[:MAX_TEXT]
    words = [w for w in _jieba().lcut(text) if _WORD.search(w)]
    bigrams = ["#" + run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]
    return [w.lower() for w in words] + bigrams


def build_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=1)),
            ("model", LogisticRegression(C=10.0, max_iter=300, tol=1e-3)),
        ]
    )


# --- the active model, cached per process ----------------------------------------------


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[int, str] | None = None
        self.pipeline = None


_cache = _Cache()


def _serialise(pipeline) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def _deserialise(blob: bytes, sha256: str):
    import joblib

    blob = bytes(blob)
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise InvalidInput(
            "classifier_corrupt", "The stored classifier does not match its checksum."
        )
    return joblib.load(io.BytesIO(blob))


def active_model() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(active=True).defer("blob").first()


def _active_pipeline():
    """(model row, pipeline) of the active model, or (None, None); reloads on a new version."""
    row = config_cache.cache.current().classifier  # (id, version, sha256, threshold)
    if row is None:
        return None
    key = (row.version, row.sha256)
    if _cache.key == key:
        return _cache.pipeline
    with _cache.lock:
        if _cache.key != key:
            blob = ClassifierModel.objects.values_list("blob", flat=True).get(pk=row.id)
            _cache.pipeline = _deserialise(blob, row.sha256)
            _cache.key = key
        return _cache.pipeline


def clear_cache() -> None:
    with _cache.lock:
        _cache.key = None
        _cache.pipeline = None


def auto_dispatch_threshold() -> float:
    """Confidence at or above which a case is dispatched without a human: the setting
    ``GOVERNANCE_AUTO_DISPATCH_THRESHOLD`` when set, else the active model's threshold, else
    1.0 (nothing is dispatched automatically without a trained model)."""
    configured = getattr(settings, "GOVERNANCE_AUTO_DISPATCH_THRESHOLD", None)
    if configured is not None:
        return float(configured)
    row = config_cache.cache.current().classifier
    return float(row.threshold) if row is not None else NO_AUTO_THRESHOLD


# --- suggestions -----------------------------------------------------------------------


def _keyword_suggestions(text: str, top: int) -> list[Suggestion]:
    scored = []
    for category in minor_categories().select_related(None).only("id", "code", "name", "keywords"):
        words = {w for w in category.keywords.split() if w} | {category.name}
        hits = sum(1 for word in words if word in text)
        if hits:
            scored.append((hits, category))
    scored.sort(key=lambda item: (-item[0], item[1].code))
    cap = min(FALLBACK_MAX_SCORE, auto_dispatch_threshold() * 0.9)
    return [
        Suggestion(c.pk, c.code, c.name, round(cap * hits / (hits + 1), 4))
        for hits, c in scored[:top]
    ]


def suggest(text: str, *, top: int = 3) -> list[Suggestion]:
    """The ``top`` most likely active minor categories for a text, best first."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text or top < 1:
        return []
    try:
        pipeline = _active_pipeline()
    except InvalidInput:
        logger.error("governance classifier failed its checksum; using keywords")
        pipeline = None
    if pipeline is None:
        return _keyword_suggestions(text, top)
    probabilities = pipeline.predict_proba([text])[0]
    classes = pipeline.classes_
    ranked = sorted(range(len(classes)), key=lambda i: -probabilities[i])
    known = config_cache.minor_by_code()
    out = []
    for i in ranked[: top + 5]:
        category = known.get(str(classes[i]))
        if category is not None:
            out.append(
                Suggestion(category.pk, category.code, category.name, float(probabilities[i]))
            )
        if len(out) == top:
            break
    return out


# --- training data -------------------------------------------------------------------


def case_text(title: str, description: str) -> str:
    title, description = (title or "").strip(), (description or "").strip()
    if title and description.startswith(title):
        return description
    return f"{title} {description}".strip()


def samples_from_cases() -> list[tuple[str, str]]:
    """(text, category code) of closed cases: neither cancelled nor merged, the final class."""
    rows = (
        Case.objects.filter(status=CaseStatus.CLOSED, category__isnull=False)
        .values_list("title", "description", "category__code")
        .order_by("id")
    )
    return [(case_text(title, description), code) for title, description, code in rows]


def _label_map() -> dict[str, str]:
    """Code or name (of an active minor class) → code."""
    mapping = {}
    for code, name in minor_categories().values_list("code", "name"):
        mapping.setdefault(name, code)
        mapping[code] = code
    return mapping


def samples_from_csv(
    path: str | Path, *, text_column: str = "text", label_column: str = "label"
) -> list[tuple[str, str]]:
    """(text, category code) from a CSV (UTF-8, header row); labels are codes or names."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("file_not_found", "The CSV file does not exist.", detail=str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in (text_column, label_column) if c not in columns]
            if missing:
                raise InvalidInput(
                    "missing_columns",
                    "The CSV file lacks the text or label column.",
                    detail={"missing": missing, "columns": columns},
                )
            rows = [(row[text_column] or "", (row[label_column] or "").strip()) for row in reader]
    except UnicodeDecodeError:
        raise InvalidInput("invalid_csv", "The CSV file is not UTF-8 text.") from None
    except csv.Error as error:
        raise InvalidInput(
            "invalid_csv", "The CSV file cannot be read.", detail=str(error)
        ) from None
    labels = _label_map()
    unknown = sorted({label for _text, label in rows if label not in labels})
    if unknown:
        raise InvalidInput(
            "unknown_labels",
            "Some labels are not the code or name of an active minor category.",
            detail={"labels": unknown[:20], "count": len(unknown)},
        )
    return [(text.strip(), labels[label]) for text, label in rows if text.strip()]


# --- training and evaluation ---------------------------------------------------------------


def choose_threshold(confidences, correct, *, target: float = TARGET_PRECISION) -> float:
    """The lowest confidence at which the cases at or above it are right ``target`` of the
    time (scanning from the most confident down), never below ``MIN_THRESHOLD``."""
    pairs = sorted(zip(confidences, correct, strict=True), key=lambda p: -p[0])
    best = NO_AUTO_THRESHOLD
    right = 0
    for count, (confidence, ok) in enumerate(pairs, start=1):
        right += bool(ok)
        tie_follows = count < len(pairs) and pairs[count][0] == confidence
        if not tie_follows and count >= 10 and right / count >= target:
            best = float(confidence)
    return max(best, MIN_THRESHOLD) if best < NO_AUTO_THRESHOLD else NO_AUTO_THRESHOLD


def figures(labels, predicted, confidences, threshold: float, names: dict[str, str]) -> dict:
    """Accuracy, macro-F1, per-class figures and the automatic share at ``threshold``."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    classes = sorted(set(labels))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=classes, zero_division=0
    )
    auto = [i for i, c in enumerate(confidences) if c >= threshold]
    auto_right = sum(1 for i in auto if predicted[i] == labels[i])
    return {
        "samples": len(labels),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(
            float(f1_score(labels, predicted, labels=classes, average="macro", zero_division=0)),
            4,
        ),
        "threshold": round(float(threshold), 4),
        "auto_share": round(len(auto) / len(labels), 4) if labels else 0.0,
        "auto_accuracy": round(auto_right / len(auto), 4) if auto else None,
        "per_class": {
            code: {
                "name": names.get(code, ""),
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for code, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
        },
    }


def _names() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


def _predict(pipeline, texts):
    probabilities = pipeline.predict_proba(texts)
    best = probabilities.argmax(axis=1)
    classes = pipeline.classes_
    return [str(classes[i]) for i in best], [float(probabilities[r, i]) for r, i in enumerate(best)]


def train(
    *,
    csv_path: str | Path | None = None,
    actor_name: str = "",
    min_per_class: int = DEFAULT_MIN_PER_CLASS,
    text_column: str = "text",
    label_column: str = "label",
    target_precision: float = TARGET_PRECISION,
) -> ClassifierModel:
    """Train on closed cases (or a CSV), store the model as the active version, return it.

    Classes with fewer than ``min_per_class`` samples are left out (listed in the metrics);
    fewer than ``MIN_SAMPLES`` samples or two classes in all is ``too_few_samples``."""
    from sklearn.model_selection import train_test_split

    if csv_path is not None:
        samples = samples_from_csv(csv_path, text_column=text_column, label_column=label_column)
        source = Path(csv_path).name
    else:
        samples = samples_from_cases()
        source = "cases"
    counts: dict[str, int] = {}
    for _text, label in samples:
        counts[label] = counts.get(label, 0) + 1
    kept = {label for label, n in counts.items() if n >= max(min_per_class, 2)}
    dropped = sorted(set(counts) - kept)
    samples = [(text, label) for text, label in samples if label in kept]
    if len(samples) < MIN_SAMPLES or len(kept) < 2:
        raise InvalidInput(
            "too_few_samples",
            "Too few labelled samples to train the classifier.",
            detail={
                "samples": len(samples),
                "classes": len(kept),
                "min_samples": MIN_SAMPLES,
                "min_per_class": min_per_class,
            },
        )
    texts = [text for text, _label in samples]
    labels = [label for _text, label in samples]
    held_out = max(int(len(samples) * HELD_OUT_SHARE), len(kept))
    stratify = labels if held_out < len(samples) - len(kept) else None
    train_x, test_x, train_y, test_y = train_test_split(
        texts,
        labels,
        test_size=held_out if stratify else HELD_OUT_SHARE,
        random_state=RANDOM_STATE,
        stratify=stratify,
    )
    probe = build_pipeline().fit(train_x, train_y)
    predicted, confidences = _predict(probe, test_x)
    correct = [p == t for p, t in zip(predicted, test_y, strict=True)]
    threshold = choose_threshold(confidences, correct, target=target_precision)
    metrics = figures(test_y, predicted, confidences, threshold, _names())
    metrics.update(
        {
            "held_out": len(test_y),
            "trained_on": len(train_y),
            "target_precision": target_precision,
            "dropped_classes": dropped,
        }
    )
    final = build_pipeline().fit(texts, labels)  # all data; the figures are the held-out ones
    blob = _serialise(final)
    with transaction.atomic():
        version = (ClassifierModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        ClassifierModel.objects.filter(active=True).update(active=False)
        model = ClassifierModel.objects.create(
            version=version,
            source=source[:255],
            sample_count=len(samples),
            class_count=len(kept),
            metrics=metrics,
            threshold=threshold,
            blob=blob,
            sha256=hashlib.sha256(blob).hexdigest(),
            active=True,
            trained_by=actor_name[:150],
            trained_at=timezone.now(),
        )
        audit.record(
            actor=None,
            action="governance.classifier.train",
            obj=model,
            after={
                "version": version,
                "source": model.source,
                "samples": model.sample_count,
                "classes": model.class_count,
                "threshold": threshold,
                "accuracy": metrics["accuracy"],
                "macro_f1": metrics["macro_f1"],
                "trained_by": model.trained_by,
            },
        )
    return model


def evaluate(
    *, csv_path: str | Path, text_column: str = "text", label_column: str = "label"
) -> dict:
    """Figures of the active model on a labelled CSV, at the current auto-dispatch threshold."""
    model = active_model()
    if model is None:
        raise InvalidInput("no_classifier", "No classifier has been trained yet.")
    samples = samples_from_csv(csv_path, text_column=text_column, label_column=label_column)
    if not samples:
        raise InvalidInput("too_few_samples", "The CSV file has no labelled texts.")
    pipeline = _active_pipeline()
    texts = [text for text, _label in samples]
    labels = [label for _text, label in samples]
    predicted, confidences = _predict(pipeline, texts)
    result: dict[str, Any] = figures(
        labels, predicted, confidences, auto_dispatch_threshold(), _names()
    )
    result["version"] = model.version
    return result
