"""Big valid rosters for the import-job, lanes and benchmark code."""

from exam_platform.common.national_id import make_valid
from tests.delivery.roster_setup import roster_csv


def big_roster_csv(count: int, *, start: int = 0, email: bool = False) -> bytes:
    rows = []
    for i in range(start, start + count):
        rows.append(
            [
                make_valid(f"1{i:011d}"),
                f"BIG-{i:06d}",
                "นางสาว",
                f"ผู้สมัคร{i}",
                "ทดสอบ",
                "17/05/2538",
                "p1",
                "0812345678",
                f"candidate{i}@example.org" if email else "",
                "",
            ]
        )
    return roster_csv(rows)
