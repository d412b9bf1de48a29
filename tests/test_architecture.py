"""The project's modules import one way (docs/architecture.md): no module of archive/ or search/
imports, directly or through others, a module that imports it back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "search")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that a module imports, at any depth of its code (an import inside a
    function is a dependency too, only a later one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each as one cycle path."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_path(graph, set(c)) for c in components]


def _cycle_path(graph, component: set[str]) -> list[str]:
    start = min(component)
    path, seen = [start], {start}
    while True:
        nxt = sorted(w for w in graph[path[-1]] if w in component)
        back = [w for w in nxt if w == start]
        if back and len(path) > 1:
            return path + [start]
        fresh = [w for w in nxt if w not in seen]
        if not fresh:
            return path + [nxt[0]]
        path.append(fresh[0])
        seen.add(fresh[0])


def test_no_module_of_the_project_imports_itself_back():
    modules = project_modules()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    cycles = find_cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_cycle_finder_names_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_archive_reaches_the_search_app_only_through_its_api():
    modules = project_modules()
    reaching = {
        f"{name} → {target}"
        for name, path in modules.items()
        if name.startswith("archive")
        for target in imports_of(name, path, modules)
        if target.startswith("search") and target != "search.api"
    }
    assert not reaching, sorted(reaching)


def _prose(path: Path) -> list[tuple[int, str]]:
    """A module's docstrings and comments, with their line numbers."""
    import io
    import tokenize

    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                found.append((node.body[0].lineno, doc))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string))
    return found


def test_docstrings_and_comments_name_modules_that_exist():
    """A module moved or removed takes its name out of the prose too: every archive/… or
    search/… path and every archive.… or search.… name in a docstring or comment is there."""
    import importlib
    import re

    modules = project_modules()
    dotted = re.compile(r"(?<![\w./])((?:archive|search)(?:\.[A-Za-z_]\w*)+)")
    slashed = re.compile(r"(?<![\w./])((?:archive|search)/[\w/]+\.py)\b")
    missing = []
    for name, path in modules.items():
        for line, text in _prose(path):
            for ref in slashed.findall(text):
                if not (ROOT / ref).exists():
                    missing.append(f"{path.relative_to(ROOT)}:{line}: {ref}")
            for ref in dotted.findall(text):
                parts = ref.split(".")
                if parts[-1] in ("py", "md", "html"):
                    continue  # a file named in its own folder (search.py), not a module path
                depth = max(i for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules or i == 1)
                if depth == 1:
                    missing.append(f"{path.relative_to(ROOT)}:{line}: {ref}")
                    continue
                target = importlib.import_module(".".join(parts[:depth]))
                for attribute in parts[depth:]:
                    if not hasattr(target, attribute):
                        missing.append(f"{path.relative_to(ROOT)}:{line}: {ref}")
                        break
                    target = getattr(target, attribute)
    assert not missing, "\n".join(missing)
