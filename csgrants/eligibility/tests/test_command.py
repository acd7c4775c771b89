"""``manage.py check_eligibility``: the contract's answers on standard output, exit 2 for input
that does not fit. Needs the project's Django settings (pytest-django); the pure tests beside
this file do not."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .builders import CONTRACT_DE_MINIMIS, CONTRACT_SME

django_settings = pytest.importorskip("django.conf").settings
if not django_settings.configured:
    pytest.skip(
        "Django settings are not configured (run under the project's pytest settings)",
        allow_module_level=True,
    )

from django.core.management import CommandError, call_command  # noqa: E402

from csgrants.eligibility import evaluate_de_minimis_json, evaluate_sme_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    options = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command("check_eligibility", *args, **options)
    return out.getvalue(), err.getvalue()


def test_sme_from_a_file(tmp_path):
    path = tmp_path / "sme.json"
    path.write_text(json.dumps(CONTRACT_SME), encoding="utf-8")
    out, _ = run("sme", str(path), "--lang", "en")
    assert json.loads(out) == evaluate_sme_json(CONTRACT_SME, "en")
    assert json.loads(out)["reasons"][0]["message"] == "30% of C added (partner enterprise)"


def test_de_minimis_from_standard_input_in_dutch_by_default():
    out, _ = run("de-minimis", "-", stdin=json.dumps(CONTRACT_DE_MINIMIS))
    assert json.loads(out) == evaluate_de_minimis_json(CONTRACT_DE_MINIMIS)
    assert json.loads(out)["window_start"] == "2021-03-02"


def test_a_negative_verdict_is_still_an_answer():
    not_eligible = {**CONTRACT_DE_MINIMIS, "amount_eur": "110000.01"}
    out, _ = run("de-minimis", "-", stdin=json.dumps(not_eligible))
    assert json.loads(out)["eligible"] is False


def test_numbers_with_fractions_are_read_exactly():
    data = json.loads(json.dumps(CONTRACT_DE_MINIMIS))
    data["amount_eur"] = 0.1
    text = json.dumps(data).replace('"amount_eur": 0.1', '"amount_eur": 110000.00')
    out, _ = run("de-minimis", "-", stdin=text)
    assert json.loads(out)["eligible"] is True


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ('{"grant_date": "2024-3-1", "amount_eur": "1"}', "grant_date: must be a date"),
        ('{"amount_eur": "-1", "grant_date": "2024-03-01"}', "amount_eur: must not be negative"),
        ("[1, 2]", "(root): must be a JSON object"),
        ("{not json", "standard input is not valid JSON"),
        ("", "standard input is not valid JSON"),
    ],
)
def test_input_that_does_not_fit_exits_2_naming_the_field(stdin, words):
    with pytest.raises(CommandError) as info:
        run("de-minimis", "-", "--lang", "en", stdin=stdin)
    assert info.value.returncode == 2
    assert words in str(info.value)


def test_all_problems_are_listed():
    data = json.loads(json.dumps(CONTRACT_SME))
    data["relations"][0]["capital_pct"] = 130
    data["enterprise"]["kind"] = "vzw"
    with pytest.raises(CommandError) as info:
        run("sme", "-", "--lang", "en", stdin=json.dumps(data))
    assert "enterprise.kind: unknown value 'vzw'" in str(info.value)
    assert "relations[0].capital_pct: must be between 0 and 100" in str(info.value)


def test_input_errors_are_dutch_by_default():
    data = json.loads(json.dumps(CONTRACT_SME))
    data["relations"][0]["capital_pct"] = 130
    data["enterprise"]["kind"] = "vzw"
    with pytest.raises(CommandError) as info:
        run("sme", "-", stdin=json.dumps(data))
    assert "relations[0].capital_pct: moet tussen 0 en 100 liggen" in str(info.value)
    assert "enterprise.kind: onbekende waarde 'vzw'" in str(info.value)
    assert "must" not in str(info.value).split("contract:")[1]


def test_missing_and_undecodable_files_exit_2(tmp_path):
    with pytest.raises(CommandError) as info:
        run("sme", str(tmp_path / "nowhere.json"))
    assert info.value.returncode == 2
    assert "cannot read" in str(info.value) and "nowhere.json" in str(info.value)
    binary = tmp_path / "latin1.json"
    binary.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(CommandError) as info:
        run("sme", str(binary))
    assert info.value.returncode == 2


def _manage(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "csgrants.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", "check_eligibility", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_exit_codes_from_the_command_line(tmp_path):
    large = json.loads(json.dumps(CONTRACT_SME))
    large["enterprise"]["periods"][0]["staff_awu"] = 400
    large["enterprise"]["periods"][1]["staff_awu"] = 400
    done = _manage("sme", "-", "--lang", "en", stdin=json.dumps(large))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["is_sme"] is False

    bad = _manage(
        "sme", "-", "--lang", "en", stdin='{"enterprise": {"kind": "kmo", "periods": []}}'
    )
    assert bad.returncode == 2
    assert "enterprise.periods: must hold at least one accounting period" in bad.stderr
    assert bad.stdout == ""

    unknown = _manage("vat", "-")
    assert unknown.returncode == 2
    assert "invalid choice" in unknown.stderr
