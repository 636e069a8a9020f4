"""The governance to-dos in the workbench: each role sees its own work, with deadlines."""

from __future__ import annotations

from smartgov.core.workbench import inbox_for
from smartgov.governance import clock, inbox, services


def kinds(user) -> list[str]:
    return sorted(item.kind for item in inbox.pending_for(user))


def test_each_role_gets_its_work(gov, make_case, citizen):
    reported = make_case()
    assert kinds(gov.dispatcher) == ["governance_dispatch"]
    assert kinds(gov.handler) == []
    item = inbox.pending_for(gov.dispatcher)[0]
    assert reported.number in item.title
    assert item.deadline == clock.add_working_time(reported.created_at, 1, "hours")

    dispatched = services.dispatch_case(actor=gov.dispatcher, case=reported, category="0101")
    [handle] = inbox.pending_for(gov.handler)
    assert handle.kind == "governance_handle" and handle.deadline == dispatched.due_at
    assert kinds(gov.other_handler) == [] and kinds(gov.dispatcher) == []

    services.request_extension(actor=gov.handler, case=dispatched, amount=1, reason="等配件")
    assert kinds(gov.dispatcher) == ["governance_request"]

    services.report_back(actor=gov.handler, case=dispatched, reply="已修好")
    assert kinds(gov.inspector) == ["governance_verify"]
    assert kinds(gov.agent) == ["governance_verify"]  # the agent recorded it
    assert kinds(gov.handler) == []

    case = services.verify_case(actor=gov.inspector, case=dispatched, passed=True)
    assert kinds(gov.agent) == ["governance_revisit"]
    services.record_revisit(actor=gov.agent, case=case, level=5)
    assert kinds(gov.agent) == []
    assert kinds(citizen) == []


def test_rework_is_marked(gov, make_case):
    case = make_case(until="handled")
    services.verify_case(actor=gov.inspector, case=case, passed=False, comment="未修好")
    [item] = inbox.pending_for(gov.handler)
    assert item.kind == "governance_rework" and "rework" in item.tags


def test_the_workbench_merges_the_source(gov, make_case):
    make_case()
    result = inbox_for(gov.dispatcher)
    assert any(item.source == "governance" for item in result.items)
    assert result.unavailable == []
