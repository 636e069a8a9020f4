"""Metadata the gateway needs on every call (apps, grants, resources and their columns), cached
in the worker process and dropped as soon as any of it changes.

Every ``SMARTGOV_GATEWAY_CACHE_SECONDS`` (default 1 s) one aggregate query fingerprints the
apps, grants, resources and store tables (row counts, latest ``updated_at``, active counts,
secret versions, rates); a different fingerprint empties the cache. A revoked app or grant, a
rotated secret or a changed rate therefore acts within that bound in every worker, whether it
was saved through the services or with a bulk ``update()``. Entries are also dropped after
``SMARTGOV_GATEWAY_CACHE_MAX_AGE`` (default 60 s) whatever the fingerprint says. Validity dates
are checked on each call against the cached dates, so expiry at midnight needs no refresh.
Decrypted secrets are kept by (app id, secret version), so a rotation is used at once.
"""

# The fingerprint's SQL names tables from the models' metadata and holds no values.
# ruff: noqa: S608

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection

from smartgov.catalog.models import Field, Resource, ResourceStatus
from smartgov.core.crypto import decrypt_field
from smartgov.datastore.models import StoreTable
from smartgov.datastore.validation import build_checker, output
from smartgov.sharing.models import AppStatus, ConsumerApp, Grant, GrantStatus

MAX_ENTRIES = 20_000  # per map; past it the map is emptied (unknown keys must not grow memory)


@dataclass(frozen=True)
class AppMeta:
    id: int
    department_id: int
    active: bool
    secret_version: int
    secret: str
    networks: tuple | None  # None: any address

    def allows(self, address: str) -> bool:
        if self.networks is None:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


@dataclass(frozen=True)
class ColumnMeta:
    name: str
    data_type: str
    is_key: bool
    masking: str
    check: object  # value -> stored value (raises datastore.validation.Rejected)
    convert: object  # stored value -> JSON value


@dataclass(frozen=True)
class ResourceMeta:
    id: int
    code: str
    provider_id: int
    published: bool
    table_name: str | None
    columns: dict[str, ColumnMeta]
    key: ColumnMeta | None  # the single key column (None: no table yet, or a composite key)

    @property
    def subject_purpose(self) -> str | None:
        """The blind-index purpose of the key when it identifies a person or an enterprise."""
        if self.key is None:
            return None
        return {"citizen_id": "citizen_id", "credit_code": "credit_code"}.get(self.key.data_type)


@dataclass(frozen=True)
class GrantMeta:
    id: int
    consumer_id: int
    fields: tuple[str, ...]
    clear_fields: frozenset
    status: str
    valid_from: date
    valid_until: date
    rate_per_minute: int

    def refusal(self, today: date) -> str | None:
        """Why the grant cannot be used today (None: usable)."""
        if self.status == GrantStatus.REVOKED:
            return "grant_revoked"
        if self.status != GrantStatus.ACTIVE or self.valid_until < today:
            return "grant_expired"
        if self.valid_from > today:
            return "grant_not_yet_valid"
        return None


@dataclass
class _Maps:
    born: float = field(default_factory=time.monotonic)
    apps: dict | None = None  # app key -> _AppRow, every app (loaded at once)
    grants: dict | None = None  # (app id, resource id) -> (GrantMeta, ...), every grant
    metas: dict = field(default_factory=dict)  # app key -> AppMeta (secret decrypted)
    resources: dict = field(default_factory=dict)


class MetadataCache:
    """Process-wide cache shared by the worker's threads (dict reads and swaps are atomic).

    Apps and grants are loaded whole, in two queries, the first time they are needed after a
    change: a gateway serves a bounded set of apps (hundreds to a few thousand), and loading
    them all avoids a query per unseen app (and lets unknown keys cost no query at all).
    Secrets are decrypted on an app's first call.
    """

    def __init__(self) -> None:
        self._maps = _Maps()
        # (app id, secret version, ciphertext) -> secret: a rotation is a new key at once.
        self._secrets: dict[tuple[int, int, str], str] = {}
        self._fingerprint = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def clear(self) -> None:
        self._secrets = {}
        self._maps = _Maps()
        self._fingerprint = None
        self._checked_at = float("-inf")

    def refresh(self) -> None:
        """Drop everything if the metadata changed (checked at most once per interval)."""
        now = time.monotonic()
        if now - self._checked_at < settings.SMARTGOV_GATEWAY_CACHE_SECONDS:
            return
        with self._lock:
            if now - self._checked_at < settings.SMARTGOV_GATEWAY_CACHE_SECONDS:
                return
            fingerprint = _fingerprint()
            stale = now - self._maps.born > settings.SMARTGOV_GATEWAY_CACHE_MAX_AGE
            if fingerprint != self._fingerprint or stale:
                self._maps = _Maps()
                self._fingerprint = fingerprint
            self._checked_at = time.monotonic()

    def _loaded(self) -> _Maps:
        maps = self._maps
        if maps.apps is None or maps.grants is None:
            with self._lock:
                if maps.apps is None or maps.grants is None:
                    maps.apps = _load_apps()
                    maps.grants = _load_grants()
        return maps

    def app(self, app_key: str) -> AppMeta | None:
        maps = self._loaded()
        meta = maps.metas.get(app_key)
        if meta is not None:
            return meta
        row = maps.apps.get(app_key)
        if row is None:
            return None
        app_id, department_id, status, version, encrypted, allowlist = row
        secret = self._secrets.get((app_id, version, encrypted))
        if secret is None:
            secret = decrypt_field(encrypted)
            if len(self._secrets) >= MAX_ENTRIES:
                self._secrets = {}
            self._secrets[app_id, version, encrypted] = secret
        meta = AppMeta(
            id=app_id,
            department_id=department_id,
            active=status == AppStatus.ACTIVE,
            secret_version=version,
            secret=secret,
            networks=_networks(allowlist),
        )
        maps.metas[app_key] = meta
        return meta

    def resource(self, ref: str) -> ResourceMeta | None:
        maps = self._maps
        try:
            return maps.resources[ref]
        except KeyError:
            pass
        meta = _load_resource(ref)
        if len(maps.resources) >= MAX_ENTRIES:
            maps.resources.clear()
        maps.resources[ref] = meta
        return meta

    def grants(self, app_id: int, resource_id: int) -> tuple[GrantMeta, ...]:
        return self._loaded().grants.get((app_id, resource_id), ())


def _load_apps() -> dict:
    rows = ConsumerApp.objects.values_list(
        "app_key",
        "id",
        "department_id",
        "status",
        "secret_version",
        "secret_encrypted",
        "ip_allowlist",
    )
    return {row[0]: row[1:] for row in rows}


def _load_grants() -> dict:
    grants: dict[tuple[int, int], list[GrantMeta]] = {}
    for g in Grant.objects.order_by("-id"):
        grants.setdefault((g.app_id, g.resource_id), []).append(
            GrantMeta(
                id=g.pk,
                consumer_id=g.consumer_id,
                fields=tuple(g.fields or ()),
                clear_fields=frozenset(g.clear_fields or ()),
                status=g.status,
                valid_from=g.valid_from,
                valid_until=g.valid_until,
                rate_per_minute=g.rate_per_minute,
            )
        )
    return {key: tuple(value) for key, value in grants.items()}


def _networks(allowlist) -> tuple | None:
    if not allowlist:
        return None
    networks = []
    for entry in allowlist:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            continue  # a malformed entry allows nothing (never everything)
    return tuple(networks)


def _load_resource(ref: str) -> ResourceMeta | None:
    resources = Resource.objects.all()
    if ref.isdigit():
        resource = resources.filter(pk=int(ref)).first() if len(ref) < 10 else None
    else:
        resource = resources.filter(code=ref).first()
    if resource is None:
        return None
    table = StoreTable.objects.filter(resource=resource).first()
    masking = dict(Field.objects.filter(resource=resource).values_list("name", "masking"))
    columns = {}
    if table is not None:
        for column in table.schema:
            columns[column["name"]] = ColumnMeta(
                name=column["name"],
                data_type=column["data_type"],
                is_key=bool(column["is_key"]),
                # A column without a catalog field any more is hidden completely.
                masking=masking.get(column["name"], "full"),
                check=build_checker({**column, "required": True}),
                convert=output(column["data_type"]),
            )
    keys = [c for c in columns.values() if c.is_key]
    return ResourceMeta(
        id=resource.pk,
        code=resource.code,
        provider_id=resource.provider_id,
        published=resource.status == ResourceStatus.PUBLISHED,
        table_name=table.table_name if table is not None else None,
        columns=columns,
        key=keys[0] if len(keys) == 1 else None,
    )


def _fingerprint() -> tuple:
    app = ConsumerApp._meta.db_table
    grant = Grant._meta.db_table
    resource = Resource._meta.db_table
    table = StoreTable._meta.db_table
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {app}), (SELECT MAX(updated_at) FROM {app}), "
        f"(SELECT SUM(secret_version) FROM {app}), "
        f"(SELECT COUNT(*) FROM {app} WHERE status = 'active'), "
        f"(SELECT COUNT(*) FROM {grant}), (SELECT MAX(updated_at) FROM {grant}), "
        f"(SELECT COUNT(*) FROM {grant} WHERE status = 'active'), "
        f"(SELECT SUM(rate_per_minute) FROM {grant}), (SELECT MAX(id) FROM {grant}), "
        f"(SELECT MAX(updated_at) FROM {resource}), (SELECT MAX(updated_at) FROM {table})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


cache = MetadataCache()
