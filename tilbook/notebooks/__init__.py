"""Stage 3: notebook templates (`notebooks_src/NAME/`) → Jupyter notebooks."""
