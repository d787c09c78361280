"""The results workbook (scoring/export.py): numbers as numbers, text never a formula."""

import io

import pytest
from openpyxl import load_workbook

from exam_platform.scoring.export import results_workbook
from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import score_round
from tests.factories import make_staff

from .round_setup import ScoringRound

pytestmark = pytest.mark.django_db


def test_results_workbook_numbers_are_numbers_and_names_are_safe_text():
    officer = make_staff("exam_officer")
    r = ScoringRound()
    r.add_section(1, "ความสามารถทั่วไป")
    r.add_item("q1", 1, "single", points="10", correct=(1,))
    set_pass_policy(r.round, actor=officer, min_total_percent="50", tie_break=[{"by": "application_number"}])
    r.sit({"q1": r.pick("q1", 1)}, first_name='=HYPERLINK("http://evil")')
    score_round(r.round, actor=officer)

    sheet = load_workbook(io.BytesIO(results_workbook(r.round))).active

    row = {
        sheet.cell(row=2, column=c).value: sheet.cell(row=3, column=c) for c in range(1, sheet.max_column + 1)
    }
    assert row["ลำดับที่"].data_type == "n" and row["ลำดับที่"].value == 1
    assert row["คะแนนรวม"].data_type == "n" and row["คะแนนรวม"].value == 10
    name = row["ชื่อ-นามสกุล"]
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK") and name.quotePrefix
