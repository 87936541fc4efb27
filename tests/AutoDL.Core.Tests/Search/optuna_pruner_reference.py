# Reference decisions of Optuna 3.1's pruners, hard-coded in OptunaPrunerReferenceTests.cs.
#
# Run with Debian 12's python3-optuna (Optuna 3.1.0, numpy 1.24):  /usr/bin/python3 optuna_pruner_reference.py
#
# Every scenario runs the same learning curves through ask / report / should_prune / tell, trials in batches of
# `concurrency` that advance in lockstep (t0 step 0, t1 step 0, ..., t0 step 1, ...), a pruned trial stopping at once
# and the rest completing with their last value. It prints, per scenario, the step at which each trial was pruned
# (-1: never). The C# test replays the same curves, batches and options and must print the same.
import math
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
# numpy warns on the all-NaN curve (nanmin of [nan]); Optuna prunes it, which is what the scenario checks.
warnings.filterwarnings("ignore", category=RuntimeWarning)

# value(t, s) = A[t] + B[t] / (s + 1), NaN at step NAN_STEP[t]: plain IEEE arithmetic, identical in C#.
A = [0.5, 0.2, 0.9, 0.1, 0.7, 0.3, 0.8, 0.05, 0.6, 0.4, 0.25, 0.15]
B = [1.0, -2.0, 0.5, 3.0, -1.5, 0.8, -0.3, 2.5, 1.2, -0.9, 1.1, -0.6]
NAN_STEP = [-1, -1, -1, -1, 3, -1, -1, -1, -1, 0, -1, -1]
STEPS = 17


def value(t, s):
    return math.nan if s == NAN_STEP[t] else A[t] + B[t] / (s + 1)


def run(pruner, direction, concurrency):
    study = optuna.create_study(
        direction=direction, pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=0)
    )
    pruned_at = []
    for start in range(0, len(A), concurrency):
        batch = [(t, study.ask()) for t in range(start, min(start + concurrency, len(A)))]
        live = dict(batch)
        steps = {t: -1 for t, _ in batch}
        for s in range(STEPS):
            for t, trial in batch:
                if t not in live:
                    continue
                trial.report(value(t, s), s)
                if trial.should_prune():
                    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                    steps[t] = s
                    del live[t]
        for t, trial in live.items():
            study.tell(trial, value(t, STEPS - 1))
        pruned_at.extend(steps[t] for t, _ in batch)
    return pruned_at


P = optuna.pruners
SCENARIOS = [
    ("MedianDefaultsMinimizeSequential", P.MedianPruner(), "minimize", 1),
    ("MedianWarmupIntervalMaximizeBatches", P.MedianPruner(2, 3, 2), "maximize", 3),
    ("MedianMinTrialsMinimizeBatches", P.MedianPruner(0, 0, 1, n_min_trials=3), "minimize", 4),
    ("Percentile25MinimizeSequential", P.PercentilePruner(25.0, n_startup_trials=3), "minimize", 1),
    ("Percentile70MaximizeBatches", P.PercentilePruner(70.0, n_startup_trials=1), "maximize", 2),
    # min_resource=1 is what "auto" estimates for these 17-step curves. "auto" itself is not compared: Optuna keeps no
    # rung records for reports made before its estimate exists (trials running before the first one completed), so
    # those trials never compete; the C# pruner, a pure function of the trial list, counts every trial at every rung.
    ("AshaMinResource1MinimizeSequential", P.SuccessiveHalvingPruner(1), "minimize", 1),
    ("AshaMinResource1MaximizeSequential", P.SuccessiveHalvingPruner(1), "maximize", 1),
    ("AshaMinResource1MaximizeBatches", P.SuccessiveHalvingPruner(1), "maximize", 3),
    ("AshaFactor2MinimizeBatches", P.SuccessiveHalvingPruner(1, 2), "minimize", 3),
    ("AshaFactor2MaximizeSequential", P.SuccessiveHalvingPruner(1, 2), "maximize", 1),
    ("AshaFactor3Rate1Bootstrap1MaximizeBatches", P.SuccessiveHalvingPruner(2, 3, 1, 1), "maximize", 2),
    ("AshaFactor2Rate1Bootstrap2MinimizeBatches", P.SuccessiveHalvingPruner(1, 2, 1, 2), "minimize", 4),
]

for name, pruner, direction, concurrency in SCENARIOS:
    print(f"{name}: {run(pruner, direction, concurrency)}")
