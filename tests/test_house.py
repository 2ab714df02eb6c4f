"""The layout the code keeps (README, "How it is built"): data flows one way, so no module imports
one that imports it back, however late (an import inside a function included); the drawings
(pages/) never reach the batch or the desk above them; and no module grows past ~350 lines."""
import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "lib" / "nianbao"
LONGEST = 360  # lines: "about 350"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """Each module's imports of nianbao's modules, wherever in it they stand."""
    known = modules()
    graph = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    found.add(target if target in known else base)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = {target for target in found if target in known and target != name}
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = imports()

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for target in graph[todo.pop()]:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    cycles = sorted(name for name in graph if name in reaches(name))
    assert cycles == []


def test_the_drawings_never_import_the_batch_or_the_desk():
    graph = imports()
    drawing = [name for name in graph if name.startswith(("nianbao.pages", "nianbao.document"))]
    assert drawing and all(not target.startswith(("nianbao.batch", "nianbao.desk", "nianbao.cli"))
                           for name in drawing for target in graph[name])


def test_no_module_is_longer_than_about_350_lines():
    longer = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: lines for name, lines in longer.items() if lines > LONGEST} == {}
