import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from csgrants.imports.services import history_import

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "history"


@pytest.fixture
def history(db):
    history_import(FIXTURES)


def test_markdown_answer_in_dutch_question_by_question(history, capsys):
    call_command("parliamentary_report", "--years", "2021", "2022")
    md = capsys.readouterr().out
    for heading in (
        "## 1. Budget per jaar",
        "## 2. Bedrag vrijgemaakt voor 2023",
        "## 5. Ingediende aanvragen",
        "## 6. Goedgekeurde aanvragen",
        "## 7. Geweigerde aanvragen",
        "## 8. Top 3 van de redenen van niet-goedkeuring",
        "## 9. Gemiddelde doorlooptijd",
    ):
        assert heading in md
    assert (
        "In 2021 werden daarmee 60 ondernemingen bereikt, voor een steun-equivalent van € 942.264,00"
        in md
    )
    assert "| Oost-Vlaanderen |" in md
    assert "| 1 | Geen kmo volgens de Europese definitie | 1 |" in md
    assert "€ 300.000,00" in md  # the 2023 top-up answers question 2


def test_json_is_the_contract(history, tmp_path):
    out = tmp_path / "r.json"
    call_command(
        "parliamentary_report", "--years", "2022", "--format", "json", "--output", str(out)
    )
    data = json.loads(out.read_text())
    assert data["scheme"] == "CS-verbetertrajecten"
    assert data["years"]["2022"]["grant_equivalent_eur"] == "667649.00"


def test_workbook_has_a_sheet_per_question(history, tmp_path):
    out = tmp_path / "r.xlsx"
    call_command(
        "parliamentary_report", "--years", "2021", "2022", "--format", "xlsx", "--output", str(out)
    )
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "1 Budget",
        "2 Budget volgend jaar",
        "5 Ingediende aanvragen",
        "6 Goedgekeurde aanvragen",
        "7 Geweigerde aanvragen",
        "8 Weigeringsredenen",
        "9 Doorlooptijd",
        "10 Budgetlooptijd",
        "11 Instroom",
        "12 Trechter",
        "13 Eindverslagen",
    ]
    budget = list(wb["1 Budget"].iter_rows(values_only=True))
    assert budget[1][:2] == (2021, 4000000)


def test_unknown_provider(db):
    with pytest.raises(CommandError):
        call_command("parliamentary_report", "--years", "2022", "--provider", "NOPE")
