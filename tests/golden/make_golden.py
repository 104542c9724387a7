#!/usr/bin/env python3
"""Writes the golden values the C++ tests compare with: inputs, parameters, outputs and gradients
computed by PyTorch (Debian's python3-torch) in float32.

    /usr/bin/python3 tests/golden/make_golden.py     # rewrites tests/golden/*.txt

Format, one tensor per line:  name rank d0 d1 ... v0 v1 ...   (values with 9 significant digits,
which round-trip float32). The backward passes use an upstream gradient `g` (loss = sum(y * g)).
"""
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parent
torch.manual_seed(20261122)


def write(path, tensors):
    with open(OUT / path, "w") as f:
        for name, t in tensors.items():
            t = t.detach().to(torch.float32).contiguous()
            dims = " ".join(str(d) for d in t.shape)
            vals = " ".join(f"{v:.9g}" for v in t.reshape(-1).tolist())
            f.write(f"{name} {t.dim()} {dims} {vals}\n")


def linear_case(prefix, in_f, out_f, batch, bias):
    layer = torch.nn.Linear(in_f, out_f, bias=bias)
    x = torch.randn(batch, in_f, requires_grad=True)
    g = torch.randn(batch, out_f)
    y = layer(x)
    (y * g).sum().backward()
    t = {f"{prefix}.x": x, f"{prefix}.weight": layer.weight, f"{prefix}.g": g, f"{prefix}.y": y,
         f"{prefix}.dx": x.grad, f"{prefix}.dweight": layer.weight.grad}
    if bias:
        t[f"{prefix}.bias"] = layer.bias
        t[f"{prefix}.dbias"] = layer.bias.grad
    return t


def linear():
    t = {}
    t.update(linear_case("b4", 5, 3, 4, True))
    t.update(linear_case("b1", 7, 4, 1, True))
    t.update(linear_case("nobias", 6, 2, 7, False))
    write("linear.txt", t)


def activations():
    t = {}
    # Ordinary values, exact zeros (ReLU's kink: PyTorch's derivative there is 0) and large
    # magnitudes (sigmoid's and tanh's saturation).
    x = torch.cat([torch.randn(3, 6), torch.tensor([[0.0, -0.0, 30.0, -30.0, 90.0, -90.0]])])
    g = torch.randn(4, 6)
    for name, fn in [("relu", torch.nn.ReLU()), ("sigmoid", torch.nn.Sigmoid()), ("tanh", torch.nn.Tanh())]:
        xi = x.clone().requires_grad_(True)
        y = fn(xi)
        (y * g).sum().backward()
        t[f"{name}.y"] = y
        t[f"{name}.dx"] = xi.grad
    t["x"] = x
    t["g"] = g
    write("activations.txt", t)


def mse():
    p = torch.randn(4, 3, requires_grad=True)
    target = torch.randn(4, 3)
    t = {"prediction": p, "target": target}
    for reduction in ["mean", "sum"]:
        pi = p.detach().clone().requires_grad_(True)
        loss = torch.nn.MSELoss(reduction=reduction)(pi, target)
        loss.backward()
        t[f"{reduction}.loss"] = loss.reshape(1)
        t[f"{reduction}.grad"] = pi.grad
    write("mse.txt", t)


def mlp():
    # The layer numbering and names of nn.Sequential are the ones ctnn uses.
    net = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4),
                              torch.nn.Tanh(), torch.nn.Linear(4, 2), torch.nn.Sigmoid())
    x = torch.randn(3, 6, requires_grad=True)
    target = torch.rand(3, 2)
    t = {"x": x, "target": target}
    for name, p in net.state_dict().items():
        t[name] = p.clone()  # state_dict shares storage: keep the values before the step
    y = net(x)
    loss = torch.nn.MSELoss()(y, target)
    loss.backward()
    t["y"] = y
    t["loss"] = loss.reshape(1)
    t["dx"] = x.grad
    for name, p in net.named_parameters():
        t[f"grad.{name}"] = p.grad
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    opt.step()
    for name, p in net.named_parameters():
        t[f"after_step.{name}"] = p
    write("mlp.txt", t)


def sequential_case(t, prefix, net, x, int_input=False):
    """Forward and backward of nn.Sequential `net` on x with a random upstream gradient; keys are
    prefix.x, prefix.g, prefix.y, prefix.dx, prefix.<state_dict name>, prefix.grad.<name>.
    Inputs and parameters are float32 values, but PyTorch computes in float64: the reference then
    carries no float32 rounding of its own (deep composites accumulate ~1e-5 of it), and the
    tests measure ctnn's float error alone."""
    net.double()
    if not int_input:
        x = x.to(torch.float32).double().clone().requires_grad_(True)
    buffers = dict(net.named_buffers())
    for name, p in net.state_dict().items():
        t[f"{prefix}.{name}"] = p.clone()  # before the forward: it updates running statistics
    y = net(x)
    g = torch.randn_like(y).to(torch.float32).double()
    (y * g).sum().backward()
    t[f"{prefix}.x"] = x.to(torch.float32)
    t[f"{prefix}.g"] = g
    t[f"{prefix}.y"] = y
    if not int_input:
        t[f"{prefix}.dx"] = x.grad
    for name, p in net.named_parameters():
        t[f"{prefix}.grad.{name}"] = p.grad
    if buffers:
        for name, b in buffers.items():
            t[f"{prefix}.after.{name}"] = b.clone()
        net.eval()
        t[f"{prefix}.y_eval"] = net(x.detach())


def layers():
    nn = torch.nn
    t = {}
    conv_cases = [
        # name, layer, input shape (batch first)
        ("conv_s2p1", nn.Conv2d(3, 4, 3, stride=2, padding=1), (7, 3, 7, 6)),
        ("conv_rect_dil2", nn.Conv2d(2, 3, (3, 2), dilation=2, padding=(2, 1)), (1, 2, 9, 9)),
        ("conv_depthwise", nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), (2, 4, 6, 6)),
        ("conv_groups2", nn.Conv2d(4, 6, 2, stride=(1, 2), groups=2), (3, 4, 5, 5)),
        ("conv1d", nn.Conv1d(3, 5, 3, stride=2, padding=1, dilation=2), (4, 3, 11)),
        ("maxpool2", nn.MaxPool2d(2), (2, 3, 4, 4)),
        ("maxpool3s2p1", nn.MaxPool2d(3, stride=2, padding=1), (2, 2, 7, 7)),
        ("avgpool2", nn.AvgPool2d(2), (2, 3, 4, 4)),
        ("avgpool3s2p1", nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 7)),
        ("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), (3, 2, 9)),
        ("avgpool1d", nn.AvgPool1d(3, stride=2, padding=1), (3, 2, 9)),
        ("adaptive", nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 5, 7)),
        ("global", nn.AdaptiveAvgPool2d((1, 1)), (2, 3, 5, 7)),
        ("softmax", nn.Softmax(dim=1), (4, 6)),
        ("logsoftmax", nn.LogSoftmax(dim=1), (4, 6)),
        ("softmax_channels", nn.Softmax(dim=1), (2, 3, 2, 2)),
        ("logsoftmax_channels", nn.LogSoftmax(dim=1), (2, 3, 2, 2)),
        ("leakyrelu", nn.LeakyReLU(0.2), (3, 5)),
        ("gelu", nn.GELU(), (3, 5)),
    ]
    for name, layer, shape in conv_cases:
        sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape))
    # Max pooling with ties: PyTorch routes the gradient to the first maximum of each window.
    ties = torch.tensor([[[[1.0, 1.0, 2.0, 2.0], [1.0, 0.0, 2.0, 1.0], [0.0, 3.0, 3.0, 0.0], [3.0, 3.0, 0.0, 3.0]]]])
    sequential_case(t, "maxpool_ties", nn.Sequential(nn.MaxPool2d(2)), ties)
    # A LeNet-like stack: fused Conv+ReLU, pooling, Linear, LogSoftmax.
    lenet = nn.Sequential(nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
                          nn.Linear(24, 10), nn.ReLU(), nn.Linear(10, 3), nn.LogSoftmax(dim=1))
    sequential_case(t, "lenet", lenet, torch.randn(2, 1, 12, 12))
    # Normalisation, with affine parameters away from their defaults.
    norm_cases = [
        ("batchnorm1d", nn.BatchNorm1d(4), (5, 4)),
        ("batchnorm1d_seq", nn.BatchNorm1d(3, momentum=0.3), (4, 3, 6)),
        ("batchnorm2d", nn.BatchNorm2d(3, eps=1e-3), (2, 3, 4, 5)),
        ("batchnorm2d_plain", nn.BatchNorm2d(3, affine=False), (3, 3, 2, 2)),
        ("layernorm", nn.LayerNorm(5), (2, 3, 5)),
        ("layernorm2", nn.LayerNorm([3, 4]), (2, 2, 3, 4)),
        ("instancenorm", nn.InstanceNorm2d(3, affine=True), (2, 3, 4, 4)),
        ("instancenorm_plain", nn.InstanceNorm2d(3), (2, 3, 4, 4)),
    ]
    for name, layer, shape in norm_cases:
        with torch.no_grad():
            for p in layer.parameters():
                p.uniform_(0.5, 1.5)
        net = nn.Sequential(layer)
        net.train()
        sequential_case(t, name, net, 3 * torch.randn(*shape) + 1)
    # Recurrent layers, batch first; the module returns every step's hidden state or the last.
    def recurrent(cls, *args, last=False, **kwargs):
        class Outputs(cls):
            def forward(self, x):
                out = super().forward(x)[0]
                return out[:, -1] if last else out
        return Outputs(*args, batch_first=True, **kwargs)

    seed_rnn = nn.Sequential(recurrent(nn.RNN, 3, 4, bias=False))
    sequential_case(t, "rnn_seed", seed_rnn, torch.tensor([[[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [5.0, 6.0, 7.0]]]))
    recurrent_cases = [
        ("rnn", recurrent(nn.RNN, 3, 5), (7, 4, 3)),
        ("lstm", recurrent(nn.LSTM, 3, 4), (2, 6, 3)),
        ("lstm_last", recurrent(nn.LSTM, 5, 3, last=True), (3, 4, 5)),
        ("gru", recurrent(nn.GRU, 4, 3), (2, 5, 4)),
        ("gru_last", recurrent(nn.GRU, 2, 6, bias=False, last=True), (1, 3, 2)),
    ]
    for name, layer, shape in recurrent_cases:
        sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape))
    # Self-attention, batch first, optionally causal; biases moved away from their zero init.
    class SelfAttention(nn.MultiheadAttention):
        def __init__(self, embed, heads, causal=False, **kwargs):
            super().__init__(embed, heads, batch_first=True, **kwargs)
            self.causal = causal

        def forward(self, x):
            steps = x.shape[1]
            mask = torch.triu(torch.full((steps, steps), float("-inf")), diagonal=1) if self.causal else None
            return super().forward(x, x, x, attn_mask=mask, need_weights=False)[0]

    attention_cases = [
        ("mha", SelfAttention(6, 2), (3, 5, 6)),
        ("mha_causal", SelfAttention(4, 4, causal=True), (2, 6, 4)),
        ("mha_nobias", SelfAttention(6, 3, causal=True, bias=False), (1, 4, 6)),
    ]
    for name, layer, shape in attention_cases:
        with torch.no_grad():
            for pname, p in layer.named_parameters():
                if "bias" in pname:
                    p.uniform_(-0.5, 0.5)
        sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape))
    # Transformer encoder layers (post-norm, ReLU), dropout 0 so that PyTorch is deterministic.
    class Encoder(nn.TransformerEncoderLayer):
        def __init__(self, embed, heads, feedforward, causal=False):
            super().__init__(embed, heads, dim_feedforward=feedforward, dropout=0.0, batch_first=True)
            self.causal = causal

        def forward(self, x):
            steps = x.shape[1]
            mask = torch.triu(torch.full((steps, steps), float("-inf")), diagonal=1) if self.causal else None
            return super().forward(x, src_mask=mask)

    for name, layer, shape in [("encoder", Encoder(6, 2, 8), (3, 5, 6)),
                               ("encoder_causal", Encoder(6, 3, 5, causal=True), (2, 4, 6))]:
        with torch.no_grad():
            for pname, p in layer.named_parameters():
                if "bias" in pname or "norm" in pname:
                    p.uniform_(-0.5, 0.5) if "bias" in pname else p.uniform_(0.5, 1.5)
        sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape))
    # Embedding with a padding row: repeated ids accumulate, the padding row gets no gradient.
    emb = nn.Sequential(nn.Embedding(10, 4, padding_idx=2))
    ids = torch.tensor([[3, 5, 2, 3, 9], [0, 2, 2, 7, 3]])
    sequential_case(t, "embedding", emb, ids, int_input=True)
    # Recurrent layers wider than a SIMD register, at batch 1 and 2: the vectorised cell and the
    # transposed W_hh, with tails. Their own seed, so that the other files keep their values.
    with torch.random.fork_rng():
        torch.manual_seed(20261123)
        for name, layer, shape in [("rnn_wide", recurrent(nn.RNN, 5, 37), (1, 6, 5)),
                                   ("lstm_wide", recurrent(nn.LSTM, 5, 19, last=True), (2, 4, 5)),
                                   ("gru_wide", recurrent(nn.GRU, 5, 21), (1, 5, 5))]:
            sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape))
    # Convolutions whose output channels fill whole SIMD registers, which the CPU backend computes
    # without im2col (conv_direct.hpp): LeNet's second convolution on a smaller input, stride and
    # padding, and rows of output longer than one tile of positions. Inputs scaled by 1/4: a
    # weight gradient sums 24 to 76 products, and in float32 the order of the sum alone moves a
    # result near zero by more than the tests' absolute 1e-6 at full scale. Their own seed.
    with torch.random.fork_rng():
        torch.manual_seed(20261124)
        for name, layer, shape in [("conv_wide", nn.Conv2d(6, 16, 5), (2, 6, 7, 8)),
                                   ("conv_wide_s2p1", nn.Conv2d(3, 32, 3, stride=2, padding=1),
                                    (2, 3, 9, 11)),
                                   ("conv1d_wide", nn.Conv1d(2, 16, 3, padding=1, dilation=2),
                                    (2, 2, 40))]:
            sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape) / 4)
    # An LSTM at batch 1 wider than a SIMD register: the cell a register of units at a time
    # (StepLanes), with a tail of 3. Its own seed.
    with torch.random.fork_rng():
        torch.manual_seed(20261125)
        sequential_case(t, "lstm_one", nn.Sequential(recurrent(nn.LSTM, 5, 19)), torch.randn(1, 4, 5))
    # LSTM and GRU at batch 2 with rows of whole registers (hidden 16): the cells a register at a
    # time in forward and, for the LSTM, backward. (lstm_wide, hidden 19 at batch 2, has
    # registers that cross into the next row.) Their own seed.
    with torch.random.fork_rng():
        torch.manual_seed(20261126)
        for name, layer, shape in [("lstm_two", recurrent(nn.LSTM, 5, 16), (2, 3, 5)),
                                   ("gru_two", recurrent(nn.GRU, 5, 16), (2, 3, 5))]:
            sequential_case(t, name, nn.Sequential(layer), torch.randn(*shape))
    write("layers.txt", t)


def exact(shape, low=-2.0, high=2.0):
    """Random float32 values held in float64, so that the reference computes in float64."""
    return (torch.rand(*shape) * (high - low) + low).to(torch.float32).double()


def losses():
    nn = torch.nn
    t = {}
    p, target = exact((4, 3)), exact((4, 3))
    p[0, 0] = target[0, 0]  # an exact zero difference: L1's derivative there is 0
    probs = exact((4, 3), 0.02, 0.98)
    binary = (torch.rand(4, 3) > 0.5).double()
    logits = exact((4, 3), -4, 4)
    logits[0, 0] = 0.0
    logits[1, 1] = 30.0
    logits[2, 2] = -30.0
    t.update({"p": p, "target": target, "probs": probs, "binary": binary, "logits": logits})
    class_logits = exact((5, 4), -3, 3)
    classes = torch.tensor([2, 0, 3, 3, 1])
    log_probs = torch.log_softmax(class_logits, dim=1).to(torch.float32).double()
    t.update({"class_logits": class_logits, "classes": classes.double(), "log_probs": log_probs})
    cases = [
        ("mse", lambda r: nn.MSELoss(reduction=r), p, target),
        ("l1", lambda r: nn.L1Loss(reduction=r), p, target),
        ("huber", lambda r: nn.HuberLoss(reduction=r), p, target),
        ("huber_half", lambda r: nn.HuberLoss(reduction=r, delta=0.5), p, target),
        ("bce", lambda r: nn.BCELoss(reduction=r), probs, binary),
        ("bce_logits", lambda r: nn.BCEWithLogitsLoss(reduction=r), logits, binary),
        ("cross_entropy", lambda r: nn.CrossEntropyLoss(reduction=r), class_logits, classes),
        ("cross_entropy_smooth", lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1), class_logits, classes),
        ("nll", lambda r: nn.NLLLoss(reduction=r), log_probs, classes),
    ]
    for name, make, x, y in cases:
        for reduction in ["mean", "sum", "none"]:
            xi = x.clone().requires_grad_(True)
            loss = make(reduction)(xi, y)
            loss.sum().backward()
            t[f"{name}.{reduction}.loss"] = loss.reshape(-1)
            t[f"{name}.{reduction}.grad"] = xi.grad
    write("losses.txt", t)


def optimizers():
    """Five steps of each optimiser on a small network with MSE: the parameters after each step."""
    nn, optim = torch.nn, torch.optim
    net0 = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    x, y = exact((6, 4)), exact((6, 2))
    t = {"x": x, "y": y}
    for name, p in net0.state_dict().items():
        t[name] = p
    configs = {
        "sgd": lambda ps: optim.SGD(ps, lr=0.1),
        "sgd_momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
        "sgd_nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001),
        "adam": lambda ps: optim.Adam(ps, lr=0.01),
        "adam_wd_amsgrad": lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1,
                                                 amsgrad=True),
        "adamw": lambda ps: optim.AdamW(ps, lr=0.01),
        "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                            initial_accumulator_value=0.1),
        "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01),
        "rmsprop_centered": lambda ps: optim.RMSprop(ps, lr=0.01, alpha=0.9, weight_decay=0.01, momentum=0.5,
                                                     centered=True),
        "adadelta": lambda ps: optim.Adadelta(ps),
        "adadelta_wd": lambda ps: optim.Adadelta(ps, lr=0.5, rho=0.8, weight_decay=0.01),
    }
    for name, make in configs.items():
        net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
        net.load_state_dict(net0.state_dict())
        opt = make(net.parameters())
        for step in range(1, 6):
            opt.zero_grad()
            nn.MSELoss()(net(x), y).backward()
            opt.step()
            t[f"{name}.step{step}"] = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    # Learning-rate schedules over 10 epochs, from a base of 0.1.
    schedules = {
        "step_lr": lambda o: optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        "exponential_lr": lambda o: optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
        "cosine_lr": lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        "linear_lr": lambda o: optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4),
        "one_cycle_lr": lambda o: optim.lr_scheduler.OneCycleLR(
            o, max_lr=0.1, total_steps=10, pct_start=0.3, cycle_momentum=False),
        "one_cycle_linear_lr": lambda o: optim.lr_scheduler.OneCycleLR(
            o, max_lr=0.05, total_steps=10, pct_start=0.25, anneal_strategy="linear",
            div_factor=10, final_div_factor=100, cycle_momentum=False),
    }
    for name, make in schedules.items():
        opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        sched = make(opt)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(10):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        t[f"{name}.lrs"] = torch.tensor(lrs, dtype=torch.float64)
    # Gradient clipping: the gradients of one MSE backward, clipped to norm 0.5 (and a bound above
    # the norm, which changes nothing).
    for name, bound in [("clip", 0.5), ("clip_loose", 100.0)]:
        net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
        net.load_state_dict(net0.state_dict())
        nn.MSELoss()(net(x), y).backward()
        norm = torch.nn.utils.clip_grad_norm_(net.parameters(), bound)
        t[f"{name}.norm"] = norm.reshape(1)
        t[f"{name}.grads"] = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
    write("optim.txt", t)


def blocks():
    """Blocks as the PyTorch modules they stand for (see include/ctnn/nn/): their state_dict keys
    are the ones ctnn gives."""
    nn = torch.nn
    from collections import OrderedDict

    class MLP(nn.Module):  # Block<Named<"hidden", Linear<8>>, ReLU, Named<"out", Linear<6>>>
        def __init__(self, features):
            super().__init__()
            self.hidden = nn.Linear(features, 8)
            self.out = nn.Linear(8, 6)

        def forward(self, x):
            return self.out(torch.relu(self.hidden(x)))

    class Residual(nn.Sequential):
        def forward(self, x):
            return x + super().forward(x)

    class Concat(nn.ModuleList):
        def __init__(self, *branches):
            super().__init__(branches)

        def forward(self, x):
            return torch.cat([b(x) for b in self], dim=1)

    class Sum(nn.ModuleList):
        def __init__(self, *branches):
            super().__init__(branches)

        def forward(self, x):
            return sum(b(x) for b in self)

    class TwiceLinear(nn.Linear):  # Shared<Linear<N>, 2>
        def forward(self, x):
            return super().forward(super().forward(x))

    class TwiceSequential(nn.Sequential):  # Shared<Block<...>, 2>
        def forward(self, x):
            return super().forward(super().forward(x))

    t = {}
    dense = nn.Sequential(OrderedDict([
        ("0", MLP(5)),
        ("1", Residual(nn.Linear(6, 4), nn.Tanh(), nn.Linear(4, 6))),
        ("2", Concat(nn.Linear(6, 3), nn.Sequential(nn.Linear(6, 2), nn.Sigmoid()), nn.Identity())),
        ("3", Sum(nn.Identity(), nn.Sequential(nn.Linear(11, 11), nn.ReLU()), TwiceLinear(11, 11))),
        ("4", TwiceSequential(nn.Linear(11, 11), nn.Tanh())),
        ("head", nn.Linear(11, 3)),
    ]))
    sequential_case(t, "dense_blocks", dense, torch.randn(4, 5))
    conv = nn.Sequential(
        Concat(nn.Conv2d(2, 3, 3, padding=1), nn.Sequential(nn.Conv2d(2, 2, 1), nn.ReLU()),
               nn.Identity()),
        Residual(nn.Conv2d(7, 7, 3, padding=1), nn.BatchNorm2d(7), nn.ReLU()),
        nn.Flatten(), nn.Linear(7 * 5 * 5, 4))
    with torch.no_grad():
        conv[1][1].weight.uniform_(0.5, 1.5)
        conv[1][1].bias.uniform_(-0.5, 0.5)
    sequential_case(t, "conv_blocks", conv, torch.randn(3, 2, 5, 5))
    write("blocks.txt", t)


def data_and_reduce():
    """Mean over a feature axis (x.mean(dim)), the bag-of-embeddings classifier, and bilinear
    resizing as F.interpolate(align_corners=False), the reference for transforms::Resize."""
    nn = torch.nn
    t = {}

    class Mean(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.dim = dim

        def forward(self, x):
            return x.mean(self.dim)

    sequential_case(t, "mean_seq", nn.Sequential(Mean(1), nn.Linear(5, 3)), torch.randn(4, 6, 5))
    sequential_case(t, "mean_last", nn.Sequential(Mean(3), nn.Flatten(), nn.Linear(6, 2)),
                    torch.randn(3, 2, 3, 4))
    bag = nn.Sequential(nn.Embedding(9, 4, padding_idx=0), Mean(1), nn.Linear(4, 1), nn.Sigmoid())
    ids = torch.tensor([[3, 5, 8, 0, 0], [1, 2, 2, 7, 0], [0, 0, 0, 0, 4]])
    sequential_case(t, "bag", bag, ids, int_input=True)
    for name, (c, h, w, oh, ow) in {"resize_up": (2, 5, 7, 9, 11),
                                    "resize_down": (3, 28, 28, 14, 10)}.items():
        x = torch.rand(1, c, h, w)
        t[f"{name}.x"] = x[0]
        t[f"{name}.y"] = torch.nn.functional.interpolate(x, size=(oh, ow), mode="bilinear",
                                                         align_corners=False)[0]
    write("data.txt", t)


if __name__ == "__main__":
    linear()
    activations()
    mse()
    mlp()
    layers()
    losses()
    optimizers()
    blocks()
    data_and_reduce()
    print("wrote", sorted(p.name for p in OUT.glob("*.txt")))
