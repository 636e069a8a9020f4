"""Collect an app's translatable English msgids into its zh_Hans catalog (keeps translations).

Besides gettext()/_() calls it picks up the messages of raised SmartgovError subclasses and the
names/descriptions of built-in roles, which are translated when shown.

    python scripts/extract_messages.py core accounts     update catalogs, list untranslated

The portal's catalog (plural forms, templates) is maintained by hand; a msgid already in
another app's catalog is not added again.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "smartgov"
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "ngettext"}
ERROR_NAMES = {
    "SmartgovError",
    "InvalidInput",
    "NotFound",
    "PermissionDeniedError",
    "NotAuthenticated",
    "Conflict",
    "Throttled",
}


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def msgids_in(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        candidates = []
        if name in GETTEXT_NAMES and node.args:
            candidates.append(node.args[0])
        elif name in ERROR_NAMES and len(node.args) >= 2:
            candidates.append(node.args[1])
        elif name in {"BuiltinRole", "CheckWarning", "Warning"}:
            candidates += [kw.value for kw in node.keywords if kw.arg in {"name", "description"}]
        for candidate in candidates:
            text = _literal(candidate)
            if text:
                found.setdefault(text, f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


_TRANSLATE_RE = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1""")
_BLOCK_RE = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
_VAR_RE = re.compile(r"{{\s*(\w+)\s*}}")


def msgids_in_template(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    where = str(path.relative_to(ROOT.parent))
    found = {m.group(2): where for m in _TRANSLATE_RE.finditer(text)}
    for m in _BLOCK_RE.finditer(text):
        found.setdefault(_VAR_RE.sub(r"%(\1)s", m.group(1)), where)
    return found


def collect(app: str) -> dict[str, str]:
    """msgid -> first place it occurs, over the app's Python files and templates."""
    app_dir = ROOT / app
    found: dict[str, str] = {}
    for path in sorted(app_dir.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for msgid, where in msgids_in(path).items():
            found.setdefault(msgid, where)
    for path in sorted(app_dir.rglob("templates/**/*.html")):
        for msgid, where in msgids_in_template(path).items():
            found.setdefault(msgid, where)
    return found


def catalog_path(app: str) -> Path:
    return ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def update(app: str) -> list[str]:
    app_dir = ROOT / app
    found = collect(app)
    po_path = app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    catalog = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    catalog.metadata = {
        "Project-Id-Version": "smartgov",
        "Language": "zh_Hans",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    existing = {entry.msgid: entry for entry in catalog}
    owned_elsewhere = {
        entry.msgid
        for other in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")
        if other != po_path
        for entry in polib.pofile(str(other))
    }
    for entry in [e for e in catalog if e.msgid in owned_elsewhere]:
        catalog.remove(entry)  # one msgid, one owner (Django merges the catalogs)
    for msgid, where in found.items():
        if msgid not in existing and msgid not in owned_elsewhere:
            catalog.append(polib.POEntry(msgid=msgid, msgstr="", occurrences=[(where, "")]))
    catalog.save(str(po_path))
    return [e.msgid for e in catalog if not e.msgstr and not e.obsolete]


if __name__ == "__main__":
    for app_name in sys.argv[1:]:
        missing = update(app_name)
        print(f"{app_name}: {len(missing)} untranslated")
        for msgid in missing:
            print("  ", repr(msgid))
