"""Template + parameters → an nbformat v4 notebook: valid, with stable cell ids, and the same
bytes for the same inputs. The template is Jinja2 over jupytext's percent format; run-time
parameters go into the cell tagged `parameters`, as papermill expects."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Mapping

from tilbook.config.model import Config
from tilbook.errors import TemplateError
from tilbook.notebooks.spec import NotebookSpec

KERNEL_DISPLAY = {"python3": "Python 3 (ipykernel)"}
SHARED_FOLDER = "_shared"


def render_notebook(
    spec: NotebookSpec,
    values: Mapping[str, Any],
    *,
    language: str = "en",
    kernel: str = "python3",
    profile: str = "default",
) -> Any:
    """The notebook (an `nbformat.NotebookNode`) for these parameter values."""
    import jinja2  # here, not at the top: writing a run's notebook needs none of it
    import jupytext
    import nbformat

    structural = {p.name: values[p.name] for p in spec.parameters if p.stage == "template"}
    runtime = {p.name: values[p.name] for p in spec.parameters if p.stage == "run"}
    # `{% include %}` finds the template's own folder first, then `notebooks_src/_shared/`:
    # code every notebook needs (device, seeds) is written once and inlined into each.
    loader = jinja2.FileSystemLoader([str(spec.folder), str(spec.folder.parent / SHARED_FOLDER)])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False)
    shown = str(spec.template)
    try:
        text = env.get_template(spec.template.name).render(
            **structural, lang=language, ko=language.startswith("ko"), title=spec.text(spec.title, language))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template error: {exc.message}", path=shown, line=exc.lineno) from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template error: {exc.message} not found", path=shown,
                            hint=f"included files live next to the template or in {SHARED_FOLDER}/") from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template error: {exc.message}", path=shown,
                            hint=f"template parameters: {', '.join(structural)}, lang, ko, title") from exc
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    found = False
    for i, cell in enumerate(nb.cells):
        cell.id = _cell_id(spec.name, i)
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = "\n".join(f"{name} = {value!r}" for name, value in runtime.items())
            found = True
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if not found:
        raise TemplateError("no cell tagged parameters", path=shown,
                            hint='start the parameters cell with: # %% tags=["parameters"]')
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": KERNEL_DISPLAY.get(kernel, kernel),
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["tilbook"] = {"template": spec.name, "profile": profile, "parameters": dict(values),
                              "language": language}
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb


def _cell_id(name: str, index: int) -> str:
    return f"{name[:40]}-{index}-{hashlib.blake2b(f'{name}:{index}'.encode(), digest_size=3).hexdigest()}"


def notebook_bytes(nb: Any) -> bytes:
    import nbformat

    return (nbformat.writes(nb) + "\n").encode("utf-8")


def write_notebook(nb: Any, path: Path, *, config: Config, force: bool = False) -> Path:
    """Write the notebook; an existing file is kept unless `force` (a user's edits are theirs)."""
    data = notebook_bytes(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "wb" if force else "xb") as fh:
            fh.write(data)
    except FileExistsError:
        raise TemplateError("already exists; left untouched", path=config.display_path(path),
                            hint="pass -o with another path, or --force to replace it") from None
    return path
