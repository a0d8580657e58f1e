from IPython.display import display

display({"application/vnd.tilbook.metrics+json": metrics, "text/plain": json.dumps(metrics, indent=1)}, raw=True)
