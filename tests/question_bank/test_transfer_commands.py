"""`manage.py import_items` / `export_items`: summary, every error with its line, exit status."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from question_bank.models import Item
from tests.factories import make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def test_transfer_commands_import_prints_summary(capsys):
    author = make_examiner(username="cmd.author")
    bank = make_bank(members={author: "author"})

    call_command(
        "import_items", str(FIXTURES / "thai_sample.gift"), "--bank", bank.code, "--as", "cmd.author"
    )

    assert "นำเข้าแล้ว 6 ข้อ (6 created, 0 duplicate(s) skipped" in capsys.readouterr().out
    assert Item.objects.filter(bank=bank, created_by=author).count() == 6


def test_transfer_commands_import_errors_print_every_line_and_exit_nonzero(capsys):
    bank = make_bank()

    with pytest.raises(CommandError, match=r"Nothing imported: 4 error\(s\)"):
        call_command("import_items", str(FIXTURES / "broken.gift"), "--bank", bank.name, "--format", "gift")

    err = capsys.readouterr().err
    assert [line.split(":")[0] for line in err.strip().splitlines()] == [
        "บรรทัด 8 (line 8)",
        "บรรทัด 10 (line 10)",
        "บรรทัด 12 (line 12)",
        "บรรทัด 14 (line 14)",
    ]
    assert Item.objects.count() == 0


def test_transfer_commands_import_refuses_a_user_who_cannot_write():
    reviewer = make_examiner(username="cmd.reviewer")
    bank = make_bank(members={reviewer: "reviewer"})

    with pytest.raises(CommandError, match="may not write"):
        call_command(
            "import_items", str(FIXTURES / "thai_sample.gift"), "--bank", bank.code, "--as", "cmd.reviewer"
        )


def test_transfer_commands_export_writes_the_file_and_import_reads_it_back(tmp_path, capsys):
    author = make_examiner()
    source = make_bank(members={author: "owner"})
    make_item(source, actor=author, stem="ข้อสอบส่งออก น้ำ")
    out = tmp_path / "bank.xlsx"

    call_command("export_items", "--bank", source.code, "--format", "xlsx", "--out", str(out))
    target = make_bank()
    call_command("import_items", str(out), "--bank", target.code, "--create-categories")

    assert "ส่งออกแล้ว 1 ข้อ" in capsys.readouterr().out
    assert Item.objects.get(bank=target).current_version.stem == "ข้อสอบส่งออก น้ำ"
