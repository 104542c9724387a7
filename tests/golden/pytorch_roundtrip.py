#!/usr/bin/env python3
"""Weight exchange with real PyTorch, both directions, for a small CNN with BatchNorm.

    /usr/bin/python3 tests/golden/pytorch_roundtrip.py make
        trains the CNN a few steps in PyTorch (so the running statistics are not their defaults),
        saves its state_dict as tests/golden/roundtrip_cnn.safetensors and its eval-mode outputs
        on fixed inputs as tests/golden/roundtrip.txt (the format of make_golden.py)
    /usr/bin/python3 tests/golden/pytorch_roundtrip.py verify FILE
        loads FILE, written by ctnn, into the same PyTorch module with load_state_dict(strict=True)
        and checks that its outputs equal those of roundtrip.txt; exit 77 without torch or
        safetensors (CTest reports a skip)

Needs python3-torch (Debian) and safetensors (PyPI: pip install safetensors).
The ctnn side is the test checkpoint/pytorch_round_trip in tests/io/test_checkpoint.cpp.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent

try:
    import torch
    from safetensors.torch import load_file, save_file
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

nn = torch.nn


def cnn():
    # ctnn: Sequential<Input<1, 8, 8>, Conv2d<{.out = 4, .kernel = 3, .padding = 1}>,
    #       BatchNorm2d<>, ReLU, MaxPool2d<{.kernel = 2}>, Conv2d<{.out = 8, .kernel = 3}>, ReLU,
    #       Flatten, Linear<10>>
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(32, 10))


def inputs():
    generator = torch.Generator().manual_seed(7)
    return torch.randn(5, 1, 8, 8, generator=generator)


def make():
    torch.manual_seed(20261122)
    net = cnn()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    for _ in range(3):
        x = torch.randn(16, 1, 8, 8)
        opt.zero_grad()
        net(x).square().mean().backward()
        opt.step()
    net.eval()
    save_file({k: v.contiguous() for k, v in net.state_dict().items()},
              str(HERE / "roundtrip_cnn.safetensors"), metadata={"format": "pt"})
    x = inputs()
    with torch.no_grad():
        y = net(x)
    with open(HERE / "roundtrip.txt", "w") as f:
        for name, t in {"x": x, "y": y}.items():
            dims = " ".join(str(d) for d in t.shape)
            vals = " ".join(f"{v:.9g}" for v in t.reshape(-1).tolist())
            f.write(f"{name} {t.dim()} {dims} {vals}\n")
    print("wrote roundtrip_cnn.safetensors and roundtrip.txt")


def verify(path):
    net = cnn()
    net.load_state_dict(load_file(path), strict=True)
    net.eval()
    with torch.no_grad():
        y = net(inputs())
    expected = None
    for line in open(HERE / "roundtrip.txt"):
        parts = line.split()
        if parts[0] == "y":
            rank = int(parts[1])
            expected = torch.tensor([float(v) for v in parts[2 + rank:]]).reshape(y.shape)
    error = (y - expected).abs().max().item()
    print(f"PyTorch loaded {path}: max |y - expected| = {error:.3g}")
    sys.exit(0 if torch.allclose(y, expected, rtol=1e-5, atol=1e-6) else 1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        make()
    elif sys.argv[1:2] == ["verify"] and len(sys.argv) == 3:
        verify(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
