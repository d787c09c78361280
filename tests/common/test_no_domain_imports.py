"""exam_platform/common holds helpers that know no domain: it imports none of the apps built on it."""

import ast
from pathlib import Path

import pytest

COMMON = Path(__file__).resolve().parents[2] / "exam_platform" / "common"
DOMAIN_APPS = (
    "exam_platform.accounts",
    "exam_platform.delivery",
    "exam_platform.scoring",
    "exam_platform.publication",
    "exam_platform.eligibility",
    "exam_platform.demo",
    "question_bank",
    "proctoring",
)


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted(COMMON.rglob("*.py")), ids=lambda p: str(p.relative_to(COMMON)))
def test_common_module_imports_no_domain_app(path):
    domain = sorted(m for m in imported_modules(path) if m.startswith(DOMAIN_APPS))
    assert domain == [], f"{path.relative_to(COMMON)} imports {domain}"


def test_the_check_sees_a_domain_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from exam_platform.accounts.roles import Role\nimport question_bank.models\n")
    assert imported_modules(module) >= {"exam_platform.accounts.roles", "question_bank.models"}
