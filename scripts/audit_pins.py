"""Audit the pinned Python packages for known vulnerabilities (run by `make lint`).

    .venv/bin/python scripts/audit_pins.py [requirements.txt]

Runs pip-audit on the pins exactly as written (`-r FILE --no-deps --disable-pip`: nothing is
installed or resolved) against its default vulnerability service, the package index's JSON API.

Exit status:
  1  a pinned version has a known vulnerability (each one is listed with the versions that fix it);
  0  with a WARNING when the service could not be reached or could not audit some pins (offline,
     or an index mirror without the per-version JSON API): the audit did not happen, it did not pass;
  0  when every pin was audited and none is known to be vulnerable.

PIP_AUDIT names the pip-audit executable (default: the one beside this Python);
AUDIT_TIMEOUT the seconds to wait for it (default 300).
"""

import json
import os
import subprocess
import sys
from pathlib import Path


def run_pip_audit(requirements, executable=None, timeout=None):
    """(return code, stdout, stderr) of pip-audit; (None, "", reason) when it did not finish."""
    executable = executable or os.environ.get("PIP_AUDIT") or str(Path(sys.executable).with_name("pip-audit"))
    timeout = timeout or int(os.environ.get("AUDIT_TIMEOUT", "300"))
    command = [
        executable,
        "--requirement",
        str(requirements),
        "--no-deps",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        sys.exit(f"ERROR: {executable} not found: run make setup (pip-audit is pinned in requirements.txt)")
    except subprocess.TimeoutExpired:
        return None, "", f"pip-audit did not finish within {timeout} s"
    return result.returncode, result.stdout, result.stderr


def classify(returncode, stdout, stderr):
    """(vulnerable, unaudited, error): vulnerable [(name, version, id, fixes)], unaudited [(name, reason)],
    error a one-line reason when pip-audit produced no report (e.g. the service was unreachable)."""
    try:
        report = json.loads(stdout)
        dependencies = report["dependencies"]
    except (ValueError, TypeError, KeyError):
        lines = [line for line in (stderr or "").strip().splitlines() if line.strip()]
        return [], [], (lines[-1] if lines else f"pip-audit exited with {returncode} and no report")[:300]
    vulnerable, unaudited = [], []
    for dependency in dependencies:
        name = dependency.get("name", "?")
        if dependency.get("skip_reason"):
            unaudited.append((name, dependency["skip_reason"]))
            continue
        for vuln in dependency.get("vulns") or []:
            vulnerable.append(
                (name, dependency.get("version", "?"), vuln.get("id", "?"), vuln.get("fix_versions") or [])
            )
    return vulnerable, unaudited, None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    requirements = Path(argv[0] if argv else "requirements.txt")
    pins = [line for line in requirements.read_text().splitlines() if line.strip() and not line.startswith("#")]
    vulnerable, unaudited, error = classify(*run_pip_audit(requirements))
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} known vulnerabilities in {requirements}:")
        for name, version, vuln_id, fixes in vulnerable:
            fixed = ", ".join(fixes) if fixes else "no fixed version yet"
            print(f"  {name}=={version}  {vuln_id}  (fixed in: {fixed})")
        print("Upgrade these pins in requirements.txt (a compatible fixed version) and run the tests.")
        return 1
    if error:
        print(f"WARNING: pip-audit could not check {requirements}: {error}")
        print("WARNING: the vulnerability service could not be reached; the pins were NOT audited.")
        return 0
    if unaudited:
        reasons = sorted({reason.split(":")[0] for _name, reason in unaudited})
        print(f"WARNING: pip-audit could not audit {len(unaudited)} of {len(pins)} pins in {requirements}:")
        for reason in reasons:
            print(f"WARNING:   {reason}")
        print("WARNING: the vulnerability service did not answer for them (offline, or a package index")
        print("WARNING: without the per-version JSON API); those pins were NOT audited.")
        return 0
    print(f"pip-audit: no known vulnerabilities in the {len(pins)} pins of {requirements}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
