"""Write requirements.lock: the exact versions pip resolves today for the runtime dependencies
of pyproject.toml (not the dev tools). Production installs from it and CI audits it with
pip-audit. Run through `make lock` after changing dependencies."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(  # noqa: S603 fixed arguments
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--ignore-installed",
                "--quiet",
                "--report",
                str(report),
                str(ROOT),
            ],
            check=True,
        )
        resolved = json.loads(report.read_text())["install"]
    pins = sorted(
        (item["metadata"]["name"], item["metadata"]["version"])
        for item in resolved
        if item["metadata"]["name"].lower() != "csgrants"
    )
    lines = [
        "# Runtime dependencies of csgrants, resolved by `make lock` (.ci/lock.py) from",
        "# pyproject.toml. Install: pip install -r requirements.lock && pip install --no-deps .",
        "# CI audits this file with pip-audit.",
        *(f"{name}=={version}" for name, version in pins),
    ]
    (ROOT / "requirements.lock").write_text("\n".join(lines) + "\n")
    print(f"requirements.lock: {len(pins)} packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
