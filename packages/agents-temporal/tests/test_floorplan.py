"""The library's floor plan: feature rooms on a few floors, every import pointing down."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import agents_temporal

PACKAGE = Path(agents_temporal.__file__).parent

# Each room is a top-level module or subpackage. A room imports only rooms on lower floors; a
# new room must be placed here on purpose.
FLOORS: list[set[str]] = [
    {
        "_errors",
        "_params",
        "_model_call",
        "_hooks",
        "_app_settings",
        "_temporal_server",
        "_process",
        "_temporal_worker_env_ref",
        "_lazy",
    },
    {
        "_workflow_context",
        "_payloads",
        "_streaming",
        "_tracing",
        "_apps",
        "_sandbox_builtins",
        "pytest_plugin",
        "process",
        "sandbox",
    },
    {"_model", "_mcp", "_conversation", "streaming", "opentelemetry"},
    {"_plugin", "workflow", "client", "offline", "apps"},
    {"__init__", "testing"},
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


def _room(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path, module: str) -> Iterator[str]:
    """Modules of this package that ``path`` imports (TYPE_CHECKING imports included)."""
    here = [] if module == "__init__" else module.split(".")
    base = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base[: len(base) - (node.level - 1)]
                target = ".".join([*parts, *([node.module] if node.module else [])])
            elif node.module and node.module.startswith("agents_temporal"):
                target = node.module.removeprefix("agents_temporal").lstrip(".")
            else:
                continue
            names = [f"{target}.{alias.name}".lstrip(".") for alias in node.names]
            found = [name for name in names if name in MODULES]
            yield from found or [target or "__init__"]


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    return {
        module: {target for target in _imports(path, module) if target != module}
        for module, path in MODULES.items()
    }


def test_every_room_is_on_a_floor_and_imports_only_rooms_below() -> None:
    floor_of = {room: n for n, rooms in enumerate(FLOORS) for room in rooms}
    rooms = {_room(module) for module in MODULES}
    assert rooms == set(floor_of), "place new rooms on a floor in FLOORS, remove gone ones"
    # 25, plus the offline model base (apps ship it to workers; it is not a test helper) and
    # the two rooms the published integration's API names: the public `sandbox` package and
    # `_temporal_worker_env_ref` (see DESIGN.md), and `_lazy`, the first-use loading that four
    # public modules share so that a client or `dev` does not import the Agents SDK, and
    # `_sandbox_builtins`, the stand-ins for the workflow sandbox's process-wide builtin wrappers.
    assert len(rooms) <= 30
    assert len(FLOORS) <= 5
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in targets
        if _room(target) != _room(module) and floor_of[_room(target)] >= floor_of[_room(module)]
    )
    assert upward == []


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            raise AssertionError(
                "import cycle: " + " -> ".join([*path[path.index(module) :], module])
            )
        if module in done:
            return
        for target in graph.get(module, ()):
            visit(target, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
