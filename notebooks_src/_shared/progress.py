try:
    from tqdm.auto import tqdm
except ImportError:  # progress bars are a nicety
    def tqdm(iterable, **kwargs):
        return iterable
