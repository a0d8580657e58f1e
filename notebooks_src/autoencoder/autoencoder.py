# %% [markdown]
# # {{ title }}
#
{% if ko -%}
# 오토인코더는 입력을 작은 **잠재 코드**로 줄이는 인코더와, 그 코드에서 입력을 다시 그려 내는 디코더로
# 이루어진 신경망입니다. 정답 레이블 없이 "입력을 그대로 복원하라"는 목표만으로 학습합니다.
#
# 이 노트북은 {{ "합성곱" if variant == "conv" else ("선형(완전 연결)" if variant == "linear" else "디노이징 합성곱") }} 오토인코더를
# {{ "진짜 MNIST 손글씨 숫자(28×28)" if dataset == "mnist" else "scikit-learn의 8×8 숫자" }}로 학습하고,
# 같은 잠재 크기의 **PCA**와 처음 보는 이미지에서 복원 오차를 비교합니다. 인터넷 없이도 돌아갑니다.
{% else -%}
# An autoencoder is a network made of an encoder, which squeezes its input into a small
# **latent code**, and a decoder, which draws the input again from that code. It learns
# without labels: the only goal is to give back what it was given.
#
# This notebook trains a {{ "convolutional" if variant == "conv" else ("linear (fully connected)" if variant == "linear" else "denoising convolutional") }} autoencoder on
# {{ "real MNIST digits (28×28)" if dataset == "mnist" else "scikit-learn's 8×8 digits" }} and compares its reconstruction error with **PCA** at the
# same latent size, on images neither has seen. It runs without a network connection.
{% endif %}

# %% tags=["parameters"]
epochs = 30
batch_size = 64
lr = 0.002
latent = 8
noise = 0.3
n_train = 4000
n_test = 1000
device = "auto"
require_gpu = False
threads = 1
seed = 0

# %% [markdown]
{% include "setup_prose.md" %}

# %%
import json
import os
import random
import time

import numpy as np
import torch
from torch import nn

{% include "progress.py" %}


{% include "device_and_seeds.py" %}

# %% [markdown]
{% include "data_prose.md" %}

# %%
{% include "load_digits.py" %}


images, labels, source = load_images()
order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
images, labels = images[order], labels[order]
n_test = min(n_test, len(images) // 5)
n_train = min(n_train, len(images) - n_test)
x_test, y_test = images[:n_test], labels[:n_test]
x_pool = images[n_test:n_test + n_train]
n_val = max(1, n_train // 10)
x_val, x_train = x_pool[:n_val], x_pool[n_val:]
side = images.shape[-1]
print(f"{source}: {len(x_train)} train, {len(x_val)} validation, {len(x_test)} held out, {side}x{side}")

# %% [markdown]
{% if ko -%}
# ## 모델
{% else -%}
# ## Model
{% endif %}

# %%
class AutoEncoder(nn.Module):
    def __init__(self, side, latent):
        super().__init__()
{% if variant == "linear" %}
        pixels = side * side
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 256), nn.ReLU(), nn.Linear(256, latent))
        self.decoder = nn.Sequential(nn.Linear(latent, 256), nn.ReLU(), nn.Linear(256, pixels), nn.Sigmoid(),
                                     nn.Unflatten(1, (1, side, side)))
{% else %}
        small = side // 4  # two stride-2 convolutions
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * small * small, latent),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, 64 * small * small), nn.ReLU(), nn.Unflatten(1, (64, small, small)),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )
{% endif %}

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder(side, latent).to(dev)
print(model)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
{% if ko -%}
# ## 학습
#
# 4,000장은 금방 외워 버리므로(과적합), 검증 이미지의 오차가 가장 낮았던 에폭의 가중치를 남깁니다.
{% if variant == "denoising" %}
# 디노이징 변형은 **입력에만** 노이즈를 더하고, 목표는 깨끗한 원본으로 둡니다.
{% endif %}
{% else -%}
# ## Training
#
# A network this size memorises 4,000 images (it overfits), so we keep the weights of the
# epoch with the lowest validation error.
{% if variant == "denoising" %}
# The denoising variant adds noise to the **input only**; the target stays the clean image.
{% endif %}
{% endif %}

# %%
def mse(model, x):
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i:i + 512].to(dev)).cpu() for i in range(0, len(x), 512)])
    return torch.mean((out - x) ** 2).item()


optimizer = torch.optim.Adam(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs))
history = {"train": [], "validation": []}
best = (float("inf"), None, 0)
started = time.perf_counter()
for epoch in tqdm(range(epochs), desc="epochs"):
    model.train()
    total = 0.0
    for batch in torch.randperm(len(x_train)).split(batch_size):
        clean = x_train[batch].to(dev)
{% if variant == "denoising" %}
        noisy = (clean + noise * torch.randn_like(clean)).clamp(0, 1)
        loss = torch.mean((model(noisy) - clean) ** 2)
{% else %}
        loss = torch.mean((model(clean) - clean) ** 2)
{% endif %}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    scheduler.step()
    history["train"].append(total / len(x_train))
    history["validation"].append(mse(model, x_val))
    if history["validation"][-1] < best[0]:
        best = (history["validation"][-1], {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch + 1)
train_seconds = time.perf_counter() - started
model.load_state_dict(best[1])
print(f"best epoch {best[2]} of {epochs}, validation MSE {best[0]:.4f}, {train_seconds:.1f} s")

# %% [markdown]
{% if ko -%}
# ## 같은 잠재 크기의 PCA와 비교
#
# PCA는 공분산이 가장 큰 방향 `latent`개로 투영했다가 되돌립니다. 선형이라 빠르고 튼튼한 기준선입니다.
{% else -%}
# ## Against PCA with as many components
#
# PCA projects onto the `latent` directions of largest variance and back: a fast, linear and
# hard-to-beat baseline.
{% endif %}

# %%
from sklearn.decomposition import PCA

flat_train = x_pool.reshape(len(x_pool), -1).numpy()
flat_test = x_test.reshape(len(x_test), -1).numpy()
pca = PCA(n_components=latent, random_state=seed).fit(flat_train)
pca_test_mse = float(np.mean((pca.inverse_transform(pca.transform(flat_test)) - flat_test) ** 2))
test_mse = mse(model, x_test)
print(f"held-out MSE: autoencoder {test_mse:.4f}, PCA({latent}) {pca_test_mse:.4f} "
      f"({(1 - test_mse / pca_test_mse) * 100:+.0f}% for the autoencoder)")

# %% [markdown]
{% if ko -%}
# ## 그림: 손실 곡선, 복원, 잠재 공간
{% else -%}
# ## Pictures: loss curves, reconstructions, latent space
{% endif %}

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, epochs + 1), history["train"], label="train")
ax.plot(range(1, epochs + 1), history["validation"], label="validation")
ax.axhline(pca_test_mse, color="grey", linestyle="--", label=f"PCA({latent}), held out")
ax.set_xlabel("epoch")
ax.set_ylabel("MSE")
ax.legend()
plt.show()

model.eval()
with torch.no_grad():
    shown = x_test[:10]
    recon = model(shown.to(dev)).cpu()
    pca_recon = torch.tensor(pca.inverse_transform(pca.transform(shown.reshape(10, -1).numpy()))).reshape_as(shown)
fig, axes = plt.subplots(3, 10, figsize=(10, 3.3))
for i in range(10):
    for row, (img, name) in enumerate([(shown, "input"), (recon, "autoencoder"), (pca_recon, "PCA")]):
        axes[row, i].imshow(img[i, 0].clamp(0, 1), cmap="gray")
        axes[row, i].axis("off")
        if i == 0:
            axes[row, i].set_title(name, fontsize=8, loc="left")
plt.show()

with torch.no_grad():
    codes = torch.cat([model.encoder(x_test[i:i + 512].to(dev)).cpu() for i in range(0, len(x_test), 512)]).numpy()
points = codes if latent == 2 else PCA(n_components=2, random_state=seed).fit_transform(codes)
fig, ax = plt.subplots(figsize=(5, 4.5))
scatter = ax.scatter(points[:, 0], points[:, 1], c=y_test.numpy(), cmap="tab10", s=6)
ax.legend(*scatter.legend_elements(), title="digit", fontsize=7, loc="best")
ax.set_title("latent codes" + ("" if latent == 2 else f" ({latent}-D, drawn on their first 2 principal axes)"))
plt.show()

# %% [markdown]
{% include "metrics_prose.md" %}

# %%
metrics = {
    "test_mse": round(test_mse, 6),
    "pca_test_mse": round(pca_test_mse, 6),
    "improvement_over_pca": round(1 - test_mse / pca_test_mse, 4),
    "best_epoch": best[2],
    "data": source,
    "device": str(dev),
    "fallbacks": fallbacks,
    "train_seconds": round(train_seconds, 2),
}

{% include "emit_metrics.py" %}
