#!/usr/bin/python3
"""Optuna's side of bench/search.sh: the same functions, seeds and budgets as AutoDL.Bench's search benchmark.

Run with Debian's interpreter (/usr/bin/python3), for which the python3-optuna package installs Optuna 3.1.
Prints one JSON object per line:
  {"kind": "quality", "function": ..., "sampler": "optuna-random"|"optuna-tpe"|"optuna-tpe-indep", "seed": s, "best": [best after trial 1..n]}

optuna-tpe-indep is a control: Optuna's TPE with its startup RandomSampler seeded apart from its own generator. Plain
TPESampler(seed=s) seeds both with s, so its random startup trials and its TPE candidates read the same
RandomState(s) stream, and on these functions that coincidence, not the algorithm, is what puts it ahead of ours
(ours and Optuna's propose the same values from the same history and uniforms).
  {"kind": "cost", "sampler": "optuna-tpe", "finished": 1000, "params": 10, "ask_tell_ms": [..]}
"""
import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x1, x2 = t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)
    b, c, r, s, tt = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6, 10, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - tt) * math.cos(x1) + s


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    return -sum(HARTMANN_ALPHA[i] * math.exp(-sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def rosenbrock10(t):
    x = [t.suggest_float(f"x{i}", -5, 10) for i in range(10)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(9))


def mixed(t):
    # Keep in step with MixedFunction in bench/AutoDL.Bench/SearchFunctions.cs.
    kind = t.suggest_categorical("kind", ["quadratic", "log", "flat"])
    if kind == "quadratic":
        x = t.suggest_float("quadratic.x", -5, 5)
        k = t.suggest_int("quadratic.k", 1, 10)
        return (x - 1.5) ** 2 + abs(k - 7) / 2
    if kind == "log":
        y = t.suggest_float("log.y", 1e-4, 10, log=True)
        n = t.suggest_int("log.n", 1, 64, log=True)
        return math.log10(y / 0.01) ** 2 + abs(math.log2(n) - 3) / 2 + 0.5
    return 2.0


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock10": rosenbrock10, "mixed": mixed}


def quality(function, trials, seeds):
    for sampler_name in ("optuna-random", "optuna-tpe", "optuna-tpe-indep"):
        for seed in seeds:
            sampler = optuna.samplers.RandomSampler(seed=seed) if sampler_name == "optuna-random" \
                else optuna.samplers.TPESampler(seed=seed)
            if sampler_name == "optuna-tpe-indep":
                # A private attribute, but the only way to seed the startup sampler apart in Optuna 3.1.
                sampler._random_sampler = optuna.samplers.RandomSampler(seed=seed + 1_000_003)
            study = optuna.create_study(sampler=sampler)
            study.optimize(FUNCTIONS[function], n_trials=trials)
            best, curve = math.inf, []
            for trial in study.trials:
                best = min(best, trial.value)
                curve.append(best)
            print(json.dumps({"kind": "quality", "function": function, "sampler": sampler_name, "seed": seed, "best": curve}),
                  flush=True)


def cost(finished, params, asks):
    sampler = optuna.samplers.TPESampler(seed=1)
    study = optuna.create_study(sampler=sampler)
    rng = optuna.samplers.RandomSampler(seed=2)
    history = optuna.create_study(sampler=rng)
    dists = {f"x{i}": optuna.distributions.FloatDistribution(-5, 5) for i in range(params)}
    for _ in range(finished):
        t = history.ask(dists)
        history.tell(t, sum(v * v for v in t.params.values()))
    study.add_trials(history.trials)
    times = []
    for _ in range(asks):
        start = time.perf_counter()
        t = study.ask(dists)
        study.tell(t, sum(v * v for v in t.params.values()))
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"kind": "cost", "sampler": "optuna-tpe", "finished": finished, "params": params, "ask_tell_ms": times}),
          flush=True)


if __name__ == "__main__":
    request = json.loads(sys.argv[1])
    for job in request["quality"]:
        quality(job["function"], job["trials"], job["seeds"])
    if "cost" in request:
        cost(request["cost"]["finished"], request["cost"]["params"], request["cost"]["asks"])
