#!/usr/bin/env bash
# Run every notebook template's `full` profile on a CUDA machine and print its metrics and
# time per epoch. Budget: at most 8 minutes on one recent GPU (each notebook is cut off at
# 200 s). Needs the test extra installed (torch with CUDA on that machine, nbclient,
# ipykernel, mlxtend, scikit-image, scipy):
#
#     python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'
#     bash bench/gpu_full.sh
#
# Real MNIST (torchvision) and VGG19 weights are used when their files are on the machine;
# otherwise the offline fallbacks run and the metrics' `fallbacks` say so.
set -euo pipefail
cd "$(dirname "$0")/.."
python - <<'PY'
import torch
assert torch.cuda.is_available(), "no CUDA device visible: the full profiles need one"
print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
PY
status=0
for name in autoencoder gan style_transfer; do
    timeout 200 python bench/notebooks.py "$name" --profile full --limit 200 || status=1
done
exit $status
