import csv
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from smartgov.core.errors import InvalidInput
from smartgov.core.models import AuditRecord
from smartgov.governance import classify, demo_texts
from smartgov.governance.categories import get_category
from smartgov.governance.models import Case, CaseStatus, ClassifierModel
from tests.governance.places_fixtures import *  # noqa: F403 (fixtures)

CODES = ["0110", "0101", "1101", "1105", "1501", "1503", "2801", "2501", "3001", "1301"]


def write_csv(path, rows, header=("text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def generated(n_per_class, seed, codes=CODES, by_name=False):
    rng = random.Random(seed)
    rows = []
    for code in codes:
        for _ in range(n_per_class):
            report = demo_texts.report(code, rng)
            label = get_category(code).name if by_name else code
            rows.append((report.title + " " + report.description, label))
    rng.shuffle(rows)
    return rows


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    classify.clear_cache()
    yield
    classify.clear_cache()


def test_analyse_has_words_and_bigrams():
    tokens = classify.analyse("文三路的路灯不亮了！123")
    assert "文三路" in tokens and "#路灯" in tokens and "#灯不" in tokens
    assert "123" not in tokens and "！" not in tokens


def test_keyword_fallback_without_model(tree):
    assert classify.auto_dispatch_threshold() == 1.0
    suggestions = classify.suggest("教工路上的路灯不亮了，一片漆黑")
    assert suggestions[0].code == "0110"
    assert all(s.score < 0.5 for s in suggestions)
    assert classify.suggest("") == []


def test_train_from_csv_and_suggest(tree, tmp_path):
    path = write_csv(tmp_path / "history.csv", generated(12, seed=1, by_name=True))
    model = classify.train(csv_path=path, actor_name="tester")
    assert model.active and model.version == 1 and model.source == "history.csv"
    assert model.class_count == len(CODES) and model.sample_count == 12 * len(CODES)
    assert 0.5 <= model.threshold <= 1.0
    assert model.metrics["accuracy"] > 0.8
    assert set(model.metrics["per_class"]) <= set(CODES)
    assert AuditRecord.objects.filter(action="governance.classifier.train").count() == 1
    suggestions = classify.suggest("滨盛路上有流动小贩骑三轮车叫卖，路口也有无证摊贩", top=3)
    assert len(suggestions) == 3 and suggestions[0].code == "1503"
    assert suggestions[0].score > suggestions[1].score
    assert suggestions[0].category_id == get_category("1503").pk
    assert classify.auto_dispatch_threshold() == pytest.approx(model.threshold)


def test_new_version_is_picked_up_and_checksum_checked(tree, tmp_path):
    classify.train(csv_path=write_csv(tmp_path / "a.csv", generated(8, 2, CODES[:5])))
    assert classify.suggest("路灯不亮", top=1)[0].code == "0110"
    second = classify.train(csv_path=write_csv(tmp_path / "b.csv", generated(8, 3, CODES[5:])))
    assert list(ClassifierModel.objects.filter(active=True)) == [second]
    assert classify.suggest("有人在路口摆摊", top=5)[0].code in CODES[5:]
    assert {s.code for s in classify.suggest("路灯不亮", top=5)} <= set(CODES[5:])
    # A tampered blob: the keyword fallback answers, with scores below any threshold.
    ClassifierModel.objects.filter(pk=second.pk).update(sha256="0" * 64)
    classify.clear_cache()
    fallback = classify.suggest("路灯不亮了")
    assert fallback[0].code == "0110" and fallback[0].score < 0.5


def test_threshold_setting_overrides(tree, settings):
    settings.GOVERNANCE_AUTO_DISPATCH_THRESHOLD = 0.7
    assert classify.auto_dispatch_threshold() == 0.7


def test_choose_threshold():
    confidences = [0.99] * 50 + [0.8] * 50 + [0.6] * 50
    correct = [True] * 50 + [True] * 48 + [False, False] + [True] * 25 + [False] * 25
    assert classify.choose_threshold(confidences, correct) == 0.8
    assert classify.choose_threshold([0.9] * 20, [False] * 20) == 1.0


def _case(number, category, status, title, description):
    return Case.objects.create(
        number=number,
        channel="hotline",
        title=title,
        description=description,
        category=category,
        status=status,
        created_at=timezone.now(),
    )


def test_train_from_closed_cases_only(tree):
    rows = generated(6, seed=4, codes=CODES[:4])
    for i, (text, code) in enumerate(rows):
        _case(f"T{i:05d}", get_category(code), CaseStatus.CLOSED, text[:10], text)
    for i, status in enumerate([CaseStatus.CANCELLED, CaseStatus.MERGED, CaseStatus.DISPATCHED]):
        _case(f"X{i}", get_category("2501"), status, "拖欠工资", "公司拖欠工资三个月了")
    model = classify.train(actor_name="admin")
    assert model.source == "cases" and model.sample_count == len(rows)
    assert model.class_count == 4
    assert "2501" not in model.metrics["per_class"]


def test_evaluate_prints_figures(tree, tmp_path):
    classify.train(csv_path=write_csv(tmp_path / "train.csv", generated(12, 5)))
    test_path = write_csv(tmp_path / "test.csv", generated(5, 6))
    result = classify.evaluate(csv_path=test_path)
    assert result["samples"] == 5 * len(CODES) and result["accuracy"] > 0.8
    assert 0 <= result["auto_share"] <= 1 and result["per_class"]["0110"]["support"] == 5
    out = StringIO()
    call_command("governance", "evaluate", "--csv", str(test_path), stdout=out)
    text = out.getvalue()
    assert "accuracy" in text and "macro-F1" in text and "automatic" in text
    assert "0110" in text and "路灯" in text


def test_train_command(tree, tmp_path):
    path = write_csv(tmp_path / "t.csv", generated(10, 7), header=("内容", "分类"))
    out = StringIO()
    call_command(
        "governance",
        "train",
        "--csv",
        str(path),
        "--text-column",
        "内容",
        "--label-column",
        "分类",
        stdout=out,
    )
    assert "Classifier v1 trained on" in out.getvalue()
    assert "Auto-dispatch threshold" in out.getvalue()


def test_cli_errors(tree, tmp_path):
    with pytest.raises(CommandError, match="no_classifier"):
        call_command("governance", "evaluate", "--csv", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="file_not_found"):
        call_command("governance", "train", "--csv", str(tmp_path / "missing.csv"))
    bad_columns = write_csv(tmp_path / "cols.csv", [("a", "0110")], header=("body", "label"))
    with pytest.raises(CommandError, match="missing_columns"):
        call_command("governance", "train", "--csv", str(bad_columns))
    unknown = write_csv(tmp_path / "unknown.csv", [*generated(3, 8), ("天气真好", "天气")])
    with pytest.raises(CommandError, match=r"unknown_labels.*天气"):
        call_command("governance", "train", "--csv", str(unknown))
    few = write_csv(tmp_path / "few.csv", generated(1, 9))
    with pytest.raises(CommandError, match="too_few_samples"):
        call_command("governance", "train", "--csv", str(few))
    with pytest.raises(CommandError, match="too_few_samples"):
        call_command("governance", "train")  # no closed cases yet
    assert ClassifierModel.objects.count() == 0
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"text,label\n\xff\xfe\x00bad,0110\n")
    with pytest.raises(InvalidInput) as error:
        classify.train(csv_path=binary)
    assert error.value.code == "invalid_csv"
