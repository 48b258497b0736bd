"""Dependency audit: pip-audit over the exact versions installed for the tests (the project's effective lock).

pip-audit asks PyPI's advisory data (the JSON API's `vulnerabilities`) about each pinned version. Where
the machine cannot reach it (an offline CI runner, a local package mirror), the audit cannot say anything
and the test is skipped with that reason rather than passing silently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
#: A pin with well-known advisories (e.g. PYSEC-2018-66, CVE-2018-1000656), to prove the audit can fail.
KNOWN_VULNERABLE = "flask==0.12"


def audit(requirements: Path) -> tuple[int, dict]:
    """pip-audit's exit code and JSON report for a file of pinned requirements (no resolving, no installing)."""
    process = subprocess.run([str(PIP_AUDIT), "-r", str(requirements), "--no-deps", "--disable-pip", "--format", "json",
                              "--progress-spinner", "off", "--timeout", "20"],
                             capture_output=True, text=True, timeout=600)
    try:
        return process.returncode, json.loads(process.stdout or "{}")
    except json.JSONDecodeError:
        return process.returncode, {"error": process.stderr[-500:]}


def _advisories_reachable(report: dict) -> bool:
    dependencies = report.get("dependencies", [])
    return bool(dependencies) and not any("skip_reason" in item for item in dependencies)


@pytest.fixture(scope="module")
def known_vulnerable(tmp_path_factory) -> tuple[int, dict]:
    path = tmp_path_factory.mktemp("audit") / "vulnerable.txt"
    path.write_text(KNOWN_VULNERABLE + "\n")
    code, report = audit(path)
    if not _advisories_reachable(report):
        said = next((item.get("skip_reason") for item in report.get("dependencies", [])), None) or report.get("error")
        pytest.skip("pip-audit cannot reach PyPI's advisory data from this machine (the known-vulnerable "
                    f"{KNOWN_VULNERABLE} could not be audited; pip-audit said: {str(said)[-200:]}): run `pip-audit` "
                    "where PyPI is reachable; see docs/security.md")
    return code, report


def test_a_known_vulnerable_pin_fails_the_audit(known_vulnerable):
    code, report = known_vulnerable
    assert code != 0 and report["dependencies"][0]["vulns"]


def test_the_installed_requirements_have_no_known_vulnerabilities(known_vulnerable, tmp_path):
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout
    path = tmp_path / "installed.txt"
    path.write_text(frozen)
    code, report = audit(path)
    found = {item["name"]: [v["id"] for v in item.get("vulns", [])] for item in report.get("dependencies", [])
             if item.get("vulns")}
    assert code == 0 and not found, found
