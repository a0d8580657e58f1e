"""Notebook templates → valid, deterministic notebooks; parameters checked with clear errors."""

import itertools

import nbformat
import pytest

from tests.conftest import REPO, make_workspace, write_files
from tilbook.config import load_config
from tilbook.errors import TemplateError, UsageError
from tilbook.notebooks.render import notebook_bytes, render_notebook
from tilbook.notebooks.spec import list_specs, load_spec, resolve_parameters

CONFIG = load_config(REPO / "mkdocs.yml")
SPECS = list_specs(CONFIG)


def test_the_templates_are_there():
    assert [s.name for s in SPECS] == ["autoencoder", "gan", "style_transfer"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_choice_generates_a_valid_notebook(spec):
    structural = [p for p in spec.parameters if p.stage == "template"]
    for combo in itertools.product(*[p.choices for p in structural]):
        for language in ("en", "ko"):
            for profile in ("smoke", "default", "full"):
                values = resolve_parameters(spec, profile=profile,
                                            overrides={p.name: str(v) for p, v in zip(structural, combo)})
                nb = render_notebook(spec, values, language=language, profile=profile)
                nbformat.validate(nb)
                params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
                assert len(params) == 1
                for p in spec.parameters:
                    if p.stage == "run":
                        assert f"{p.name} = {values[p.name]!r}" in params[0].source
                ids = [c.id for c in nb.cells]
                assert len(set(ids)) == len(ids)
                assert nb.metadata.kernelspec.name == "python3"
                assert "{%" not in "".join(c.source for c in nb.cells)  # no Jinja left behind
                # Same inputs, same bytes.
                assert notebook_bytes(nb) == notebook_bytes(render_notebook(spec, values, language=language,
                                                                             profile=profile))


def test_structure_follows_template_parameters():
    spec = next(s for s in SPECS if s.name == "autoencoder")
    code = lambda **o: "\n".join(c.source for c in render_notebook(  # noqa: E731
        spec, resolve_parameters(spec, overrides=o)).cells if c.cell_type == "code")
    assert "nn.Conv2d" in code(variant="conv") and "nn.Conv2d" not in code(variant="linear")
    assert "torch.randn_like(clean)" in code(variant="denoising") and "randn_like" not in code(variant="conv")
    assert "load_digits" in code(dataset="digits") and "mnist_data" in code(dataset="mnist")
    ko = render_notebook(spec, resolve_parameters(spec), language="ko").cells[0].source
    assert ko.startswith("# 오토인코더: 손글씨 숫자를 압축하고 PCA와 비교하기")
    gan = next(s for s in SPECS if s.name == "gan")
    gan_code = lambda **o: "\n".join(c.source for c in render_notebook(  # noqa: E731
        gan, resolve_parameters(gan, overrides=o)).cells if c.cell_type == "code")
    assert "nn.ConvTranspose2d(2 * width" in gan_code(dataset="mnist")
    assert "nn.ConvTranspose2d(2 * width" not in gan_code(dataset="digits") and "nn.Linear(8 * width, side * side)" in gan_code(
        dataset="digits")
    assert "betas=(beta1, 0.999)" in gan_code() and "lr = 0.0002" in gan_code() and "beta1 = 0.5" in gan_code()


def test_parameter_errors_say_what_is_valid():
    spec = next(s for s in SPECS if s.name == "autoencoder")
    cases = {
        ("epoch", "3"): "template 'autoencoder' has no parameter 'epoch'",
        ("epochs", "many"): "parameter 'epochs' expects an int, got 'many'",
        ("variant", "vae"): "parameter 'variant' must be one of conv, linear, denoising; got 'vae'",
    }
    for (name, value), message in cases.items():
        with pytest.raises(UsageError) as info:
            resolve_parameters(spec, overrides={name: value})
        assert info.value.problem.message == message
        assert info.value.problem.hint
    assert resolve_parameters(spec, overrides={"require_gpu": "yes", "lr": "1e-3"})["require_gpu"] is True
    with pytest.raises(UsageError):
        resolve_parameters(spec, profile="huge")


def test_cli_new_writes_and_never_overwrites(tmp_path, run):
    result = run(REPO, "notebook", "new", "autoencoder", "--profile", "smoke", "-p", "variant=linear",
                 "-o", str(tmp_path / "ae.ipynb"))
    assert result.code == 0
    nb = nbformat.read(tmp_path / "ae.ipynb", as_version=4)
    assert nb.metadata.tilbook.parameters.variant == "linear" and nb.metadata.tilbook.profile == "smoke"
    again = run(REPO, "notebook", "new", "autoencoder", "-o", str(tmp_path / "ae.ipynb"))
    assert again.code == 1 and "already exists; left untouched" in again.err
    unknown = run(REPO, "notebook", "new", "autoencodr")
    assert unknown.code == 2
    assert unknown.err == ("no notebook template 'autoencodr'\n"
                           "  hint: did you mean 'autoencoder'? templates: autoencoder, gan, style_transfer\n")
    bad = run(REPO, "notebook", "new", "autoencoder", "-p", "epochs")
    assert bad.code == 2 and bad.err.startswith("-p expects name=value, got 'epochs'")
    listing = run(REPO, "notebook", "list")
    assert listing.code == 0 and "-p variant=conv (conv|linear|denoising) [template]" in listing.out


def test_broken_spec_names_file_line_and_key(tmp_path):
    write_files(tmp_path, {"t/notebook.yml": "template: t.py\nparameters:\n  epochs: {type: integer, default: 3}\n"
                                             "  device: {default: gpu, choices: [cpu, cuda]}\n",
                           "t/t.py": "# %%\nx = 1\n"})
    with pytest.raises(TemplateError) as info:
        load_spec(tmp_path / "t", shown="t/notebook.yml")
    assert [p.format().split("\n")[0] for p in info.value.problems] == [
        "t/notebook.yml:3: parameters.epochs.type: unknown type 'integer'",
        "t/notebook.yml:4: parameters.device.default: default 'gpu' is not among the choices",
    ]


def test_template_without_parameters_cell(tmp_path):
    write_files(tmp_path, {"t/notebook.yml": "template: t.py\nparameters:\n  n: {type: int, default: 1}\n",
                           "t/t.py": "# %%\nx = 1\n"})
    spec = load_spec(tmp_path / "t")
    with pytest.raises(TemplateError) as info:
        render_notebook(spec, resolve_parameters(spec))
    assert info.value.problem.message == "no cell tagged parameters"


def test_kernel_comes_from_the_config(tmp_path):
    config = make_workspace(tmp_path, config="site_name: x\ntilbook:\n  kernel: pytorch\n"
                                             f"  notebooks_dir: {REPO / 'notebooks_src'}\n")
    spec = list_specs(config)[0]
    nb = render_notebook(spec, resolve_parameters(spec), kernel=config.tilbook.kernel)
    assert nb.metadata.kernelspec == {"name": "pytorch", "display_name": "pytorch", "language": "python"}


def test_jsonschemas_iri_grammars_load_when_an_iri_is_checked_not_with_nbformat():
    """`rfc3987_syntax` (installed with jupyter_server, as in the test extras) builds its
    grammars on import: 0.76 s of importing nbformat. tilbook defers it to the first IRI
    check, which still answers as jsonschema's own would."""
    import importlib.util
    import subprocess
    import sys

    assert importlib.util.find_spec("rfc3987_syntax"), "the test extras install jupyter_server, which brings it"
    script = (
        "import sys, tilbook.notebooks, nbformat, jsonschema\n"
        "print('helpers' if 'rfc3987_syntax.syntax_helpers' in sys.modules else 'deferred')\n"
        "import importlib.util; assert importlib.util.find_spec('rfc3987_syntax').origin.endswith('__init__.py')\n"
        "from jsonschema import Draft7Validator\n"
        "v = Draft7Validator({'format': 'iri'}, format_checker=Draft7Validator.FORMAT_CHECKER)\n"
        "print(v.is_valid('https://example.org/파이토치?q=1'), v.is_valid('http://exa mple.org/'))\n"
        "print('helpers' if 'rfc3987_syntax.syntax_helpers' in sys.modules else 'deferred')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["deferred", "True", "False", "helpers"]
