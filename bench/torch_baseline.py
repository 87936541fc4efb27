#!/usr/bin/python3
"""PyTorch's fixed baseline of bench/neural.sh quality: a plain 2-conv CNN trained for a given wall-clock time on
the same training images as AutoDL's search, then scored once on the same test images.

Run with Debian's interpreter (/usr/bin/python3), for which the python3-torch package installs PyTorch 1.13.
The one argument is a JSON request:
  {"train_images": path, "train_labels": path, "train_count": n, "test_images": path, "test_labels": path,
   "test_count": m, "side": 28, "classes": 10, "seconds": s, "threads": t, "seed": k}
images hold count*side*side uint8 pixels (row-major [N, 1, H, W]), labels count int64 class indices (little-endian).
The network: conv 32 3x3 + ReLU + maxpool 2, conv 64 3x3 + ReLU + maxpool 2, linear 128 + ReLU, dropout 0.5,
linear classes; inputs pixels / 255, normalized by the training images' mean and deviation; Adam lr 1e-3, batch 128,
cross-entropy, each epoch a fresh permutation. Training stops at the first step that ends past s seconds (the clock
starts before the network is built); the test is not timed.
Prints one JSON object: {"accuracy", "epochs", "steps", "train_seconds", "test_seconds", "threads", "torch"}.
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    request = json.loads(sys.argv[1])
    torch.set_num_threads(request["threads"])
    torch.manual_seed(request["seed"])
    side, classes = request["side"], request["classes"]
    start = time.perf_counter()
    train_x = torch.from_numpy(np.fromfile(request["train_images"], dtype=np.uint8).reshape(request["train_count"], 1, side, side))
    train_y = torch.from_numpy(np.fromfile(request["train_labels"], dtype="<i8"))
    scaled = train_x.float().div_(255)
    mean, std = scaled.mean().item(), scaled.std().item()
    del scaled
    flat = 64 * (((side - 2) // 2 - 2) // 2) ** 2
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(flat, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch, count, seconds = 128, request["train_count"], request["seconds"]
    steps, epochs, done = 0, 0, False
    model.train()
    while not done:
        order = torch.randperm(count)
        for first in range(0, count, batch):
            rows = order[first:first + batch]
            x = (train_x.index_select(0, rows).float().div_(255) - mean) / std
            y = train_y.index_select(0, rows)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            steps += 1
            if time.perf_counter() - start >= seconds:
                done = True
                break
        else:
            epochs += 1
    train_seconds = time.perf_counter() - start
    fraction = epochs + (0 if not done else (first + batch) / count)

    test_start = time.perf_counter()
    test_x = torch.from_numpy(np.fromfile(request["test_images"], dtype=np.uint8).reshape(request["test_count"], 1, side, side))
    test_y = torch.from_numpy(np.fromfile(request["test_labels"], dtype="<i8"))
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, request["test_count"], 512):
            x = (test_x[first:first + 512].float().div_(255) - mean) / std
            correct += (model(x).argmax(1) == test_y[first:first + 512]).sum().item()
    print(json.dumps({"accuracy": correct / request["test_count"], "epochs": fraction, "steps": steps, "train_seconds": train_seconds,
                      "test_seconds": time.perf_counter() - test_start, "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
