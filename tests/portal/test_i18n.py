"""The portal's Chinese catalog: complete, compiled, and not duplicating other apps' msgids."""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2] / "smartgov"
PORTAL_PO = ROOT / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_portal_msgid_is_translated():
    catalog = polib.pofile(str(PORTAL_PO))
    untranslated = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    assert untranslated == []
    assert not [e.msgid for e in catalog if "fuzzy" in e.flags]


def test_portal_does_not_duplicate_msgids_owned_by_core_or_accounts():
    portal = {e.msgid for e in polib.pofile(str(PORTAL_PO))}
    for app in ("core", "accounts"):
        po = ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if po.exists():
            assert portal.isdisjoint({e.msgid for e in polib.pofile(str(po))}), app


def test_compiled_catalog_is_current():
    catalog = polib.pofile(str(PORTAL_PO))
    compiled = polib.mofile(str(PORTAL_PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in compiled if e.msgstr} == {
        e.msgid: e.msgstr for e in catalog if e.msgstr
    }


def _literal_msgids() -> set[str]:
    import re

    found = set()
    for path in (ROOT / "portal" / "templates").rglob("*.html"):
        found |= set(re.findall(r'{% translate "([^"]+)"', path.read_text(encoding="utf-8")))
    for path in (ROOT / "portal").rglob("*.py"):
        if path.name == "home_cards.py":  # its docstring shows another module's example
            continue
        found |= set(re.findall(r'\b_\("([^"]+)"\)', path.read_text(encoding="utf-8")))
    return found


def test_every_literal_in_portal_templates_and_code_is_translated():
    from django.utils import translation

    with translation.override("zh-hans"):
        missing = sorted(m for m in _literal_msgids() if translation.gettext(m) == m)
    assert missing == []
