"""No float in a money path: the budget modules never call float() or write a float literal,
except the sparkline, which turns amounts into pixel coordinates for a picture."""

import ast
from pathlib import Path

import pytest

BUDGETS = Path(__file__).resolve().parent.parent
MONEY_MODULES = [
    "models.py",
    "selectors.py",
    "services.py",
    "forms.py",
    "views.py",
    "demo.py",
    "admin.py",
]


@pytest.mark.parametrize("name", MONEY_MODULES)
def test_no_float_in_money_modules(name):
    tree = ast.parse((BUDGETS / name).read_text())
    floats = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float")
        or (isinstance(node, ast.Constant) and isinstance(node.value, float))
    ]
    assert floats == [], f"{name}: float at lines {floats}"
