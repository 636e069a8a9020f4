import io

import pytest
from django.core.management import CommandError, call_command

from smartgov.accounts.models import User


def _run(stdin_text, *args):
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin_text)
    try:
        out = io.StringIO()
        call_command("create_admin", *args, "--password-stdin", stdout=out)
        return out.getvalue()
    finally:
        sys.stdin = old


def test_creates_a_city_scope_admin(org):
    out = _run(
        "Str0ng-Passw0rd!\n",
        "--username",
        "admin1",
        "--name",
        "管理员",
        "--role",
        "system_admin",
        "--department",
        str(org["data_bureau"].pk),
    )
    assert "Created admin1" in out
    user = User.objects.get(username="admin1")
    assert user.check_password("Str0ng-Passw0rd!")
    assert [(m.role.code, m.scope) for m in user.memberships.all()] == [("system_admin", "city")]


def test_refuses_weak_password_and_writes_nothing(org):
    with pytest.raises(CommandError, match="password_weak"):
        _run(
            "123\n",
            "--username",
            "admin2",
            "--name",
            "管理员",
            "--role",
            "auditor",
            "--department",
            str(org["data_bureau"].pk),
        )
    assert not User.objects.filter(username="admin2").exists()


def test_unknown_department_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No department"):
        _run(
            "Str0ng-Passw0rd!\n",
            "--username",
            "admin3",
            "--name",
            "x",
            "--role",
            "auditor",
            "--department",
            "不存在的部门",
        )
