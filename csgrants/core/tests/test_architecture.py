"""The architecture's rules that CI enforces with scripts of its own: no module imports another
module's private name (.ci/private_imports.py; import-linter checks the layers)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _checker():
    spec = importlib.util.spec_from_file_location(
        "private_imports", ROOT / ".ci/private_imports.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_tree_imports_no_private_name(capsys):
    assert _checker().main([str(ROOT / "csgrants")]) == 0, capsys.readouterr().out


def test_a_private_name_from_another_module_is_reported(tmp_path, capsys):
    root = _package(
        tmp_path,
        {
            "services.py": "def _helper():\n    return 1\n\n\ndef public():\n    return _helper()\n",
            "amendments.py": "from pkg.services import _helper, public\n",
            "relative.py": "from .services import _helper\n",
            "attribute.py": "from pkg import services\n\nservices._helper()\n",
        },
    )
    assert _checker().main([str(root)]) == 1
    out = capsys.readouterr().out
    assert "pkg.amendments imports _helper from pkg.services" in out
    assert "pkg.relative imports _helper from pkg.services" in out
    assert "pkg.attribute uses pkg.services._helper" in out
    assert "3 import(s)" in out


def test_what_is_not_reported(tmp_path, capsys):
    root = _package(
        tmp_path,
        {
            # a package's private module, shared by its own modules
            "rules/__init__.py": "",
            "rules/_format.py": "def money(x):\n    return x\n",
            "rules/checks.py": "from pkg.rules import _format\n",
            # a module's own private names, dunders, and Django's public Model._meta
            "own.py": "def _mine():\n    pass\n\n\n_mine()\n",
            "dunder.py": "from pkg.own import __doc__\n",
            "meta.py": "from pkg.models import Thing\n\nThing._meta\n",
            "models.py": "class Thing:\n    pass\n",
            # a test looks into the module it tests
            "tests/__init__.py": "",
            "tests/test_own.py": "from pkg.own import _mine\n",
        },
    )
    assert _checker().main([str(root)]) == 0, capsys.readouterr().out


def test_a_private_module_is_not_shared_outside_its_package(tmp_path, capsys):
    root = _package(
        tmp_path,
        {
            "rules/__init__.py": "",
            "rules/_format.py": "X = 1\n",
            "web.py": "from pkg.rules import _format\n",
        },
    )
    assert _checker().main([str(root)]) == 1
    assert "pkg.web imports _format from pkg.rules" in capsys.readouterr().out
