"""Dependency audit for CI: pip-audit over the installed environment.

Fails (exit 1) when a known vulnerability affects an installed package, unless its advisory id is
listed with a reason under "Ignored advisories" in docs/security.md. Packages the advisory service
could not look up are counted and reported; when none at all could be audited (no route to the
service) the audit says so plainly and passes, unless AUDIT_STRICT=1 is set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORED_SECTION = re.compile(r"^## Ignored advisories\s*$(.*?)(?=^## |\Z)", re.M | re.S)
IGNORED_ITEM = re.compile(r"^- `([A-Za-z0-9-]+)`", re.M)


def ignored_advisories() -> list[str]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = IGNORED_SECTION.search(text)
    return IGNORED_ITEM.findall(section.group(1)) if section else []


def main() -> int:
    ignored = ignored_advisories()
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [str(pip_audit), "--local", "--skip-editable", "--progress-spinner", "off"]
        command += ["-f", "json", "-o", str(report)]
        command += [arg for vuln in ignored for arg in ("--ignore-vuln", vuln)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if not report.exists():
            print(result.stdout + result.stderr, file=sys.stderr)
            print("pip-audit did not produce a report", file=sys.stderr)
            return 1
        data = json.loads(report.read_text(encoding="utf-8"))
    dependencies = data.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    found = [
        (d["name"], d["version"], v["id"], v.get("fix_versions", [])) for d in audited for v in d["vulns"]
    ]
    print(f"pip-audit: {len(audited)} packages audited, {len(skipped)} skipped")
    print(f"ignored advisories (docs/security.md): {', '.join(ignored) or 'none'}")
    for name, version, vuln_id, fixes in found:
        print(f"  VULNERABLE {name} {version}: {vuln_id} (fixed in {', '.join(fixes) or 'no release yet'})")
    if found:
        print("Upgrade, or list the advisory with a reason under 'Ignored advisories' in docs/security.md.")
        return 1
    if dependencies and not audited:
        print(
            "WARNING: the advisory service answered for none of the installed packages"
            " (no route to it from this machine?): nothing was audited."
        )
        return 1 if os.environ.get("AUDIT_STRICT") == "1" else 0
    print("No known vulnerabilities in the audited packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
