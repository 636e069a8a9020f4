"""The gateway: signed lookups and queries, masking, clear fields, every refusal code."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest

from smartgov.sharing.models import CallLog
from tests.sharing import gateway_factories as gf
from tests.sharing.gateway_factories import citizen_id

_fresh_gateway_cache = gf._fresh_gateway_cache
officer, data_admin = gf.officer, gf.data_admin
make_resource, publish = gf.make_resource, gf.publish
population, people, consumer = gf.population, gf.people, gf.consumer
app_and_secret, grant, signed = gf.app_and_secret, gf.grant, gf.signed

pytestmark = pytest.mark.django_db


def test_key_lookup_returns_granted_fields_masked(signed, grant, people):
    response = signed.lookup(people, citizen_id(3))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert body["fields"] == grant.fields
    record = body["record"]
    assert record["citizen_id"] == citizen_id(3)[:6] + "********" + citizen_id(3)[-4:]
    assert record["name"] == "张*"
    assert record["phone"] == "138****0003"
    assert record["household_size"] == 4
    assert "income" not in record
    log = CallLog.objects.get()
    assert (log.status, log.kind, log.result_count) == (200, "key", 1)


def masked_id(value):
    return value[:6] + "********" + value[-4:]


def refused(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert "record" not in body and "records" not in body
    log = CallLog.objects.order_by("-id").first()
    assert (log.status, log.error_code) == (status, code)
    assert log.fields == "" and log.result_count == 0
    return body


# --- answers ---------------------------------------------------------------------------------


def test_clear_fields_come_unmasked(signed, app_and_secret, people):
    gf.make_grant(app_and_secret[0], people, clear_fields=["name", "citizen_id"])
    record = signed.lookup(people, citizen_id(4)).json()["record"]
    assert record["name"] == "张4"
    assert record["citizen_id"] == citizen_id(4)
    assert record["phone"] == "138****0004"


def test_fields_parameter_narrows_the_answer(signed, grant, people):
    response = signed.lookup(people, citizen_id(5), "fields=phone,name")
    assert response.status_code == 200
    body = response.json()
    assert body["fields"] == ["phone", "name"]
    assert set(body["record"]) == {"phone", "name"}
    assert CallLog.objects.get().fields == "phone,name"


def test_lookup_by_catalog_code_and_lower_case_x(signed, grant, people):
    response = signed.get(f"/gateway/v1/resources/{people.code}/records/{citizen_id(6)}")
    assert response.status_code == 200, response.content


def test_unknown_key_is_404_and_logged(signed, grant, people):
    other = gf.citizen_id(999)
    refused(signed.lookup(people, other), 404, "record_not_found")


def test_query_with_filters_and_paging(signed, grant, people):
    response = signed.query(people, "household_size=2&page_size=2")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["page"] == 1 and body["page_size"] == 2 and body["has_more"] is True
    assert [r["household_size"] for r in body["records"]] == [2, 2]
    assert body["records"][0]["name"].endswith("*")
    page_three = signed.query(people, "household_size=2&page_size=2&page=3").json()
    assert len(page_three["records"]) == 2 and page_three["has_more"] is False
    log = CallLog.objects.order_by("-id").first()
    assert (log.kind, log.result_count) == ("query", 2)


def test_query_operators(signed, grant, people):
    body = signed.query(people, "household_size__gte=4&page_size=100").json()
    assert {r["household_size"] for r in body["records"]} == {4, 5}
    assert len(body["records"]) == 12
    body = signed.query(people, "household_size__in=1,3&page_size=100").json()
    assert {r["household_size"] for r in body["records"]} == {1, 3}
    body = signed.query(people, "birth_date__lte=1989-12-31").json()
    assert body["records"] == []


def test_query_by_key_records_the_subject(signed, grant, people):
    from smartgov.core.crypto import blind_index

    response = signed.query(people, f"citizen_id={citizen_id(7)}")
    assert len(response.json()["records"]) == 1
    assert CallLog.objects.get().subject_hash == blind_index(citizen_id(7), purpose="citizen_id")


def test_call_log_never_holds_returned_data(signed, grant, people):
    signed.lookup(people, citizen_id(8))
    log = CallLog.objects.get()
    row = {f.attname: getattr(log, f.attname) for f in CallLog._meta.fields}
    text = repr(row)
    assert citizen_id(8) not in text and "张8" not in text and "13800130008" not in text
    assert log.app_id_ref == signed.app.pk and log.grant_id_ref == grant.pk
    assert log.resource_id_ref == people.pk and log.provider_id_ref == people.provider_id
    assert log.consumer_id_ref == grant.consumer_id
    assert log.client_ip == "127.0.0.1" and log.latency_ms > 0
    assert log.path == f"/gateway/v1/resources/{people.pk}/records/*"


def test_subject_hash_matches_the_citizens_account(signed, grant, people):
    from smartgov.accounts import services as accounts

    user = accounts.create_citizen(
        actor=None, username="li4", real_name="李四", citizen_id=citizen_id(9), password=None
    )
    signed.lookup(people, citizen_id(9).lower())
    assert CallLog.objects.get().subject_hash == user.citizen_id_index


def test_health(client):
    response = client.get("/gateway/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert not CallLog.objects.exists()


# --- authentication refusals ------------------------------------------------------------------


def test_missing_and_unknown_app_key(signed, grant, people):
    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"
    refused(signed.get(path, headers={}), 401, "missing_app_key")
    refused(signed.lookup(people, citizen_id(1), app_key="sg" + "f" * 30), 401, "unknown_app")
    assert CallLog.objects.order_by("-id").first().app_id_ref is None


def test_revoked_app_is_unknown_at_once(signed, grant, people):
    assert signed.lookup(people, citizen_id(1)).status_code == 200
    type(signed.app).objects.filter(pk=signed.app.pk).update(status="revoked")
    refused(signed.lookup(people, citizen_id(1)), 401, "unknown_app")
    assert CallLog.objects.order_by("-id").first().app_id_ref == signed.app.pk


def test_bad_signature(signed, grant, people):
    refused(signed.lookup(people, citizen_id(1), secret="wrong"), 401, "bad_signature")
    # A signature over other parameters does not fit this query.
    headers = signed.headers(f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}")
    response = signed.get(
        f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}", "fields=name", headers=headers
    )
    refused(response, 401, "bad_signature")
    assert CallLog.objects.order_by("-id").first().nonce == ""


def test_non_ascii_signature_is_a_bad_signature(signed, grant, people):
    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"
    headers = {**signed.headers(path), "HTTP_X_SG_SIGNATURE": "签名" * 32}
    refused(signed.get(path, headers=headers), 401, "bad_signature")


def test_sm3_signature_is_accepted(signed, grant, people):
    response = signed.lookup(people, citizen_id(1), signature_method="HMAC-SM3")
    assert response.status_code == 200, response.content


def test_unsupported_signature_method(signed, grant, people):
    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"
    headers = signed.headers(path)
    headers["HTTP_X_SG_SIGNATURE_METHOD"] = "MD5"
    refused(signed.get(path, headers=headers), 401, "unsupported_signature_method")


def test_clock_skew(signed, grant, people):
    now = int(time.time())
    body = refused(signed.lookup(people, citizen_id(1), timestamp=now - 301), 401, "clock_skew")
    assert body["detail"]["allowed"] == 300
    refused(signed.lookup(people, citizen_id(1), timestamp=now + 400), 401, "clock_skew")
    assert signed.lookup(people, citizen_id(1), timestamp=now - 250).status_code == 200


def test_malformed_timestamp_and_nonce(signed, grant, people):
    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"
    headers = signed.headers(path)
    headers["HTTP_X_SG_TIMESTAMP"] = "soon"
    refused(signed.get(path, headers=headers), 401, "invalid_timestamp")
    refused(signed.lookup(people, citizen_id(1), nonce="short"), 401, "invalid_nonce")
    refused(signed.lookup(people, citizen_id(1), nonce="x" * 65), 401, "invalid_nonce")
    refused(signed.lookup(people, citizen_id(1), nonce="'; DROP TABLE x;--"), 401, "invalid_nonce")


def test_replayed_nonce_is_refused(signed, grant, people):
    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"
    headers = signed.headers(path)
    assert signed.get(path, headers=headers).status_code == 200
    refused(signed.get(path, headers=headers), 409, "nonce_replayed")
    # The replay is logged, without taking the nonce a second time.
    assert CallLog.objects.filter(nonce=headers["HTTP_X_SG_NONCE"]).count() == 1
    assert CallLog.objects.count() == 2


def test_a_refused_call_spends_its_nonce_too(signed, people):
    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"
    headers = signed.headers(path)
    refused(signed.get(path, headers=headers), 403, "no_grant")
    gf.make_grant(signed.app, people)
    refused(signed.get(path, headers=headers), 409, "nonce_replayed")


def test_nonces_are_per_app(client, consumer, people):
    first, first_secret = gf.make_app(consumer)
    second, second_secret = gf.make_app(consumer)
    gf.make_grant(first, people)
    gf.make_grant(second, people)
    nonce = "same-nonce-0123456789"
    for app, secret in ((first, first_secret), (second, second_secret)):
        response = gf.SignedClient(client, app, secret).lookup(people, citizen_id(1), nonce=nonce)
        assert response.status_code == 200


def test_ip_allow_list(client, consumer, people):
    app, secret = gf.make_app(consumer, ip_allowlist=["10.0.0.0/8"])
    gf.make_grant(app, people)
    caller = gf.SignedClient(client, app, secret)
    body = refused(caller.lookup(people, citizen_id(1)), 403, "ip_not_allowed")
    assert body["detail"]["client_ip"] == "127.0.0.1"
    app.ip_allowlist = ["10.0.0.0/8", "127.0.0.1"]
    app.save()
    assert caller.lookup(people, citizen_id(1)).status_code == 200


# --- grants -------------------------------------------------------------------------------------


def test_no_grant(signed, people):
    refused(signed.lookup(people, citizen_id(1)), 403, "no_grant")


def test_grant_revoked_acts_at_once(signed, grant, people):
    assert signed.lookup(people, citizen_id(1)).status_code == 200
    grant.status = "revoked"
    grant.save()
    refused(signed.lookup(people, citizen_id(1)), 403, "grant_revoked")


def test_grant_expired(signed, app_and_secret, people):
    yesterday = date.today() - timedelta(days=1)
    gf.make_grant(
        app_and_secret[0], people, valid_from=yesterday - timedelta(days=9), valid_until=yesterday
    )
    refused(signed.lookup(people, citizen_id(1)), 403, "grant_expired")
    gf.make_grant(app_and_secret[0], people, status="expired")
    refused(signed.lookup(people, citizen_id(1)), 403, "grant_expired")


def test_grant_not_yet_valid(signed, app_and_secret, people):
    tomorrow = date.today() + timedelta(days=1)
    gf.make_grant(app_and_secret[0], people, valid_from=tomorrow)
    refused(signed.lookup(people, citizen_id(1)), 403, "grant_not_yet_valid")


def test_grant_of_another_app_does_not_count(signed, consumer, people):
    other, _secret = gf.make_app(consumer)
    gf.make_grant(other, people)
    refused(signed.lookup(people, citizen_id(1)), 403, "no_grant")


def test_fields_outside_the_grant(signed, grant, people):
    body = refused(
        signed.lookup(people, citizen_id(1), "fields=name,income"), 403, "field_not_granted"
    )
    assert body["detail"]["fields"] == ["income"]
    refused(signed.query(people, "income=1"), 403, "field_not_granted")


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("nosuch=1", "unknown_field"),
        ("fields=nosuch", "unknown_field"),
        ("name;DROP TABLE sharing_calllog=1", "unknown_field"),
        ("household_size__like=1", "unknown_operator"),
        ("household_size=abc", "invalid_filter_value"),
        ("household_size=1%20OR%201=1", "invalid_filter_value"),
        ("birth_date=2020-02-30", "invalid_filter_value"),
        ("name__gte=a", "operator_not_supported"),
        ("page_size=101", "page_size_too_large"),
        ("page_size=100000000", "invalid_page_size"),
        ("page_size=0", "invalid_page_size"),
        ("page=-1", "invalid_page"),
        ("page=x", "invalid_page"),
        ("page=200&page_size=100", "page_out_of_range"),
        ("name=a&name=b", "duplicate_parameter"),
        ("household_size__in=" + ",".join(["1"] * 101), "too_many_values"),
    ],
)
def test_bad_query_input_is_400_with_a_code(signed, grant, people, query, code):
    refused(signed.query(people, query), 400, code)


def test_sql_like_strings_are_bound_values(signed, grant, people):
    response = signed.query(people, "name='OR 1=1--")
    assert response.status_code == 200, response.content
    assert response.json()["records"] == []
    refused(signed.lookup(people, "1' OR '1'='1"), 400, "invalid_key")
    refused(signed.lookup(people, citizen_id(1), "page=1"), 400, "unknown_parameter")


def test_unknown_resource_and_endpoint(signed, grant, people):
    refused(signed.get("/gateway/v1/resources/999999/records/x"), 404, "unknown_resource")
    refused(signed.get("/gateway/v1/nothing"), 404, "not_found")


def test_post_is_refused(signed, grant, people, client):
    path = f"/gateway/v1/resources/{people.pk}/records"
    response = client.post(path, **signed.headers(path))
    refused(response, 405, "method_not_allowed")


# --- rate limit and the call log before the answer ------------------------------------------------


def test_rate_limit_429_with_retry_after(signed, app_and_secret, people):
    gf.make_grant(app_and_secret[0], people, rate_per_minute=3)
    for _ in range(3):
        assert signed.lookup(people, citizen_id(1)).status_code == 200
    response = signed.lookup(people, citizen_id(1))
    body = refused(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["detail"]["rate_per_minute"] == 3


def test_sliding_window_counts_the_previous_minute():
    from django.db import connection

    from smartgov.sharing import gateway_ratelimit as rl

    minute = 29_000_000 * 60.0
    with connection.cursor() as cursor:
        for _ in range(10):
            assert rl.hit(cursor, 4242, 10, now=minute + 50) is None
        assert rl.hit(cursor, 4242, 10, now=minute + 59) is not None  # 11th in the minute
        # Early in the next minute the previous one still weighs almost fully.
        assert rl.hit(cursor, 4242, 10, now=minute + 61) is not None
        # Late in it, most of the previous minute has slid out.
        assert rl.hit(cursor, 4242, 10, now=minute + 115) is None
        # Two minutes later, nothing is left.
        assert rl.hit(cursor, 4242, 1, now=minute + 240) is None


def test_call_log_is_committed_before_the_answer(signed, grant, people, monkeypatch):
    from smartgov.sharing import gateway

    seen = []
    original = gateway._answer

    def answer(request, call, plan, rows):
        seen.append(CallLog.objects.filter(status=200).count())
        return original(request, call, plan, rows)

    monkeypatch.setattr(gateway, "_answer", answer)
    assert signed.lookup(people, citizen_id(2)).status_code == 200
    assert seen == [1]


def test_no_answer_without_a_call_log(signed, grant, people, monkeypatch):
    from django.db import DatabaseError

    from smartgov.sharing import gateway

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(gateway.gateway_commit.gateway_ratelimit, "hit", broken)
    response = signed.lookup(people, citizen_id(2))
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "call_log_unavailable"
    assert "record" not in body and "张" not in response.content.decode()
    assert not CallLog.objects.exists()


def test_refusals_leave_a_log_line(signed, people, caplog):
    with caplog.at_level("WARNING", logger="smartgov.sharing.gateway"):
        signed.lookup(people, citizen_id(1))
    assert "no_grant" in caplog.text and signed.app.app_key not in caplog.text


def test_messages_are_chinese_unless_english_is_asked_for(signed, people, rf):
    """Through the thin WSGI path (Django's page middleware would rewrite Accept-Language)."""
    from smartgov.sharing.gateway_wsgi import gateway_application

    path = f"/gateway/v1/resources/{people.pk}/records/{citizen_id(1)}"

    def message(**extra):
        environ = rf.get(path, **signed.headers(path), **extra).environ
        status = []
        body = b"".join(gateway_application(environ, lambda s, h: status.append(s)))
        assert status == ["403 Forbidden"]
        return json.loads(body)["message"]

    assert message() == "该应用没有此资源的授权。"
    assert (
        message(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9") == "The app has no grant for this resource."
    )


def test_an_unexpected_error_answers_json_without_data(signed, grant, people, monkeypatch):
    from smartgov.sharing import gateway

    def broken(plan):
        raise RuntimeError("bug")

    monkeypatch.setattr(gateway, "_read", broken)
    response = signed.lookup(people, citizen_id(1))
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
