"""Compile every smartgov .po catalog to .mo with polib (no GNU gettext needed).

python scripts/compilemessages.py          compile
python scripts/compilemessages.py --check  fail if a .mo is missing or stale
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "smartgov"


def catalogs():
    return sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django.po"))


def compiled_bytes(po_path: Path) -> bytes:
    catalog = polib.pofile(str(po_path))
    tmp = po_path.with_suffix(".mo.tmp")
    catalog.save_as_mofile(str(tmp))
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for po_path in catalogs():
        mo_path = po_path.with_suffix(".mo")
        data = compiled_bytes(po_path)
        if check:
            if not mo_path.exists() or mo_path.read_bytes() != data:
                stale.append(str(mo_path))
        else:
            mo_path.write_bytes(data)
            print(f"compiled {mo_path.relative_to(ROOT.parent)}")
    if stale:
        print("stale or missing .mo files (run python scripts/compilemessages.py):")
        print("\n".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
