"""Every message of core and accounts (labels, error messages, templates) has Chinese."""

import importlib.util
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "extract_messages", ROOT / "scripts" / "extract_messages.py"
)
extract_messages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(extract_messages)


@pytest.mark.parametrize("app", ["core", "accounts", "catalog", "datastore"])
def test_every_message_has_a_chinese_translation(app):
    with translation.override("zh-hans"):
        missing = sorted(
            msgid
            for msgid in extract_messages.collect(app)
            if "%(" not in msgid and translation.gettext(msgid) == msgid
        )
    assert missing == []


def test_compiled_catalogs_are_current():
    compile_messages = importlib.util.spec_from_file_location(
        "compilemessages", ROOT / "scripts" / "compilemessages.py"
    )
    module = importlib.util.module_from_spec(compile_messages)
    compile_messages.loader.exec_module(module)
    assert module.main(["--check"]) == 0


def test_a_service_error_reads_in_chinese_by_default_and_english_on_request():
    from smartgov.core.errors import InvalidInput
    from smartgov.core.validators import check_mobile

    with pytest.raises(InvalidInput) as excinfo:
        check_mobile("12345")
    with translation.override("zh-hans"):
        assert excinfo.value.message == "手机号码应为11位，以13至19开头。"
    with translation.override("en"):
        assert excinfo.value.message.startswith("A mobile number has 11 digits")
