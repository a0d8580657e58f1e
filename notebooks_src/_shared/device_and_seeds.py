def pick_device(wanted):
    if wanted == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(wanted)


dev = pick_device(device)
if require_gpu and dev.type == "cpu":
    raise RuntimeError("require_gpu is set but no GPU is visible to this kernel "
                       "(torch.cuda.is_available() is False): check the kernel's env with `tilbook doctor`")
torch.set_num_threads(max(1, threads))
random.seed(seed)
np.random.seed(seed)
torch.manual_seed(seed)
fallbacks = []
print(f"device: {dev}" + (f" ({torch.cuda.get_device_name(dev)})" if dev.type == "cuda" else "")
      + f", torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
