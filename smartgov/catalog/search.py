"""Chinese full-text search over the catalog: jieba tokens plus one small per-vendor db helper.

Each resource keeps two token columns: ``search_name`` (name and code, weighted high) and
``search_text`` (summary, field labels and field names). SQLite indexes them in the FTS5 table
``catalog_resource_fts`` (rowid = resource id, ranked with bm25); PostgreSQL in a stored
generated column ``search_vector`` = ``setweight(to_tsvector('simple', …))`` of both, with a GIN
index (ranked with ts_rank). Both are created by migrations 0002 and 0003; the services call
``index_resource`` after every change (on PostgreSQL the column follows by itself).

A query is cut into words (jieba precise mode); each word matches any of its search-mode
sub-tokens (``cut_for_search``), and all words must match.
"""

from __future__ import annotations

import logging
import re
import threading

from django.db import connection

FTS_TABLE = "catalog_resource_fts"
NAME_WEIGHT = 10.0  # bm25 weight of search_name against 1.0 for search_text
# Generated from search_name (weight A) and search_text (weight B) by migration 0003.
PG_VECTOR = "catalog_resource.search_vector"
MAX_QUERY_WORDS = 16

_lock = threading.Lock()
_jieba = None
_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)  # a letter or a digit


def _tokenizer():
    """jieba, initialised once on first use (it loads its ~5 MB dictionary), without logging."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def _clean(tokens) -> list[str]:
    """Lower-case tokens that hold a letter or digit, in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for token in tokens:
        token = token.strip().lower()
        if token and _WORD_RE.search(token):
            seen.setdefault(token, None)
    return list(seen)


def tokens(*texts: str) -> str:
    """Search-mode jieba tokens of the texts, space separated (what the index stores)."""
    jieba = _tokenizer()
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(jieba.cut_for_search(text))
    return " ".join(_clean(words))


def query_groups(query: str) -> list[list[str]]:
    """The query as AND-ed groups of OR-ed tokens: one group per word of the query."""
    jieba = _tokenizer()
    groups: list[list[str]] = []
    for word in _clean(jieba.cut(query or "")):
        group = _clean([word, *jieba.cut_for_search(word)])
        if group not in groups:
            groups.append(group)
    return groups[:MAX_QUERY_WORDS]


def document(resource, fields) -> tuple[str, str]:
    """(search_name, search_text) of a resource and its fields."""
    # Codes and field names go through jieba too, so both sides split "citizen_id" and
    # "101001001/000001" the same way whatever the database's own parser would do.
    name = tokens(resource.name, resource.code)
    text = tokens(resource.summary, *(f.label for f in fields), *(f.name for f in fields))
    return name, text


def index_resource(resource, fields) -> None:
    """Store the resource's tokens and, on SQLite, refresh its row in the FTS5 table."""
    resource.search_name, resource.search_text = document(resource, fields)
    type(resource).objects.filter(pk=resource.pk).update(
        search_name=resource.search_name, search_text=resource.search_text
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [resource.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, search_name, search_text) "  # noqa: S608
                "VALUES (%s, %s, %s)",
                [resource.pk, resource.search_name, resource.search_text],
            )


def rebuild_index() -> None:
    """Refill the SQLite FTS5 table from the token columns (after bulk loads); no-op elsewhere."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, search_name, search_text) "  # noqa: S608
            "SELECT id, search_name, search_text FROM catalog_resource"
        )


def _fts5_expression(groups: list[list[str]]) -> str:
    # Every token becomes a quoted FTS5 string, so no query text is read as FTS5 syntax.
    def quoted(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    return " AND ".join("(" + " OR ".join(quoted(t) for t in group) + ")" for group in groups)


def _pg_query(groups: list[list[str]]) -> tuple[str, list[str]]:
    parts, params = [], []
    for group in groups:
        parts.append("(" + " || ".join("phraseto_tsquery('simple', %s)" for _ in group) + ")")
        params.extend(group)
    return " && ".join(parts), params


def ranked_ids(query: str) -> list[int]:
    """Ids of the resources matching ``query``, best first (empty when nothing can match)."""
    groups = query_groups(query)
    if not groups:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
                f"ORDER BY bm25({FTS_TABLE}, {NAME_WEIGHT}, 1.0), rowid",
                [_fts5_expression(groups)],
            )
        elif connection.vendor == "postgresql":
            tsquery, params = _pg_query(groups)
            cursor.execute(
                f"WITH q AS (SELECT {tsquery} AS query) "  # noqa: S608
                f"SELECT catalog_resource.id FROM catalog_resource, q "
                f"WHERE {PG_VECTOR} @@ q.query "
                f"ORDER BY ts_rank({PG_VECTOR}, q.query) DESC, catalog_resource.name, "
                "catalog_resource.id",
                params,
            )
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise NotImplementedError(connection.vendor)
        return [row[0] for row in cursor.fetchall()]


def matching_ids_sql(query: str) -> tuple[str, list] | None:
    """``(sql, params)`` of a sub-query selecting the ids of the resources matching ``query``
    (unranked; for ``pk__in=RawSQL(...)`` filters), or None when nothing can match."""
    groups = query_groups(query)
    if not groups:
        return None
    if connection.vendor == "sqlite":
        return (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [_fts5_expression(groups)],
        )
    tsquery, params = _pg_query(groups)
    return (
        f"SELECT catalog_resource.id FROM catalog_resource WHERE {PG_VECTOR} @@ ({tsquery})",  # noqa: S608
        params,
    )
