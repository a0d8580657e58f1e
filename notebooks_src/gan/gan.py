# %% [markdown]
# # {{ title }}
#
{% if ko -%}
# GAN(생성적 적대 신경망)은 두 신경망의 시합입니다. **생성자**는 무작위 노이즈에서 이미지를 그리고,
# **판별자**는 진짜 이미지와 생성자가 그린 이미지를 가려냅니다. 판별자를 속이려고 애쓰는 사이에
# 생성자는 진짜 같은 숫자를 그리게 됩니다.
#
# 이 노트북은 {{ "진짜 MNIST 손글씨 숫자(28×28)로 DCGAN을" if dataset == "mnist" else "scikit-learn의 8×8 숫자로 MLP GAN을" }} 학습합니다.
# 손실 값만으로는 GAN이 잘 배우는지 알 수 없으므로, **진짜 숫자로 따로 학습한 분류기**로 샘플을 채점합니다:
# 분류기가 샘플을 얼마나 확신하는지, 열 개 숫자가 고루 나오는지, 분류기의 특징 공간에서 진짜 숫자와
# 얼마나 떨어져 있는지(프레셰 거리)입니다. 인터넷 없이도 돌아갑니다.
{% else -%}
# A GAN (generative adversarial network) is a contest between two networks. The
# **generator** draws images from random noise; the **discriminator** tells real images from
# the generator's. Trying to fool the discriminator, the generator learns to draw digits that
# look real.
#
# This notebook trains {{ "a DCGAN on real MNIST digits (28×28)" if dataset == "mnist" else "an MLP GAN on scikit-learn's 8×8 digits" }}.
# Its losses alone do not say whether a GAN learns, so a **classifier trained separately on
# real digits** judges the samples: how confident it is about them, whether all ten digits
# appear, and how far they sit from real digits in the classifier's feature space (a Fréchet
# distance). It runs without a network connection.
{% endif %}

# %% tags=["parameters"]
epochs = 25
batch_size = 32
lr = 0.0002
beta1 = 0.5
z_dim = 64
width = 16
ema = 0.999
judge_epochs = 12
n_train = 4000
n_test = 1000
n_samples = 1000
device = "auto"
require_gpu = False
threads = 1
seed = 0

# %% [markdown]
{% include "setup_prose.md" %}
{% if ko -%}
#
# GPU에서는 bfloat16 자동 혼합 정밀도를 켭니다(지원하는 GPU에서만). 데이터는 작아서 통째로 장치에
# 올려 두므로, 배치마다 복사하는 데 쓰는 고정(pinned) 메모리는 필요 없습니다. 이미지와 합성곱 가중치는
# 채널을 마지막에 두는 배치(channels_last, NHWC)로 둡니다. CPU(oneDNN)와 CUDA(cuDNN)의 합성곱이 이 배치에서
# 더 빠릅니다(여기 CPU에서 에폭당 10–20%). MPS에서는 기본 배치를 씁니다.
{% else -%}
#
# On a GPU, bfloat16 autocast is on (where the GPU supports it). The data is small enough to
# live on the device whole, so there are no per-batch copies for pinned memory to speed up.
# Images and convolution weights are kept channels-last (NHWC), the layout in which oneDNN
# (CPU) and cuDNN (CUDA) convolve fastest: 10–20% per epoch on this CPU. MPS keeps the default.
{% endif %}

# %%
import copy
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

{% include "progress.py" %}


{% include "device_and_seeds.py" %}
amp = dev.type == "cuda" and torch.cuda.is_bf16_supported()
layout = torch.contiguous_format if dev.type == "mps" else torch.channels_last


def autocast():
    return torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=amp)

# %% [markdown]
{% include "data_prose.md" %}
{% if ko -%}
#
# 생성자의 마지막 층이 `tanh`이므로 픽셀을 [-1, 1]로 옮깁니다. 처음 보는 진짜 숫자(`x_test`)는 학습에
# 쓰지 않고 채점의 기준으로만 씁니다.
{% else -%}
#
# The generator ends in `tanh`, so pixels move to [-1, 1]. The held-out real digits
# (`x_test`) are never trained on: they are the reference the samples are judged against.
{% endif %}

# %%
{% include "load_digits.py" %}


images, labels, source = load_images()
order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
images, labels = images[order] * 2 - 1, labels[order]
n_test = min(n_test, len(images) // 5)
n_train = min(n_train, len(images) - n_test)
x_test, y_test = images[:n_test], labels[:n_test]
x_train, y_train = images[n_test:n_test + n_train].to(dev, memory_format=layout), labels[n_test:n_test + n_train].to(dev)
side = images.shape[-1]
print(f"{source}: {len(x_train)} train, {len(x_test)} held out, {side}x{side}")

# %% [markdown]
{% if ko -%}
# ## 채점할 분류기
#
# GAN과 상관없이, 진짜 학습 숫자로 작은 분류기를 먼저 학습합니다. 이 분류기의 끝에서 두 번째 층(128차원)이
# 프레셰 거리를 재는 특징 공간입니다. Inception 네트워크로 재는 FID와 같은 계산이지만 특징이 다르므로
# FID라고 부르지 않습니다. 학습률을 올렸다 내리는 one-cycle 일정으로, 처음 보는 진짜 숫자에 대한
# 정확도가 더 오르지 않을 때까지(여기서는 12에폭쯤) 학습합니다. 더 오래 학습하면 정확도는 그대로인데
# 확신도만 올라가, 샘플 점수가 부풀려집니다. 진짜 숫자에 대한 정확도와 확신도를 함께 적어 두면, 샘플
# 점수를 읽을 때 기준이 됩니다.
{% else -%}
# ## The judge
#
# Independently of the GAN, a small classifier learns the real training digits first. Its
# next-to-last layer (128 values) is the feature space of the Fréchet distance: the same
# computation as FID, but not Inception's features, so we do not call it FID. It trains with a
# one-cycle learning-rate schedule until its accuracy on held-out real digits stops rising
# (about 12 epochs here): trained longer, it only grows more confident, not more accurate,
# and that would inflate the samples' score. Its accuracy and confidence on real held-out
# digits are the yardstick for the scores of the samples.
{% endif %}

# %%
class Judge(nn.Module):
    def __init__(self):
        super().__init__()
{% if dataset == "mnist" %}
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
        )
{% else %}
        self.features = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
{% endif %}
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(self.features(x))


def in_batches(fn, x, size=500):
    with torch.no_grad():
        return torch.cat([fn(x[i:i + size].to(dev)).float().cpu() for i in range(0, len(x), size)])


judge = Judge().to(dev, memory_format=layout)
judge_opt = torch.optim.Adam(judge.parameters(), lr=2e-3)
judge_schedule = torch.optim.lr_scheduler.OneCycleLR(judge_opt, max_lr=2e-3, total_steps=max(1, judge_epochs * ((len(x_train) + 127) // 128)))
for _ in range(judge_epochs):
    judge.train()
    for batch in torch.randperm(len(x_train), device=dev).split(128):
        loss = F.cross_entropy(judge(x_train[batch]), y_train[batch])
        judge_opt.zero_grad()
        loss.backward()
        judge_opt.step()
        judge_schedule.step()
judge.eval().requires_grad_(False)
real_probs = in_batches(lambda x: F.softmax(judge(x), 1), x_test)
judge_accuracy = (real_probs.argmax(1) == y_test).float().mean().item()
real_confidence = real_probs.max(1).values.mean().item()
print(f"judge: {judge_accuracy:.1%} accurate on held-out real digits, mean confidence {real_confidence:.3f}")

# %% [markdown]
{% if ko -%}
# ## 생성자와 판별자
{% if dataset == "mnist" %}
# DCGAN(Radford 외, 2015)의 설계를 따릅니다: 생성자는 전치 합성곱으로 7×7을 14×14, 28×28로 키우고,
# 판별자는 보폭 2 합성곱으로 줄입니다. 배치 정규화, 판별자의 LeakyReLU(0.2), 평균 0·표준편차 0.02의
# 가중치 초기화도 논문대로입니다.
{% else %}
# 8×8 이미지는 작아서 합성곱 없이 완전 연결층(MLP)만으로 충분합니다.
{% endif %}
{% else -%}
# ## Generator and discriminator
{% if dataset == "mnist" %}
# The DCGAN recipe (Radford et al., 2015): the generator grows 7×7 to 14×14 to 28×28 with
# transposed convolutions, the discriminator shrinks with stride-2 convolutions; batch norm,
# LeakyReLU(0.2) in the discriminator and weights drawn from N(0, 0.02), as in the paper.
{% else %}
# 8×8 images are small enough for fully connected layers (an MLP), no convolutions.
{% endif %}
{% endif %}

# %%
{% if dataset == "mnist" %}
generator = nn.Sequential(
    nn.Linear(z_dim, 2 * width * 7 * 7, bias=False), nn.BatchNorm1d(2 * width * 7 * 7), nn.ReLU(),
    nn.Unflatten(1, (2 * width, 7, 7)),
    nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
    nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1), nn.Tanh(),
).to(dev, memory_format=layout)
discriminator = nn.Sequential(
    nn.Conv2d(1, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
    nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
    nn.Flatten(), nn.Linear(2 * width * 7 * 7, 1),
).to(dev, memory_format=layout)
{% else %}
generator = nn.Sequential(
    nn.Linear(z_dim, 4 * width), nn.BatchNorm1d(4 * width), nn.ReLU(),
    nn.Linear(4 * width, 8 * width), nn.BatchNorm1d(8 * width), nn.ReLU(),
    nn.Linear(8 * width, side * side), nn.Tanh(), nn.Unflatten(1, (1, side, side)),
).to(dev)
discriminator = nn.Sequential(
    nn.Flatten(), nn.Linear(side * side, 8 * width), nn.LeakyReLU(0.2),
    nn.Linear(8 * width, 4 * width), nn.LeakyReLU(0.2), nn.Linear(4 * width, 1),
).to(dev)
{% endif %}


def dcgan_init(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


generator.apply(dcgan_init)
discriminator.apply(dcgan_init)
print(f"generator {sum(p.numel() for p in generator.parameters()):,} parameters, "
      f"discriminator {sum(p.numel() for p in discriminator.parameters()):,}")

# %% [markdown]
{% if ko -%}
# ## 학습
#
# 한 단계마다 판별자를 먼저(진짜는 1 대신 0.9로: 한쪽 레이블 평활화), 그다음 생성자를 학습합니다. 생성자는
# "판별자가 진짜라고 하도록" 학습합니다(포화하지 않는 손실). 생성자 단계에서는 판별자의 가중치를
# 얼려 둡니다(`requires_grad_(False)`): 그 기울기는 어차피 버려지므로 계산하지 않습니다. 두 손실은
# 서로 싸우므로 내려가기만 하지 않습니다: 손실 곡선은 시합이 한쪽으로 무너지지 않았는지를 보여 줄 뿐입니다.
#
# 채점하는 샘플은 생성자 가중치의 **지수 이동 평균**(`ema`)으로 그립니다. 긴 학습에서는 매 단계 흔들리는
# 생성자보다 평균 낸 생성자가 더 깨끗한 숫자를 그린다고 알려져 있습니다(Yazıcı 외, 2019). 배치 정규화
# 통계는 평균 낸 가중치로 다시 잽니다(BigGAN의 방법). 이 짧은 CPU 학습에서는 차이가 작으니, 마지막에
# 출력되는 평균 내지 않은 생성자의 점수와 비교해 보세요. 에폭마다 같은 노이즈(`fixed_z`)로 그린 격자를
# 남겨, 같은 숫자가 어떻게 또렷해지는지 볼 수 있습니다.
{% else -%}
# ## Training
#
# Each step trains the discriminator first (real labels are 0.9, not 1: one-sided label
# smoothing), then the generator, which learns to make the discriminator say "real" (the
# non-saturating loss). During the generator's step the discriminator's weights are frozen
# (`requires_grad_(False)`): their gradients would be thrown away, so they are not computed.
# The two losses fight each other, so neither simply goes down: the curves only show that
# the contest has not collapsed to one side.
#
# The judged samples come from an **exponential moving average** of the generator's weights
# (`ema`): over long runs an averaged generator draws cleaner digits than the one that jitters
# at every step (Yazıcı et al., 2019). Its batch-norm statistics are measured again for the
# averaged weights, as BigGAN does. In this short CPU run the difference is small: compare
# with the raw generator's scores printed at the end. Each epoch draws a grid from the same
# noise (`fixed_z`), so you can watch the same digits sharpen.
{% endif %}

# %%
def standing_statistics(gen, batches=4):
    """Batch-norm statistics measured for these weights (the running ones belong to the
    generator in training, not to its average): as BigGAN does for its averaged generator."""
    gen.train()
    for module in gen.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.reset_running_stats()
            module.momentum = None  # a plain mean over the batches below
    with torch.no_grad(), autocast():
        for _ in range(batches):
            gen(torch.randn(256, z_dim, device=dev))
    gen.eval()


def judge_samples(gen, z):
    gen.eval()
    with autocast():
        fakes = in_batches(gen, z)
    probs = in_batches(lambda x: F.softmax(judge(x), 1), fakes)
    share = torch.bincount(probs.argmax(1), minlength=10).float() / len(probs)
    return fakes, probs.max(1).values.mean().item(), int((share >= 0.03).sum())


def adam(net):
    """Adam, in its fused form (one kernel for all of a network's weights, not a dozen small
    ones per weight) where this torch has one for the device: torch 2.4+ on CPU."""
    try:
        return torch.optim.Adam(net.parameters(), lr=lr, betas=(beta1, 0.999), fused=True)
    except RuntimeError:
        return torch.optim.Adam(net.parameters(), lr=lr, betas=(beta1, 0.999))


g_opt, d_opt = adam(generator), adam(discriminator)
averaged = copy.deepcopy(generator).requires_grad_(False)
noise = torch.Generator(device=dev).manual_seed(seed)
fixed_z = torch.randn(80, z_dim, device=dev, generator=noise)
watch_z = torch.randn(500, z_dim, device=dev, generator=noise)
history = {"d_loss": [], "g_loss": [], "confidence": [], "coverage": []}
grids = []
steps = 0
started = time.perf_counter()
for epoch in tqdm(range(epochs), desc="epochs"):
    generator.train()
    discriminator.train()
    d_total = g_total = 0.0
    for batch in torch.randperm(len(x_train), device=dev).split(batch_size):
        real = x_train[batch]
        z = torch.randn(len(batch), z_dim, device=dev)
        with autocast():
            fake = generator(z)
            real_logits = discriminator(real)
            fake_logits = discriminator(fake.detach())
            d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, 0.9))
                      + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        discriminator.requires_grad_(False)  # the generator's step needs no gradients for D's weights
        with autocast():
            fooled = discriminator(fake)
            g_loss = F.binary_cross_entropy_with_logits(fooled, torch.ones_like(fooled))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        discriminator.requires_grad_(True)
        steps += 1
        decay = min(ema, (1 + steps) / (10 + steps))  # a short memory while there is little to average
        with torch.no_grad():
            for mine, theirs in zip(averaged.parameters(), generator.parameters()):
                mine.lerp_(theirs, 1 - decay)
        d_total += d_loss.detach().float() * len(batch)  # summed on the device: no wait for the GPU per step
        g_total += g_loss.detach().float() * len(batch)
    history["d_loss"].append(float(d_total) / len(x_train))
    history["g_loss"].append(float(g_total) / len(x_train))
    standing_statistics(averaged)
    _, confidence, coverage = judge_samples(averaged, watch_z)
    history["confidence"].append(confidence)
    history["coverage"].append(coverage)
    averaged.eval()
    with torch.no_grad(), autocast():
        grids.append(averaged(fixed_z).float().cpu())
train_seconds = time.perf_counter() - started
print(f"{epochs} epochs in {train_seconds:.1f} s; last epoch: D loss {history['d_loss'][-1]:.3f}, "
      f"G loss {history['g_loss'][-1]:.3f}, judge confidence {history['confidence'][-1]:.3f}, "
      f"{history['coverage'][-1]} of 10 classes")

# %% [markdown]
{% if ko -%}
# ## 채점: 확신도, 클래스 수, 프레셰 거리
#
# 새 노이즈로 `n_samples`장을 그려 분류기에 보입니다.
# - **확신도**: 분류기가 가장 높게 준 확률의 평균. 흐릿하거나 두 숫자 사이인 샘플은 낮아집니다.
# - **클래스 수**: 샘플의 3% 이상을 차지한 숫자의 수(10개 중). 생성자가 몇 숫자만 그리는 **모드 붕괴**를 잡아냅니다.
# - **프레셰 거리 비**: 분류기 특징의 평균과 공분산으로 잰 샘플과 진짜 숫자 사이의 거리를, 진짜 학습 숫자와 진짜
#   숫자 사이의 거리(표본이 달라서 생기는 바닥값)로 나눈 값. 1이면 진짜와 구별되지 않는다는 뜻입니다.
{% else -%}
# ## Judging: confidence, coverage, Fréchet distance
#
# `n_samples` images drawn from fresh noise are shown to the judge.
# - **Confidence**: the mean of the judge's top probability. Blurry samples, or ones halfway
#   between two digits, pull it down.
# - **Coverage**: how many digits make up at least 3% of the samples (of 10). It catches
#   **mode collapse**, a generator that draws only a few digits.
# - **Fréchet ratio**: the distance between samples and real digits, from the mean and
#   covariance of the judge's features, divided by the distance between two sets of real
#   digits (the floor that sampling alone gives). 1 means indistinguishable from real.
{% endif %}

# %%
def frechet(a, b):
    """|mean_a - mean_b|² + Tr(cov_a + cov_b - 2 (cov_a cov_b)^½). The trace of that square
    root is the sum of the square roots of the eigenvalues of cov_a cov_b (real and ≥ 0 for
    two covariance matrices), so no matrix square root is needed: scipy's sqrtm warns and
    loses accuracy when features that are always 0 (ReLU) make the covariances singular."""
    a, b = a.double().numpy(), b.double().numpy()
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    roots = np.sqrt(np.clip(np.linalg.eigvals(cov_a @ cov_b).real, 0, None)).sum()
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * roots)


samples, classifier_confidence, class_coverage = judge_samples(averaged, torch.randn(n_samples, z_dim, device=dev))
test_features = in_batches(judge.features, x_test)
floor = frechet(in_batches(judge.features, x_train[:len(x_test)]), test_features)
frechet_samples = frechet(in_batches(judge.features, samples), test_features)
frechet_ratio = frechet_samples / floor
_, raw_confidence, raw_coverage = judge_samples(generator, torch.randn(n_samples, z_dim, device=dev))
print(f"samples: judge confidence {classifier_confidence:.3f} (real digits: {real_confidence:.3f}), "
      f"{class_coverage} of 10 classes, Fréchet {frechet_samples:.2f} = {frechet_ratio:.1f}x the real-vs-real floor "
      f"{floor:.2f}")
print(f"the raw (not averaged) generator: confidence {raw_confidence:.3f}, {raw_coverage} of 10 classes")

# %% [markdown]
{% if ko -%}
# ## 그림: 손실, 점수, 에폭마다의 고정 노이즈 격자, 최종 샘플
{% else -%}
# ## Pictures: losses, scores, the fixed-noise grid epoch by epoch, final samples
{% endif %}

# %%
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(range(1, epochs + 1), history["d_loss"], label="discriminator")
left.plot(range(1, epochs + 1), history["g_loss"], label="generator")
left.set_xlabel("epoch")
left.set_ylabel("BCE loss")
left.legend()
right.plot(range(1, epochs + 1), history["confidence"], color="tab:green", label="judge confidence")
right.axhline(real_confidence, color="grey", linestyle="--", label="on real digits")
right.set_xlabel("epoch")
right.set_ylim(0, 1)
right.legend(loc="lower right")
plt.show()


def show_grid(batch, rows, title):
    """The images as one picture, `rows` high, a grey line between them (one image drawn,
    not a subplot per digit)."""
    cols, side = len(batch) // rows, batch.shape[-1]
    tiles = F.pad(batch[:rows * cols, 0].clamp(-1, 1), (1, 1, 1, 1), value=0.0)
    picture = tiles.reshape(rows, cols, side + 2, side + 2).permute(0, 2, 1, 3).reshape(rows * (side + 2), cols * (side + 2))
    fig, ax = plt.subplots(figsize=(cols * 0.6, rows * 0.6 + 0.4))
    ax.imshow(picture, cmap="gray", vmin=-1, vmax=1)
    ax.axis("off")
    ax.set_title(title, fontsize=9)
    plt.show()


# One row per epoch (at most 12 rows, evenly spaced), the same 10 noise vectors in each row.
shown = sorted({round(i * (epochs - 1) / 11) for i in range(12)}) if epochs > 12 else list(range(epochs))
show_grid(torch.cat([grids[e][:10] for e in shown]), len(shown),
          "fixed noise, epochs " + ", ".join(str(e + 1) for e in shown))
show_grid(grids[-1], 8, f"epoch {epochs}: 80 samples from fixed noise")

# %% [markdown]
{% include "metrics_prose.md" %}

# %%
metrics = {
    "classifier_confidence": round(classifier_confidence, 4),
    "class_coverage": class_coverage,
    "frechet_ratio": round(frechet_ratio, 3),
    "frechet_floor": round(floor, 4),
    "judge_accuracy": round(judge_accuracy, 4),
    "judge_confidence_on_real": round(real_confidence, 4),
    "raw_generator_confidence": round(raw_confidence, 4),
    "data": source,
    "device": str(dev),
    "fallbacks": fallbacks,
    "train_seconds": round(train_seconds, 2),
}

{% include "emit_metrics.py" %}
