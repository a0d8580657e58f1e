# %% [markdown]
# # {{ title }}
#
{% if ko %}
# Gatys 등(2015)의 방법: 합성곱 신경망의 **깊은 특징**은 사진의 내용을, 특징 채널끼리의 상관관계인
# **그람 행렬**은 질감(스타일)을 담습니다. 이미지의 픽셀 자체를 변수로 두고, 콘텐츠 손실과 스타일
# 손실의 합을 L-BFGS로 줄입니다.
#
# 특징 추출기는 **이 노트북 안에서 새로 만들고**, 고정(`requires_grad=False`)한 뒤 평가 모드로 둡니다.
# 앞 셀에서 쓰던 분류기 같은 객체를 재사용하지 않습니다. 사전학습된 VGG19 가중치가 이 컴퓨터에 있으면
# 그것을 쓰고, 없으면 **학습하지 않은 무작위 합성곱 특징**을 씁니다(Ustyuzhaninov 외 2016,
# He·Wang·Hopcroft 2016이 보인, 인용할 수 있는 방법). 그때는 VGG19라고 부르지 않고 그렇게 적습니다.
{% else %}
# The method of Gatys et al. (2015): a convolutional network's **deep features** carry what a
# photo shows, and the **Gram matrices** of its feature channels carry texture (style). The
# image's pixels are the variables; L-BFGS lowers the sum of a content and a style loss.
#
# The feature extractor is **built fresh in this notebook**, frozen (`requires_grad=False`) and
# put in eval mode: never a classifier left over from an earlier cell. Pretrained VGG19 is used
# when its weights are on this machine; otherwise **random, untrained convolutional features**
# (a known method: Ustyuzhaninov et al. 2016; He, Wang & Hopcroft 2016), and then the notebook
# says so and never calls them VGG19.
{% endif %}

# %% tags=["parameters"]
content_image = ""
style_image = ""
size = 128
steps = 15
style_weight = 1000000.0
content_weight = 1.0
device = "auto"
require_gpu = False
threads = 1
seed = 0

# %%
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


{% include "device_and_seeds.py" %}

# %% [markdown]
{% if ko %}
# ## 이미지
#
# 기본값은 scikit-image에 들어 있는 고양이 사진(CC0)과 면역조직화학 염색 질감입니다. 경로를 주면 직접
# 고른 이미지를 씁니다. 둘 다 가운데를 정사각형으로 잘라 `size`로 줄입니다.
{% else %}
# ## Images
#
# By default, scikit-image's cat photo (CC0) and its immunohistochemistry stain texture; give
# paths to use your own. Both are cropped to a centred square and resized to `size`.
{% endif %}

# %%
from skimage import data, io, transform


def load_image(path, default):
    image = io.imread(path) if path else default()
    image = image.astype(np.float32) / (255.0 if image.dtype != np.float32 and image.max() > 1 else 1.0)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = image[..., :3]
    h, w = image.shape[:2]
    s = min(h, w)
    image = image[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    image = transform.resize(image, (size, size), anti_aliasing=True)
    return torch.tensor(image).permute(2, 0, 1).unsqueeze(0).float().contiguous().to(dev)


content = load_image(content_image, data.chelsea)
style = load_image(style_image, data.immunohistochemistry)
print("content", tuple(content.shape), "style", tuple(style.shape))

# %% [markdown]
{% if ko %}
# ## 특징 추출기: 여기서 새로 만든다
{% else %}
# ## The feature extractor, built here
{% endif %}

# %%
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def random_features(seed):
    """Four 3x3 convolutions with random (He-scaled) weights and average pooling between them."""
    generator = torch.Generator().manual_seed(seed)
    layers, c_in = [], 3
    for i, c_out in enumerate([64, 128, 256, 256]):
        conv = nn.Conv2d(c_in, c_out, 3, padding=1)
        with torch.no_grad():
            conv.weight.normal_(0.0, (2.0 / (9 * c_in)) ** 0.5, generator=generator)
            conv.bias.zero_()
        layers += [conv, nn.ReLU()] + ([nn.AvgPool2d(2)] if i < 3 else [])
        c_in = c_out
    return nn.Sequential(*layers), [1, 4, 7, 10], 7


def vgg19_features():
    """Pretrained VGG19's convolutional part, only if its weights file is already on disk."""
    from torchvision.models import VGG19_Weights, vgg19  # torchvision may be missing: the caller falls back

    weights = VGG19_Weights.IMAGENET1K_V1
    cached = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(weights.url))
    if not os.path.exists(cached):
        raise FileNotFoundError(cached)
    body = vgg19(weights=weights).features[:30]
    for i, layer in enumerate(body):  # max pooling loses gradients Gatys et al. keep with averages
        if isinstance(layer, nn.MaxPool2d):
            body[i] = nn.AvgPool2d(2)
    return body, [1, 6, 11, 20, 29], 22  # relu1_1 ... relu5_1 for style, relu4_2 for content


def build_feature_extractor(kind):
{% if features == "random" %}
    return random_features(seed) + ("random untrained convolutional features",)
{% else %}
    try:
        return vgg19_features() + ("VGG19 (ImageNet weights)",)
    except Exception as exc:  # no torchvision, or no weights file on this machine
{% if features == "vgg19" %}
        raise RuntimeError(f"VGG19 weights are not available here ({exc}); use features='random'") from exc
{% else %}
        fallbacks.append(f"style features: random untrained convolutions (VGG19 weights not available: {type(exc).__name__})")
        return random_features(seed) + ("random untrained convolutional features",)
{% endif %}
{% endif %}


extractor, style_layers, content_layer, extractor_name = build_feature_extractor("{{ features }}")
extractor = extractor.to(dev).eval()
for parameter in extractor.parameters():
    parameter.requires_grad_(False)
print("features:", extractor_name)


def features_of(image):
    x = (image - IMAGENET_MEAN.to(image.device)) / IMAGENET_STD.to(image.device)
    found = {}
    for i, layer in enumerate(extractor):
        x = layer(x)
        if i in style_layers or i == content_layer:
            found[i] = x
        if i >= max(style_layers + [content_layer]):
            break
    return found


def gram(f):
    b, c, h, w = f.shape
    f = f.reshape(c, h * w)
    return f @ f.t() / (c * h * w)


with torch.no_grad():
    style_grams = {i: gram(f) for i, f in features_of(style).items() if i in style_layers}
    content_target = features_of(content)[content_layer]


def losses(image):
    found = features_of(image)
    style_loss = sum(F.mse_loss(gram(found[i]), style_grams[i]) for i in style_layers)
    content_loss = F.mse_loss(found[content_layer], content_target)
    return style_loss, content_loss

# %% [markdown]
{% if ko %}
# ## 최적화 (L-BFGS)
#
# 콘텐츠 사진에서 시작해 픽셀을 직접 바꿉니다. 한 단계마다 L-BFGS가 손실을 20번까지 평가합니다.
{% else %}
# ## Optimisation (L-BFGS)
#
# Start from the content photo and change the pixels themselves; each step lets L-BFGS
# evaluate the loss up to 20 times.
{% endif %}

# %%
result = content.clone().requires_grad_(True)
optimizer = torch.optim.LBFGS([result], max_iter=20, history_size=20, line_search_fn="strong_wolfe")
with torch.no_grad():
    initial_style = losses(result)[0].item()
history = {"style": [], "content": [], "total": []}
started = time.perf_counter()
for step in range(steps):
    def closure():
        optimizer.zero_grad()
        style_loss, content_loss = losses(result)
        total = style_weight * style_loss + content_weight * content_loss
        total.backward()
        return total
    optimizer.step(closure)
    with torch.no_grad():
        result.clamp_(0, 1)
        style_loss, content_loss = losses(result)
    history["style"].append(style_weight * style_loss.item())
    history["content"].append(content_weight * content_loss.item())
    history["total"].append(history["style"][-1] + history["content"][-1])
    print(f"step {step + 1}/{steps}: style {history['style'][-1]:.4g}, content {history['content'][-1]:.4g}")
train_seconds = time.perf_counter() - started

# %% [markdown]
{% if ko %}
# ## 결과
#
# 스타일 손실이 얼마나 줄었는지, 그리고 결과가 콘텐츠 사진에 스타일 이미지보다 얼마나 가까운지
# (`content_ratio` < 1이면 가까움) 봅니다. 손실만 줄고 그림이 회색으로 변하면 실패입니다. 눈으로 확인하세요.
{% else %}
# ## Result
#
# How much the style loss fell, and whether the result stays closer to the content photo than
# the style image is (`content_ratio` < 1). A loss that drops while the picture only turns grey
# is a failure: look at it.
{% endif %}

# %%
import matplotlib.pyplot as plt

with torch.no_grad():
    final_style, final_content = (v.item() for v in losses(result))
    style_as_content = F.mse_loss(features_of(style)[content_layer], content_target).item()
style_loss_reduction = 1 - final_style / initial_style
content_ratio = final_content / style_as_content
print(f"style loss reduced by {style_loss_reduction:.4%}; content ratio {content_ratio:.3f}; {train_seconds:.1f} s")

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, values in history.items():
    ax.plot(range(1, steps + 1), values, label=name)
ax.set_yscale("log")
ax.set_xlabel("L-BFGS step")
ax.legend()
plt.show()

fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
for axis, image, name in zip(axes, [content, style, result.detach()], ["content", "style", f"result ({extractor_name})"]):
    axis.imshow(image[0].permute(1, 2, 0).clamp(0, 1).cpu().numpy())
    axis.set_title(name, fontsize=9)
    axis.axis("off")
plt.show()

# %%
metrics = {
    "style_loss_reduction": round(style_loss_reduction, 6),
    "content_ratio": round(content_ratio, 4),
    "extractor": extractor_name,
    "device": str(dev),
    "fallbacks": fallbacks,
    "train_seconds": round(train_seconds, 2),
}

{% include "emit_metrics.py" %}
