"""Stage 1: `mkdocs.yml` → `Config`."""

from tilbook.config.load import find_config, load_config, parse_config
from tilbook.config.model import Config, MarkdownExtension, Theme, TilbookSettings

__all__ = ["Config", "MarkdownExtension", "Theme", "TilbookSettings", "find_config", "load_config", "parse_config"]
