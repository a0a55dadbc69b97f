"""``new-app``: a new agent app in the workspace, from the skeleton next to this module."""

from __future__ import annotations

import keyword
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from agents_temporal.apps import ENTRY_POINT_GROUP

SKELETON = Path(__file__).parent / "skeleton"
"""The files of a new app, with ``{{token}}`` placeholders, each ending in ``.tmpl``."""

_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_TOKEN = re.compile(r"\{\{(\w+)\}\}")
_MAX_NAME = 30

RESERVED = frozenset(
    {
        "agent",
        "agents",
        "app",
        "apps",
        "console",
        "dev",
        "devstack",
        "stack",
        "temporal",
        "test",
        "tests",
        "worker",
    }
)
"""Names a new app may not take: they read as, or clash with, parts of the stack."""


class ScaffoldError(RuntimeError):
    """The app cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class AppNames:
    """Every name a new app ``travel`` gets."""

    name: str
    """The app's name (``travel``): entry point, workflow id prefix, activity prefix."""

    @property
    def dist(self) -> str:
        """The distribution and folder name (``travel-agents``)."""
        return f"{self.name.replace('_', '-')}-agents"

    @property
    def package(self) -> str:
        """The import package (``travel_agents``)."""
        return f"{self.name}_agents"

    @property
    def class_prefix(self) -> str:
        """The prefix of its classes (``Travel``)."""
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def title(self) -> str:
        """Its title in the console (``Travel``)."""
        return " ".join(part.capitalize() for part in self.name.split("_"))

    def tokens(self) -> dict[str, str]:
        """The skeleton's placeholders and their values."""
        return {
            "name": self.name,
            "dist": self.dist,
            "package": self.package,
            "Class": self.class_prefix,
            "Title": self.title,
        }


def check_name(name: str, root: Path, installed_apps: frozenset[str] | None = None) -> AppNames:
    """The names of app ``name``, refusing a bad or taken one.

    Raises:
        ScaffoldError: The name is not a lowercase slug, is reserved, or is taken (a folder, a
            workspace package or an installed app has it).
    """
    if not _NAME.fullmatch(name) or len(name) > _MAX_NAME or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a usable app name: use lowercase letters and digits, words "
            f"joined by single underscores, starting with a letter, at most {_MAX_NAME} "
            "characters (e.g. travel or travel_desk)"
        )
    if name in RESERVED:
        raise ScaffoldError(
            f"{name!r} is reserved (it names a part of the stack): choose another name, e.g. "
            f"{name}_desk"
        )
    names = AppNames(name)
    folder = root / "apps" / names.dist
    if folder.exists():
        raise ScaffoldError(
            f"apps/{names.dist} already exists: choose another name, or delete that folder first"
        )
    members = {path.parent.name for path in root.glob("*/*/pyproject.toml")}
    if names.dist in members:
        raise ScaffoldError(
            f"A workspace member is already called {names.dist!r}: choose another name"
        )
    apps = installed_apps if installed_apps is not None else _installed_app_names()
    if name in apps:
        raise ScaffoldError(
            f"An installed agent app is already named {name!r}: choose another name"
        )
    return names


def _installed_app_names() -> frozenset[str]:
    return frozenset(entry.name for entry in entry_points(group=ENTRY_POINT_GROUP))


def render(text: str, tokens: Mapping[str, str], source: Path) -> str:
    """``text`` with every ``{{token}}`` replaced.

    Raises:
        ScaffoldError: The skeleton uses a token that has no value (a broken skeleton).
    """

    def value(match: re.Match[str]) -> str:
        token = match.group(1)
        if token not in tokens:
            raise ScaffoldError(f"The skeleton file {source} uses an unknown token {token!r}")
        return tokens[token]

    return _TOKEN.sub(value, text)


def write_app(names: AppNames, root: Path) -> list[Path]:
    """Write ``apps/<dist>`` from the skeleton; returns the files written."""
    tokens = names.tokens()
    target = root / "apps" / names.dist
    written: list[Path] = []
    for source in sorted(SKELETON.rglob("*.tmpl")):
        relative = source.relative_to(SKELETON).with_suffix("")
        parts = [render(p, tokens, source) for p in relative.parts]
        # The skeleton's folder `src/package` and file `tests/test_package.py` are named after
        # the package.
        parts = [names.package if p == "package" else p for p in parts]
        parts[-1] = parts[-1].replace("test_package", f"test_{names.package}")
        path = target.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(source.read_text(), tokens, source))
        written.append(path)
    return written


def _insert_in_list(text: str, header: str, key: str, line: str) -> str:
    """Add ``line`` at the end of the ``key = [...]`` list in the ``header`` table of ``text``."""
    table = f"\n{text}".find(f"\n{header}\n")
    if table < 0:
        raise ScaffoldError(
            f"The root pyproject.toml has no {header} table: add {line.strip()} to {key} by hand"
        )
    opening = text.find(f"\n{key} = [", table)
    closing = text.find("\n]", opening)
    if opening < 0 or closing < 0:
        raise ScaffoldError(
            f"The root pyproject.toml has no {key} list under {header}: add "
            f"{line.strip()} to it by hand"
        )
    return text[: closing + 1] + line + "\n" + text[closing + 1 :]


def _append_to_table(text: str, header: str, line: str) -> str:
    """Add ``line`` at the end of the ``header`` table of ``text``."""
    start = f"\n{text}".find(f"\n{header}\n")
    if start < 0:
        raise ScaffoldError(f"The root pyproject.toml has no {header} table: add {line} by hand")
    end = text.find("\n\n", start + 1)
    end = len(text.rstrip("\n")) if end < 0 else end
    return text[:end] + "\n" + line + text[end:]


def root_project_with(names: AppNames, text: str) -> str:
    """The root pyproject.toml ``text`` depending on the new app, linting it as first-party.

    The root depends on every member, which is what installs it (a member only in the lock
    is not installed, and the worker would not find it).

    Raises:
        ScaffoldError: The file does not have the shape this expects; it says what to add.
    """
    text = _insert_in_list(text, "[project]", "dependencies", f'    "{names.dist}",')
    text = _append_to_table(text, "[tool.uv.sources]", f"{names.dist} = {{ workspace = true }}")
    text = _insert_in_list(
        text, "[tool.ruff.lint.isort]", "known-first-party", f'    "{names.package}",'
    )
    return text


def add_to_env_example(names: AppNames, root: Path) -> None:
    """Document the app's settings in infra/.env.example, where a deployment reads them."""
    path = root / "infra" / ".env.example"
    if not path.is_file():
        return
    variable = f"{names.name.upper()}_SEARCH_RESULTS"
    section = (
        f"# --- {names.title} app ({names.package}.{names.class_prefix}Settings) "
        + "-" * max(3, 60 - len(names.title) - len(names.package) - len(names.class_prefix))
        + "\n# Its own settings, read by the worker that runs it.\n\n"
        f"# How many results the search tool returns at most.\n{variable}=3\n\n"
    )
    text = path.read_text()
    anchor = text.find("# --- Payload storage")
    text = (
        text + "\n" + section.rstrip("\n") + "\n"
        if anchor < 0
        else (text[:anchor] + section + text[anchor:])
    )
    path.write_text(text)


Runner = Callable[[list[str], Path], int]


def _run(command: list[str], cwd: Path) -> int:
    return subprocess.run(command, cwd=cwd, check=False).returncode


def create_app(
    name: str,
    root: Path,
    *,
    sync: bool = True,
    run: Runner = _run,
    say: Callable[[str], None] = print,
) -> AppNames:
    """Create app ``name`` in the workspace at ``root``, install it, and say what to do next.

    Raises:
        ScaffoldError: A bad or taken name, a root that is not the workspace, or a failed sync.
    """
    if not (root / "pyproject.toml").is_file() or not (root / "apps").is_dir():
        raise ScaffoldError(
            f"{root} is not the workspace root (no pyproject.toml and apps/): run new-app there"
        )
    names = check_name(name, root)
    project = root / "pyproject.toml"
    # Every check first: nothing is written unless all of it can be.
    new_project = root_project_with(names, project.read_text())
    written = write_app(names, root)
    project.write_text(new_project)
    add_to_env_example(names, root)
    say(f"new-app: created apps/{names.dist} ({len(written)} files)")
    say(
        "new-app: added it to pyproject.toml (dependencies, sources, first-party) and its "
        "settings to infra/.env.example"
    )
    if sync:
        say("new-app: uv sync --all-packages")
        if run(["uv", "sync", "--all-packages"], root) != 0:
            raise ScaffoldError(
                f"uv sync failed (see above): fix what it says, then run `uv sync "
                f"--all-packages`; apps/{names.dist} is written"
            )
    say("")
    say("Next:")
    say(f"  uv run pytest apps/{names.dist}      # one conversation with an approval")
    say(f"  uv run dev --apps {names.name}               # the stack with only this app")
    say(
        f"  edit apps/{names.dist}/src/{names.package}/_agents.py and _tools.py, then "
        "_offline_model.py to match"
    )
    return names
