"""Slugs: the URL-safe name of an entry, tag or category."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=8192)  # the same tags and categories are slugified for every entry that has them
def slugify(text: str) -> str:
    """URL slug that keeps Hangul and other letters: NFC, lower case, runs of other chars → '-'.

    `"[PyTorch] 모델 학습, torch.optim"` → `"pytorch-모델-학습-torch-optim"`. May be empty.
    """
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w]+|_+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-")
