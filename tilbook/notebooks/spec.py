"""`notebooks_src/NAME/notebook.yml` → `NotebookSpec`, and parameters checked against it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from tilbook.config.model import Config
from tilbook.errors import TemplateError, UsageError
from tilbook.source import DecodeProblem, YamlProblem, load_yaml_mapping, read_text

SPEC_NAME = "notebook.yml"
TYPES = {"str": str, "int": int, "float": float, "bool": bool}
STAGES = ("template", "run")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    help: str = ""
    choices: tuple[Any, ...] = ()
    stage: str = "run"
    """`template`: chooses the notebook's structure when it is generated; `run`: a value in
    the cell tagged `parameters`, which a runner may override."""


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    folder: Path
    template: Path
    title: Mapping[str, str]
    summary: Mapping[str, str]
    parameters: tuple[Parameter, ...]
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    requirements: tuple[str, ...] = ()
    data: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def text(self, field_value: Mapping[str, str], language: str) -> str:
        return field_value.get("ko" if language.startswith("ko") else "en") or next(iter(field_value.values()), "")


def _localized(value: Any) -> Mapping[str, str]:
    if isinstance(value, str):
        return MappingProxyType({"en": value})
    if isinstance(value, dict):
        return MappingProxyType({str(k): str(v) for k, v in value.items()})
    return MappingProxyType({})


def load_spec(folder: Path, *, shown: str | None = None) -> NotebookSpec:
    """Read and check one template folder. Raises `TemplateError` with every problem."""
    path = folder / SPEC_NAME
    shown = shown or str(path)
    try:
        doc = load_yaml_mapping(read_text(path, display=shown))
    except DecodeProblem as exc:
        raise TemplateError(problems=[exc.problem]) from exc
    except YamlProblem as exc:
        raise TemplateError(str(exc), path=shown, line=exc.line, hint=exc.hint) from exc
    except OSError as exc:
        raise TemplateError(f"cannot read {SPEC_NAME}: {exc.strerror}", path=shown) from exc
    data = doc.data
    errors: list[TemplateError] = []

    def fail(message: str, *keys: str, hint: str | None = None) -> None:
        errors.append(TemplateError(message, path=shown, line=doc.line(*keys), key=".".join(keys), hint=hint))

    template = folder / str(data.get("template", ""))
    if not data.get("template") or not template.is_file():
        fail(f"template file {data.get('template')!r} not found next to {SPEC_NAME}", "template",
             hint="name the jupytext percent-format file, e.g. template: autoencoder.py")
    params = []
    raw_params = data.get("parameters") or {}
    if not isinstance(raw_params, dict):
        fail("expected a mapping of parameter names", "parameters")
        raw_params = {}
    for name, raw in raw_params.items():
        if not isinstance(raw, dict):
            fail("expected {type: ..., default: ...}", "parameters", str(name))
            continue
        kind = raw.get("type", "str")
        if kind not in TYPES:
            fail(f"unknown type {kind!r}", "parameters", str(name), "type", hint=f"use one of {', '.join(TYPES)}")
            continue
        stage = raw.get("stage", "run")
        if stage not in STAGES:
            fail(f"unknown stage {stage!r}", "parameters", str(name), "stage", hint="use template or run")
        default = raw.get("default")
        if kind == "float" and isinstance(default, int) and not isinstance(default, bool):
            default = float(default)
        if not isinstance(default, TYPES[kind]) or (kind == "int" and isinstance(default, bool)):
            fail(f"default {default!r} is not a {kind}", "parameters", str(name), "default")
        choices = tuple(raw.get("choices") or ())
        if choices and default not in choices:
            fail(f"default {default!r} is not among the choices", "parameters", str(name), "default")
        params.append(Parameter(str(name), kind, default, str(raw.get("help", "")), choices, stage))
    profiles = data.get("profiles") or {}
    known = {p.name for p in params}
    for profile, values in profiles.items():
        for key in (values or {}):
            if key not in known:
                fail(f"profile sets unknown parameter {key!r}", "profiles", str(profile), str(key))
    if errors:
        raise TemplateError(problems=[p for e in errors for p in e.problems])
    return NotebookSpec(
        name=folder.name,
        folder=folder,
        template=template,
        title=_localized(data.get("title", folder.name)),
        summary=_localized(data.get("summary", "")),
        parameters=tuple(params),
        profiles=MappingProxyType({str(k): MappingProxyType(dict(v or {})) for k, v in profiles.items()}),
        requirements=tuple(str(r) for r in data.get("requirements") or ()),
        data=tuple(str(d) for d in data.get("data") or ()),
    )


def templates_dir(config: Config) -> Path:
    return config.tilbook.notebooks_dir or (config.root / "notebooks_src")


def list_specs(config: Config) -> list[NotebookSpec]:
    folder = templates_dir(config)
    if not folder.is_dir():
        return []
    return [load_spec(p, shown=config.display_path(p / SPEC_NAME))
            for p in sorted(folder.iterdir()) if (p / SPEC_NAME).is_file()]


def find_spec(config: Config, name: str) -> NotebookSpec:
    specs = {s.name: s for s in list_specs(config)}
    if name not in specs:
        close = difflib.get_close_matches(name, list(specs), n=1)
        raise UsageError(
            f"no notebook template {name!r}",
            hint=(f"did you mean '{close[0]}'? " if close else "")
            + (f"templates: {', '.join(specs)}" if specs else f"none found in {config.display_path(templates_dir(config))}"),
        )
    return specs[name]


def _convert(param: Parameter, text: str) -> Any:
    if param.type == "bool":
        if text.lower() in ("true", "yes", "1", "on"):
            return True
        if text.lower() in ("false", "no", "0", "off"):
            return False
        raise ValueError
    return TYPES[param.type](text)


def resolve_parameters(spec: NotebookSpec, *, profile: str = "default",
                       overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults, then the profile, then `-p name=value` overrides (given as text)."""
    if profile not in spec.profiles and profile != "default":
        raise UsageError(f"template {spec.name!r} has no profile {profile!r}",
                         hint=f"profiles: {', '.join(spec.profiles) or 'default'}")
    values = {p.name: p.default for p in spec.parameters}
    values.update(spec.profiles.get(profile, {}))
    for name, text in (overrides or {}).items():
        param = spec.parameter(name)
        if param is None:
            raise UsageError(f"template {spec.name!r} has no parameter {name!r}",
                             hint=f"parameters: {', '.join(p.name for p in spec.parameters)}")
        try:
            value = _convert(param, text)
        except ValueError:
            article = "an" if param.type == "int" else "a"
            raise UsageError(f"parameter {name!r} expects {article} {param.type}, got {text!r}",
                             hint=f"for example -p {name}={param.default}") from None
        if param.choices and value not in param.choices:
            raise UsageError(f"parameter {name!r} must be one of {', '.join(map(str, param.choices))}; got {text!r}",
                             hint=param.help or None)
        values[name] = value
    return values
