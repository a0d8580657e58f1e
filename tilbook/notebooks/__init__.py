"""Stage 3: notebook templates (`notebooks_src/NAME/`) → Jupyter notebooks."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

_IRI = "rfc3987_syntax"


def defer_iri_grammars() -> None:
    """Load `rfc3987_syntax` when an IRI is first checked, not when jsonschema is imported.

    nbformat imports jsonschema, and jsonschema imports `rfc3987_syntax` (for its "iri"
    formats) whenever it is installed, which it is wherever jupyter_server is (jupyter-events
    asks for `jsonschema[format-nongpl]`): a learner's usual environment. That import builds
    38 Lark grammars: 0.76 s of the 0.85 s `import nbformat` took here, paid by every
    `notebook` command and every first build of a journal with notebooks, for a check no
    notebook schema uses (python-jsonschema/jsonschema#1428). What jsonschema takes from it
    stands in here and imports the real module on first use, so IRI checks still run, as
    before. Nothing is done when it is not installed, or jsonschema is already imported."""
    if _IRI in sys.modules or "jsonschema" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(_IRI)
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    stand_in = types.ModuleType(_IRI)
    stand_in.__spec__ = spec  # `find_spec` and submodule imports see the real package
    stand_in.__path__ = list(spec.submodule_search_locations or [])

    loaded: list[Any] = []

    def real() -> Any:
        if not loaded:
            if sys.modules.get(_IRI) is stand_in:
                del sys.modules[_IRI]
            loaded.append(importlib.import_module(_IRI))
        return loaded[0]

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:  # the one name jsonschema imports
        return real().is_valid_syntax(*args, **kwargs)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = lambda name: getattr(real(), name)  # type: ignore[method-assign]
    sys.modules[_IRI] = stand_in


defer_iri_grammars()
