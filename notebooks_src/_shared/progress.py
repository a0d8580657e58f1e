import warnings

try:
    with warnings.catch_warnings():
        # Without ipywidgets, tqdm falls back to text bars (what a saved run wants anyway) and
        # warns on stderr, a warning that would land, with this machine's paths, in every run.
        warnings.filterwarnings("ignore", message="IProgress not found")
        from tqdm.auto import tqdm
except ImportError:  # progress bars are a nicety
    def tqdm(iterable, **kwargs):
        return iterable
