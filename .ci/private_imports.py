"""Fail when a module imports another module's private name (docs/architecture.md, point 14).

import-linter checks which modules import which, not which names: this script reads every
module of the package with `ast` and reports each `from X import _name` (and `X._name`
attribute access on an imported module) where `_name` is private to a module other than the
importing one. Dunder names (`__version__`) are public. A package's private submodule
(`eligibility/_format.py`) may be imported by the modules of that package, by no other. Tests
(modules under a `tests` folder) may look into the module they test, and migrations are history:
both are left out.

Usage: python .ci/private_imports.py [ROOT ...]   (default: csgrants); exit 1 on a finding.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Django documents `Model._meta` as public API (the Model _meta API).
PUBLIC_ANYWAY = frozenset({"_meta"})


def is_private(name: str) -> bool:
    return (
        name.startswith("_")
        and not (name.startswith("__") and name.endswith("__"))
        and name not in PUBLIC_ANYWAY
    )


def is_submodule(base: Path, package: str, name: str) -> bool:
    folder = base.joinpath(*package.split("."))
    return (folder / f"{name}.py").exists() or (folder / name / "__init__.py").exists()


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = current.split(".") if is_package else current.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def findings(path: Path, base: Path) -> list[str]:
    current = module_name(path, base)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    aliases: dict[str, str] = {}  # local name -> module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            source = resolve(node, current, path.name == "__init__.py")
            for alias in node.names:
                # A package's private module (eligibility/_format.py) is shared by the modules
                # of that package, and only by them.
                shared = is_submodule(base, source, alias.name) and within(current, source)
                if is_private(alias.name) and source != current and not shared:
                    out.append(
                        f"{path}:{node.lineno}: {current} imports {alias.name} from {source}"
                    )
                elif not is_private(alias.name):
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and aliases[node.value.id] != current
            # only our own modules: a library's private names are its business and ours to avoid
            and aliases[node.value.id].split(".")[0] == current.split(".")[0]
        ):
            out.append(f"{path}:{node.lineno}: {current} uses {aliases[node.value.id]}.{node.attr}")
    return out


def main(argv: list[str]) -> int:
    roots = [Path(a) for a in argv] or [ROOT / "csgrants"]
    problems = []
    for root in roots:
        base = root.resolve().parent
        for path in sorted(root.resolve().rglob("*.py")):
            # Migrations are history; a test may look into the module it tests.
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            problems.extend(findings(path, base))
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} import(s) of another module's private name")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
