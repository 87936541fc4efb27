#!/usr/bin/env bash
# Our neural training speed against PyTorch 1.13 (Debian's python3-torch, installed here when missing, as root): the
# reference MLP 784-1024-1024-10 and the default residual CNN, the same networks, data, batch, threads and optimizer.
# Usage: bench/neural.sh [speed] [--threads N (cores)] [--steps K (80 MLP, 24 CNN)] [--repeats 3] [--networks mlp,cnn]
#                        [--mlp-batch 128] [--cnn-batch 64] [--optimizer adam|sgd] [--seed 0] [--ours-only]
# Image-search quality through the product's path (samples/digits-images.zip, and Fashion-MNIST from Debian's
# dataset-fashion-mnist, installed here when missing, as root) beside a fixed PyTorch CNN given the same time:
#        bench/neural.sh quality [--datasets digits,fashion] [--digits-seconds 420] [--fashion-seconds 1800]
#                        [--fashion-train-limit N (all)] [--fashion-test-limit N (all)] [--seed 0] [--threads N (cores)]
set -euo pipefail
cd "$(dirname "$0")/.."
command=neural-speed
if [ "${1:-}" = "speed" ]; then shift; elif [ "${1:-}" = "quality" ]; then shift; command=neural-quality; fi
# Debian's package is for the system interpreter, which need not be the first python3 on PATH.
# Debian's torch calls the system BLAS (libblas.so.3): with only the reference BLAS installed its matmul runs at a few
# GFLOP/s, so OpenBLAS comes with it (it takes over libblas.so.3 through update-alternatives).
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/neural.sh: needs python3-torch and OpenBLAS; run as root or: sudo apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread >/dev/null
fi
if [ "$command" = neural-quality ] && [ ! -e /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/neural.sh: needs Fashion-MNIST; run as root or: sudo apt-get install -y dataset-fashion-mnist" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null
fi
dotnet run -c Release --project bench/AutoDL.Bench -- "$command" "$@"
