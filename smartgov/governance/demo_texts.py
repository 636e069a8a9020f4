"""Report texts for the demo and the tests: a category's typical wording × a place × small
details, as hotline agents and grid workers write them (``data/demo_texts.json``; invented
wordings, no real records)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TEXTS = Path(__file__).parent / "data" / "demo_texts.json"
DISTRICT_NAMES = {"330102": "上城区", "330106": "西湖区", "330108": "滨江区"}
DETAILS = [
    "",
    "",
    "",
    "昨天晚上开始的。",
    "我每天上下班都经过这里。",
    "附近老人小孩很多。",
    "之前打过电话，没有结果。",
    "已经拍了照片。",
    "周围居民意见很大。",
    "早上七点左右看到的。",
]


@dataclass(frozen=True)
class Report:
    title: str
    description: str
    address: str
    road: str


@lru_cache(maxsize=1)
def texts() -> dict:
    with TEXTS.open(encoding="utf-8") as handle:
        return json.load(handle)


def codes() -> list[str]:
    return sorted(texts()["phrases"])


def _phrase(code: str, rng: random.Random, keywords: str) -> str:
    """A typical wording; some reports say only part of it, or just name the thing."""
    phrase = rng.choice(texts()["phrases"][code])
    roll = rng.random()
    words = [w for w in keywords.split() if len(w) >= 2]
    if roll < 0.12 and words:
        word = rng.choice(words)
        return rng.choice([f"{word}有问题", f"关于{word}的问题", f"{word}，请处理", f"反映{word}"])
    if roll < 0.3 and "，" in phrase:
        parts = phrase.split("，")
        return parts[0] if rng.random() < 0.5 else parts[-1]
    return phrase


def report(
    code: str,
    rng: random.Random,
    *,
    district: str | None = None,
    road: str = "",
    keywords: str = "",
) -> Report:
    """One report of category ``code`` somewhere in ``district`` (a demo district code);
    with ``keywords`` (the category's), some reports are vaguer, as real ones are."""
    data = texts()
    district = district or rng.choice(sorted(data["roads"]))
    road = road or rng.choice(data["roads"][district])
    phrase = _phrase(code, rng, keywords) if keywords else rng.choice(data["phrases"][code])
    complaint = code[:2] >= "21"
    number = rng.randint(1, 399)
    if complaint:
        community = rng.choice(data["communities"])
        address = f"杭州市{DISTRICT_NAMES[district]}{road}{community}"
        where = rng.choice(["", f"我住在{community}，", f"{road}{community}，", ""])
    else:
        landmark = rng.choice(data["landmarks"])
        address = f"杭州市{DISTRICT_NAMES[district]}{road}{number}号"
        where = rng.choice(
            [f"{road}{number}号附近", f"{road}{landmark}", f"{DISTRICT_NAMES[district]}{road}"]
        )
        where += rng.choice(["，", "", "有个问题，"])
    description = (
        rng.choice(data["openings"])
        + where
        + phrase
        + "。"
        + rng.choice(DETAILS)
        + rng.choice(data["closings"])
    )
    head = phrase.split("，")[0][:14]
    title = head if complaint else f"{road}{head}"[:30]
    return Report(title=title, description=description, address=address, road=road)
