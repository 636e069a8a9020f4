"""Chinese search over published items: the catalog's jieba tokens, matched portably.

Each item version stores ``search_name`` (name and codes) and ``search_text`` (tags, keywords,
result, materials, department, type), both space-padded token lists from
``catalog.search.tokens``. A query is cut into AND-ed groups of OR-ed tokens
(``catalog.search.query_groups``, the word first). A group matches a column that holds the
word itself as a token, or all of its sub-tokens (so 结婚登记 needs 结婚 and 登记, not
only 登记). Items are few (thousands at most), so ranking is done in Python: a group that hits
the name counts ten times a group that hits only the text.
"""

from __future__ import annotations

from functools import reduce
from operator import and_

from django.db.models import Q

from smartgov.catalog.search import query_groups, tokens

NAME_WEIGHT = 10


def padded(*texts: str) -> str:
    """Tokens of the texts with a space on both sides, so ' token ' matches whole tokens."""
    joined = tokens(*texts)
    return f" {joined} " if joined else ""


def document(item, materials) -> tuple[str, str]:
    """(search_name, search_text) of an item version and its materials."""
    name = padded(item.name, item.basic_code, item.implementation_code)
    text = padded(
        " ".join(item.tags or []),
        " ".join(item.keywords or []),
        item.result_name,
        item.get_item_type_display(),
        item.department.name if item.department_id else "",
        *(m.name for m in materials),
    )
    return name, text


def index_item(item) -> None:
    """Store the item's tokens (after every change to it or its materials)."""
    item.search_name, item.search_text = document(item, item.materials.all())
    type(item).objects.filter(pk=item.pk).update(
        search_name=item.search_name, search_text=item.search_text
    )


def filter_and_rank(queryset, query: str) -> list | None:
    """The items of ``queryset`` matching ``query``, best first; None when the query is empty."""
    groups = query_groups(query)
    if not groups:
        return None

    def has(column: str, token: str) -> Q:
        return Q(**{f"{column}__contains": f" {token} "})

    def hit(column: str, group: list[str]) -> Q:
        word, subs = group[0], group[1:]
        condition = has(column, word)
        if subs:
            condition |= reduce(and_, (has(column, token) for token in subs))
        return condition

    def in_text(text: str, group: list[str]) -> bool:
        word, subs = group[0], group[1:]
        return f" {word} " in text or (bool(subs) and all(f" {t} " in text for t in subs))

    condition = reduce(
        and_, (hit("search_name", group) | hit("search_text", group) for group in groups)
    )
    items = list(queryset.filter(condition))

    def score(item) -> int:
        total = 0
        for group in groups:
            if in_text(item.search_name, group):
                total += NAME_WEIGHT
            elif in_text(item.search_text, group):
                total += 1
        return total

    items.sort(key=lambda item: (-score(item), item.name, item.pk))
    return items
