"""The plugin's layers import downwards only, and no module imports itself back.

Layers, lowest first: models < selectors < access < tasks < services < jobs < views.
Reads (selectors, access) never import writes (services); models import none of the layers
above them. `tasks` is the background work services queue after they commit (so services
import tasks, never the reverse); `jobs` are tasks that start work through the services
(bulk issue, the daily reminders), entry points like views. Both
module-level and function-level imports count: an import inside a function hides a circle
but does not remove it.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_APPS = ["courses", "assessments"]
LAYERS = ["models", "selectors", "access", "tasks", "services", "jobs", "views"]
VIEW_MODULES = {"views", "viewsets", "panels", "wagtail_hooks", "urls"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def plugin_modules() -> dict[str, Path]:
    modules = {}
    for app in PLUGIN_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def node_for(module: str) -> str:
    """A models package counts as one node: its submodules import each other freely."""
    parts = module.split(".")
    if "models" in parts:
        return ".".join(parts[: parts.index("models") + 1])
    return module


def layer_of(module: str) -> str | None:
    last = node_for(module).split(".")[-1]
    if last in VIEW_MODULES or last.startswith("views_"):
        return "views"
    # A layer split in two keeps its name as a prefix: services_hours is a services module.
    return next(
        (layer for layer in LAYERS if last == layer or last.startswith(f"{layer}_")),
        None,
    )


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            if node.level:
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            candidates = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        targets.update(c for c in candidates if c in modules and c != module)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = plugin_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        source = node_for(module)
        for target in imports_of(module, path, modules):
            if node_for(target) != source:
                graph.setdefault(source, set()).add(node_for(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_layers_import_downwards_only():
    upward = [
        f"{source} ({layer_of(source)}) imports {target} ({layer_of(target)})"
        for source, targets in import_graph().items()
        for target in targets
        if layer_of(source)
        and layer_of(target)
        and LAYERS.index(layer_of(target)) > LAYERS.index(layer_of(source))
    ]
    assert upward == []


def test_no_import_circles_in_the_plugin():
    assert cycles(import_graph()) == []


def test_the_checker_finds_a_circle_and_an_upward_import():
    # The checker itself must be able to fail.
    graph = {"a.selectors": {"a.services"}, "a.services": {"a.selectors"}}
    assert cycles(graph) == [["a.selectors", "a.services"]]
    assert LAYERS.index(layer_of("a.services")) > LAYERS.index(layer_of("a.selectors"))
    assert layer_of("a.certificates.views_credentials") == "views"
    assert layer_of("a.programmes.services_hours") == "services"
    assert LAYERS.index(layer_of("a.tasks")) < LAYERS.index(layer_of("a.services"))
    assert LAYERS.index(layer_of("a.jobs")) > LAYERS.index(layer_of("a.services"))
    assert node_for("a.models.pages") == "a.models"


def test_no_plugin_module_is_over_500_lines():
    long_files = {
        module: lines
        for module, path in plugin_modules().items()
        if (lines := len(path.read_text().splitlines())) > 500
    }
    assert long_files == {}


def test_every_file_the_architecture_page_names_exists():
    text = (ROOT / "docs" / "architecture.md").read_text()
    top_level = {path.name for path in ROOT.iterdir() if path.is_dir()}
    named = {
        name
        for name in re.findall(r"`([\w./{},-]+/[\w.{},-]*)`", text)
        if name.split("/")[0] in top_level
    }
    missing = []
    for name in named:
        if "{" in name:  # `courses/models/{a,b}.py` names several files
            head, _, rest = name.partition("{")
            choices, _, tail = rest.partition("}")
            paths = [f"{head}{choice}{tail}" for choice in choices.split(",")]
        else:
            paths = [name]
        missing += [path for path in paths if not (ROOT / path).exists()]
    assert named, "the page names no files"
    assert missing == []
