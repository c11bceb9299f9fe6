"""MkDocs hooks: pages generated from the code, and a check that the pages name only what exists.

- `configuration.md` is generated from the settings models (their fields, types, defaults and
  the `Attributes:` of their docstrings), so the reference cannot drift from the code.
- `benchmarks.md` is `bench/RESULTS.md`, where the benchmarks record their figures.
- Every page is checked: a `GROUNDGRAPH_*` variable, a `section.setting` name, a
  `groundgraph.module` path or a `groundgraph VERB` command that does not exist fails the
  build (`mkdocs build --strict` runs in `scripts/test.sh`).
"""

import importlib
import importlib.util
import re
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIX = "GROUNDGRAPH_"
PIPELINE_PREFIX = "GROUNDGRAPH_PIPELINE_"
# Variables read outside the settings models: the config file's path, and what the project's
# scripts and test fixtures read (the test Neo4j server's URI).
OTHER_VARIABLES = {"GROUNDGRAPH_CONFIG"}
SCRIPTS_READING_VARIABLES = ("scripts/*.sh", "tests/conftest.py")

# A name right after "unknown setting" is the example of a misspelt one, named on purpose.
FILE_SUFFIXES = {"sqlite", "json", "jsonl", "toml", "lock", "faiss", "npz", "npy", "py", "md"}
_VARIABLE = re.compile(r"(?<!unknown setting )\bGROUNDGRAPH_[A-Z0-9_]*[A-Z0-9]((?:_?\*)?)")
_DOTTED = re.compile(
    r"`(store|generator|local_model|model_cache|threads|openai|answer|ingest|graph|neo4j|"
    r"retrieval|finetune|serve|pipeline)\.([a-z_]+)"
)
_MODULE = re.compile(r"(?<![/.])\bgroundgraph(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_INLINE_COMMAND = re.compile(r"`groundgraph ([a-z][a-z-]*)")
_FENCED = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_BLOCK_COMMAND = re.compile(r"^\s*(?:\$ )?(?:\S*/)?groundgraph ([a-z][a-z-]*)", re.MULTILINE)


@cache
def settings_sections() -> dict[str, type[BaseModel]]:
    """Each settings section by the name a page uses for it (`retrieval`, `pipeline`, ...)."""
    from groundgraph.pipelines.settings import PipelineSettings
    from groundgraph.settings import Settings

    sections: dict[str, type[BaseModel]] = {"": Settings, "pipeline": PipelineSettings}
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            sections[name] = kind
    return sections


@cache
def known_variables() -> frozenset[str]:
    """Every environment variable groundgraph, its scripts or its tests read."""
    names = set(OTHER_VARIABLES) | setting_variables()
    for pattern in SCRIPTS_READING_VARIABLES:
        for path in ROOT.glob(pattern):
            names.update(re.findall(r"GROUNDGRAPH_[A-Z0-9_]*[A-Z0-9]", path.read_text()))
    return frozenset(names)


def setting_name(section: str, field: str) -> tuple[str, str]:
    """A setting's dotted name (`retrieval.top_k`) and the variable it is read from."""
    if section == "pipeline":
        return f"pipeline.{field}", f"{PIPELINE_PREFIX}{field.upper()}"
    if section:
        return f"{section}.{field}", f"{ENV_PREFIX}{section.upper()}_{field.upper()}"
    return field, f"{ENV_PREFIX}{field.upper()}"


@cache
def setting_variables() -> frozenset[str]:
    """Every environment variable a setting is read from."""
    return frozenset(
        setting_name(section, field)[1]
        for section, model in settings_sections().items()
        for field in model.model_fields
    )


@cache
def known_commands() -> frozenset[str]:
    from groundgraph.cli import app

    return frozenset(app.commands)


def _module_exists(dotted: str) -> bool:
    """`groundgraph.a.b` is a module, or an attribute of the longest module it starts with."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            target: Any = importlib.import_module(name)
            for attribute in parts[cut:]:
                if not hasattr(target, attribute):
                    return False
                target = getattr(target, attribute)
            return True
    return False


def unknown_references(markdown: str) -> list[str]:
    """What a page names that does not exist: settings, variables, modules, commands."""
    problems = [
        *_unknown_variables(markdown),
        *_unknown_settings(markdown),
        *_unknown_modules(markdown),
        *_unknown_commands(markdown),
    ]
    return sorted(set(problems))


def _unknown_variables(markdown: str) -> list[str]:
    variables = known_variables()
    problems = []
    for match in _VARIABLE.finditer(markdown):
        name, wildcard = match.group(0).rstrip("_*"), match.group(1)
        if wildcard or name.endswith("_"):
            if not any(v.startswith(name) for v in variables):
                problems.append(f"no setting is read from variables {name}*")
        elif name not in variables:
            problems.append(f"no setting is read from {name}")
    return problems


def _unknown_settings(markdown: str) -> list[str]:
    sections = settings_sections()
    return [
        f"no setting {section}.{field}"
        for section, field in _DOTTED.findall(markdown)
        if field not in FILE_SUFFIXES  # `graph.sqlite` is a file in the store
        and (section not in sections or field not in sections[section].model_fields)
    ]


def _unknown_modules(markdown: str) -> list[str]:
    return [
        f"no module or attribute {dotted}"
        for dotted in set(_MODULE.findall(markdown))
        if dotted.rsplit(".", 1)[-1] not in FILE_SUFFIXES  # `groundgraph.toml` is a file
        and not _module_exists(dotted)
    ]


def _unknown_commands(markdown: str) -> list[str]:
    commands = known_commands()
    blocks = "\n".join(_FENCED.findall(markdown))
    verbs = [*_INLINE_COMMAND.findall(markdown), *_BLOCK_COMMAND.findall(blocks)]
    return [f"no command `groundgraph {verb}`" for verb in verbs if verb not in commands]


def _described(model: type[BaseModel]) -> dict[str, str]:
    """The `Attributes:` of a model's docstring, by field (a line may describe several,
    `a, b: ...`)."""
    doc = model.__doc__ or ""
    if "Attributes:" not in doc:
        return {}
    found: dict[str, str] = {}
    names: list[str] = []
    for line in doc.split("Attributes:", 1)[1].splitlines():
        head = re.match(r"^ {4,8}([a-z_][a-z0-9_, ]*):\s*(.*)$", line)
        if head and line.startswith(" " * 8) and not line.startswith(" " * 9):
            names = [n.strip() for n in head.group(1).split(",")]
            for name in names:
                found[name] = head.group(2)
        elif line.strip() and names:
            for name in names:
                found[name] += " " + line.strip()
    return found


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        return "" if isinstance(value, BaseModel) else f"`{value!r}`"
    if field.default is None:
        return "unset"
    return f"`{field.default!r}`".replace("PosixPath", "Path")


def _type(field: Any) -> str:
    text = getattr(field.annotation, "__name__", None) or str(field.annotation)
    return text.replace("typing.", "").replace("pathlib.", "").replace("|", "or")


def configuration_page() -> str:
    """The settings reference: one table per section, from the models themselves."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from the settings models when the site is built, so it cannot drift from "
        "the code. Each setting is read from the environment variable shown, from the TOML "
        "file (`[section]` then `key = value`), or from `Settings.load(...)` (see "
        "[Settings: where they come from](settings-guide.md)).",
    ]
    for section, model in settings_sections().items():
        title = {"": "Top level", "pipeline": "Dagster pipelines"}.get(section, f"`{section}`")
        lines += ["", f"## {title}", "", "| setting | variable | type | default | meaning |"]
        lines.append("| --- | --- | --- | --- | --- |")
        described = _described(model)
        for name, field in model.model_fields.items():
            kind = field.annotation
            if section == "" and isinstance(kind, type) and issubclass(kind, BaseModel):
                continue
            dotted, variable = setting_name(section, name)
            meaning = described.get(name, "").replace("|", "\\|")
            lines.append(
                f"| `{dotted}` | `{variable}` | {_type(field)} | {_default(field)} | {meaning} |"
            )
    return "\n".join(lines) + "\n"


def benchmarks_page() -> str:
    recorded = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    intro = (
        "# Benchmarks\n\nThe figures below are `bench/RESULTS.md` as the benchmarks in `bench/` "
        "recorded them, with the machine and date of each run.\n\n"
    )
    body = re.sub(r"^# .*\n", "", recorded, count=1)
    return intro + re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE)


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "configuration.md", content=configuration_page()))
    files.append(File.generated(config, "benchmarks.md", content=benchmarks_page()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    problems = unknown_references(markdown)
    if problems:
        raise PluginError(f"{page.file.src_path} names what does not exist: {'; '.join(problems)}")
    return markdown
