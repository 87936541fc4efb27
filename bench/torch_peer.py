#!/usr/bin/python3
"""PyTorch's side of bench/neural.sh: trains the network of an AutoDL NetworkSpec (its JSON, written by AutoDL.Bench's
neural-speed benchmark) on the same random byte images, and reports its training speed.

Run with Debian's interpreter (/usr/bin/python3), for which the python3-torch package installs PyTorch 1.13.
The one argument is a JSON request:
  {"spec": path, "images": path, "labels": path, "count": n, "shape": [c, h, w], "batch": b, "threads": t,
   "warmup": w, "steps": k, "optimizer": "adam"|"sgd", "lr": 1e-3, "seed": s}
images holds n*c*h*w uint8 pixels (row-major [N, C, H, W]), labels n int64 class indices (little-endian). The loop is
the one AutoDL's trainer runs: each epoch a fresh permutation of the samples, cut into batches of b; each batch's
pixels indexed as bytes and turned into floats / 255, then zero_grad, forward, cross-entropy, backward, optimizer step (Adam, or SGD with momentum 0.9) and
loss.item(). w warm-up steps first (untimed), then k timed steps (w divides k: whole epochs).
Prints one JSON object: {"samples_per_s", "steps", "seconds", "threads", "torch", "matmul_gflops"}, the last being
this PyTorch's float32 1024x1024 matmul rate with the same threads (best of ten 50 ms bursts), for reference.
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Normalize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))

    def forward(self, x):
        shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
        return (x - self.mean.view(shape)) / self.std.view(shape)


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean((2, 3))


class Residual(nn.Module):
    def __init__(self, body, shortcut):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Sequential(*shortcut)

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "leaky_relu": lambda: nn.LeakyReLU(0.01)}


def build(layer):
    """The PyTorch module of one layer of AutoDL's layer set (NetworkSpec.cs), as SpecNetwork builds it."""
    op = layer["op"]
    if op == "normalize":
        return Normalize(layer["mean"], layer["std"])
    if op == "conv":
        return nn.Conv2d(layer["in"], layer["out"], layer["kernel"], stride=layer.get("stride", 1), padding=layer.get("padding", 0),
                         groups=layer.get("groups", 1), bias=layer.get("bias", True))
    if op == "batchnorm":
        return nn.BatchNorm2d(layer["features"]) if layer["dims"] == 2 else nn.BatchNorm1d(layer["features"])
    if op == "layernorm":
        return nn.LayerNorm(layer["features"])
    if op == "linear":
        return nn.Linear(layer["in"], layer["out"])
    if op == "activation":
        return ACTIVATIONS[layer["function"]]()
    if op == "pool":
        return (nn.MaxPool2d if layer["kind"] == "max" else nn.AvgPool2d)(layer["kernel"], layer["stride"])
    if op == "globalavgpool":
        return GlobalAvgPool()
    if op == "flatten":
        return nn.Flatten()
    if op == "dropout":
        return nn.Dropout(layer["p"])
    if op == "residual":
        return Residual([build(l) for l in layer["body"]], [build(l) for l in layer["shortcut"]])
    raise ValueError(f"unknown layer {op!r}")


def matmul_gflops(n=1024, bursts=10, seconds=0.05):
    """The best of ten bursts of about 50 ms, as the C# side measures libtorch's."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.matmul(a, b)
    best = 0.0
    for _ in range(bursts):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            torch.matmul(a, b)
            count += 1
        best = max(best, count * 2.0 * n ** 3 / (time.perf_counter() - start) / 1e9)
    return best


def main():
    request = json.loads(sys.argv[1])
    torch.set_num_threads(request["threads"])
    torch.manual_seed(request["seed"])
    with open(request["spec"], encoding="utf-8") as f:
        spec = json.load(f)
    model = nn.Sequential(*[build(l) for l in spec["layers"]])
    count, shape, batch = request["count"], request["shape"], request["batch"]
    images = torch.from_numpy(np.fromfile(request["images"], dtype=np.uint8).reshape(count, *shape))
    labels = torch.from_numpy(np.fromfile(request["labels"], dtype="<i8"))
    if request.get("optimizer", "adam") == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=request["lr"])
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=request["lr"], momentum=0.9)
    model.train()

    def epochs():
        while True:
            order = torch.randperm(count)
            for start in range(0, count, batch):
                yield order[start:start + batch]

    batches = epochs()

    def step():
        rows = next(batches)
        x = images.index_select(0, rows).float().div_(255)
        y = labels.index_select(0, rows)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(request["warmup"]):
        step()
    start = time.perf_counter()
    for _ in range(request["steps"]):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({"samples_per_s": request["steps"] * batch / seconds, "steps": request["steps"], "seconds": seconds,
                      "threads": torch.get_num_threads(), "torch": torch.__version__, "matmul_gflops": matmul_gflops()}), flush=True)


if __name__ == "__main__":
    main()
