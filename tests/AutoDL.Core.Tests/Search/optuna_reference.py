# Reference numbers for the TPE sampler tests, computed by Optuna 3.1.0 itself.
#
# How the numbers were produced (and how to regenerate them):
#
#     apt-get install python3-optuna        # Debian 12: Optuna 3.1.0, NumPy 1.24.2, SciPy 1.10.1
#     cd tests/AutoDL.Core.Tests/Search
#     /usr/bin/python3 optuna_reference.py > OptunaReferenceData.cs
#
# The script prints a C# file (OptunaReferenceData.cs) holding, for fixed inputs:
#   * Parzen estimators: Optuna's `_ParzenEstimator` mixture weights, kernel centres (mus), bandwidths (sigmas),
#     categorical kernel weights, and `log_pdf` at a few points. `log_pdf` is given twice: as Optuna 3.1 computes
#     it (its truncated-normal `logpdf` omits the 1/sigma factor, optuna#5109) and with that factor, as Optuna
#     3.5+ computes it (optuna#5110), by patching `_truncnorm.logpdf` exactly as that fix does.
#   * `_truncnorm.ppf`, which turns a uniform draw into a truncated-normal sample, and `_log_gauss_mass`.
#   * `default_gamma` and `default_weights`, and NumPy's (unstable) `argsort` of values with ties, which decides how
#     the Parzen estimator hands out bandwidths among equal kernel centres.
#   * `_split_observation_pairs` over a study with complete, pruned (with and without intermediate values, one NaN),
#     failed and running trials, for both directions, with and without the constant liar.
#   * `_GroupDecomposedSearchSpace` over trials with conditional parameters.
#   * End-to-end `TPESampler` proposals (`sample_relative`, then `sample_independent` for the rest), with the
#     sampler's NumPy generator replaced by the recorded stream of `RandomState(seed).random_sample()` draws: every
#     draw TPE makes (the mixture component, the truncated-normal quantile, the categorical quantile) is one such
#     number, so a C# `Random` that replays the stream must propose exactly the same parameters.
#
# Values are printed with repr(), which round-trips doubles exactly.

import math
import warnings

import numpy as np
import optuna
from optuna import distributions as od
from optuna.samplers._search_space.group_decomposed import _GroupDecomposedSearchSpace
from optuna.samplers._tpe import _truncnorm
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import _get_observation_pairs
from optuna.samplers._tpe.sampler import _split_observation_pairs
from optuna.samplers._tpe.sampler import default_gamma
from optuna.samplers._tpe.sampler import default_weights
from optuna.trial import TrialState
from optuna.trial import create_trial

assert optuna.__version__ == "3.1.0", optuna.__version__
warnings.simplefilter("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)


def num(x):
    x = float(x)
    if math.isnan(x):
        return "double.NaN"
    if math.isinf(x):
        return "double.PositiveInfinity" if x > 0 else "double.NegativeInfinity"
    return repr(x)


def arr(xs):
    return "[" + ", ".join(num(x) for x in xs) + "]"


def arr2(rows):
    return "[" + ", ".join(arr(r) for r in rows) + "]"


def ints(xs):
    return "[" + ", ".join(str(int(x)) for x in xs) + "]"


def strs(xs):
    return "[" + ", ".join('"' + x + '"' for x in xs) + "]"


# A distribution as (Optuna object, C# expression).
def flt(low, high, log=False, step=None):
    cs = f"new FloatDistribution({num(low)}, {num(high)}"
    cs += ", Log: true" if log else ""
    cs += f", Step: {num(step)}" if step is not None else ""
    return od.FloatDistribution(low, high, log=log, step=step), cs + ")"


def integer(low, high, log=False, step=1):
    cs = f"new IntDistribution({low}, {high}"
    cs += ", Log: true" if log else ""
    cs += f", Step: {step}" if step != 1 else ""
    return od.IntDistribution(low, high, log=log, step=step), cs + ")"


def cat(choices):
    return od.CategoricalDistribution(choices), f"new CategoricalDistribution({strs(choices)})"


def logpdf_with_scale(x, a, b, loc=0, scale=1):
    # Optuna 3.5's fix (optuna#5110): the density of a scaled truncated normal divides by its scale.
    return _original_logpdf(x, a, b, loc=loc, scale=scale) - np.log(scale)


_original_logpdf = _truncnorm.logpdf


def estimator_case(name, dists, observations, points, consider_prior=True, prior_weight=1.0, magic_clip=True,
                   endpoints=False, multivariate=False):
    names = [f"p{i}" for i in range(len(dists))]
    space = {n: d for n, (d, _) in zip(names, dists)}
    obs = {n: np.asarray(o, dtype=float) for n, o in zip(names, observations)}
    params = _ParzenEstimatorParameters(consider_prior, prior_weight, magic_clip, endpoints, default_weights,
                                        multivariate)
    pe = _ParzenEstimator(obs, space, params)
    pts = {}
    for n, (d, _), column in zip(names, dists, points):
        pts[n] = np.asarray(column, dtype=int if isinstance(d, od.CategoricalDistribution) else float)
    log_pdf_31 = pe.log_pdf(pts)
    _truncnorm.logpdf = logpdf_with_scale
    try:
        log_pdf_fixed = pe.log_pdf(pts)
    finally:
        _truncnorm.logpdf = _original_logpdf
    mus = [pe._mus[n] if pe._mus[n] is not None else [] for n in names]
    sigmas = [pe._sigmas[n] if pe._sigmas[n] is not None else [] for n in names]
    cws = [pe._categorical_weights[n] if pe._categorical_weights[n] is not None else [] for n in names]
    return (
        f"        new(\"{name}\",\n"
        f"            [{', '.join(cs for _, cs in dists)}],\n"
        f"            {arr2(observations)},\n"
        f"            new ParzenEstimatorSettings({str(consider_prior).lower()}, {num(prior_weight)}, "
        f"{str(magic_clip).lower()}, {str(endpoints).lower()}, TpeOptions.DefaultWeights, "
        f"{str(multivariate).lower()}, Optuna31Density: false),\n"
        f"            Points: {arr2(points)},\n"
        f"            Weights: {arr(pe._weights)},\n"
        f"            Mus: {arr2(mus)},\n"
        f"            Sigmas: {arr2(sigmas)},\n"
        f"            CategoricalWeights: [{', '.join(arr2(c) for c in cws)}],\n"
        f"            LogPdfOptuna31: {arr(log_pdf_31)},\n"
        f"            LogPdf: {arr(log_pdf_fixed)}),\n"
    )


def estimator_cases():
    rs = np.random.RandomState(7)
    many_ints = list(rs.randint(1, 12, size=40))  # 41 kernels with many ties: NumPy's introsort path, ramp weights.
    many_floats = list(np.round(rs.uniform(-3, 3, size=30), 1))
    out = []
    out.append(estimator_case(
        "float", [flt(-5.0, 10.0)], [[1.0, -2.5, 3.3, 3.3, 9.9, 0.2]], [[-5.0, -1.0, 0.2, 3.3, 7.0, 10.0]]))
    out.append(estimator_case(
        "float, one observation", [flt(0.0, 1.0)], [[0.5]], [[0.0, 0.25, 0.5, 0.9]]))
    out.append(estimator_case("float, prior only", [flt(-1.0, 1.0)], [[]], [[-1.0, 0.0, 0.7]]))
    out.append(estimator_case(
        "log float", [flt(1e-4, 1.0, log=True)], [[0.001, 0.02, 0.5, 3e-4, 0.001]], [[1e-4, 1e-3, 0.05, 1.0]]))
    out.append(estimator_case(
        "int", [integer(1, 9)], [[5, 3, 8, 5, 1, 9, 2]], [[1, 2, 5, 6, 9]]))
    out.append(estimator_case(
        "int with step", [integer(0, 20, step=4)], [[0, 8, 8, 20, 12]], [[0, 4, 8, 16, 20]]))
    out.append(estimator_case(
        "stepped float", [flt(0.0, 1.0, step=0.1)], [[0.1, 0.5, 0.5, 0.9, 0.0]], [[0.0, 0.3, 0.5, 1.0]]))
    out.append(estimator_case(
        "log int", [integer(1, 1024, log=True)], [[1, 16, 16, 300, 1024, 2]], [[1, 3, 16, 100, 1024]]))
    out.append(estimator_case(
        "categorical", [cat(["a", "b", "c", "d"])], [[0, 2, 2, 3, 1]], [[0, 1, 2, 3]]))
    out.append(estimator_case(
        "categorical, no prior", [cat(["a", "b", "c"])], [[0, 2, 2]], [[0, 1, 2]], consider_prior=False))
    out.append(estimator_case(
        "many ints with ties", [integer(1, 12)], [many_ints], [[1, 4, 6, 11, 12]]))
    out.append(estimator_case(
        "many floats, endpoints, no clip", [flt(-3.0, 3.0)], [many_floats], [[-3.0, -0.1, 0.0, 2.95]],
        magic_clip=False, endpoints=True))
    out.append(estimator_case(
        "float, no prior, prior weight 2", [flt(-2.0, 2.0)], [[-1.5, 0.0, 0.3, 1.9]], [[-2.0, 0.1, 1.0]],
        consider_prior=False, prior_weight=2.0))
    out.append(estimator_case(
        "float, prior weight 3", [flt(-2.0, 2.0)], [[-1.5, 0.0, 0.3, 1.9]], [[-2.0, 0.1, 1.0]], prior_weight=3.0))
    out.append(estimator_case(
        "multivariate",
        [flt(-5.0, 5.0), flt(1e-3, 10.0, log=True), integer(0, 10, step=2), cat(["x", "y", "z"]),
         integer(1, 100, log=True)],
        [[0.5, -4.0, 2.2, 2.2, 3.0, -1.0, 4.9],
         [0.01, 5.0, 0.3, 0.3, 1e-3, 2.0, 0.05],
         [0, 2, 10, 4, 4, 6, 8],
         [0, 1, 1, 2, 0, 0, 2],
         [1, 50, 7, 7, 100, 3, 20]],
        [[-5.0, 0.0, 2.2, 4.0], [1e-3, 0.3, 1.0, 10.0], [0, 4, 6, 10], [0, 1, 2, 1], [1, 7, 30, 100]],
        multivariate=True))
    out.append(estimator_case(
        "univariate estimator of a multivariate sampler", [flt(0.0, 10.0)], [[1.0, 2.0, 2.5, 8.0]],
        [[0.0, 2.0, 9.0]], multivariate=True))
    return out


def ppf_cases():
    rows = []
    for q, a, b in [(0.3, -1.0, 2.0), (0.9, -3.0, 0.5), (0.5, 0.2, 4.0), (0.01, 1.5, 3.0), (0.999, -2.0, -1.0),
                    (0.2, -40.0, -25.0), (0.7, 25.0, 40.0), (0.5, -0.3, 0.4), (0.0, -1.0, 1.0), (0.123, -8.0, 9.0)]:
        value = _truncnorm.ppf(np.asarray([q]), np.asarray([a]), np.asarray([b]))[0]
        rows.append(f"        ({num(q)}, {num(a)}, {num(b)}, {num(value)}),\n")
    return rows


def log_gauss_mass_cases():
    rows = []
    for a, b in [(-1.0, 2.0), (-30.0, -29.0), (-7.0, -6.5), (0.5, 0.7), (6.5, 7.0), (-0.1, 0.1), (-25.0, 25.0),
                 (1e-3, 2e-3), (-3.0, -2.9), (2.0, 50.0)]:
        value = _truncnorm._log_gauss_mass(np.asarray([a]), np.asarray([b]))[0]
        rows.append(f"        ({num(a)}, {num(b)}, {num(value)}),\n")
    return rows


def weights_and_gamma_cases():
    rows = []
    for n in [0, 1, 10, 24, 25, 26, 27, 30, 61, 100]:
        rows.append(f"        ({n}, {default_gamma(n)}, {arr(default_weights(n))}),\n")
    return rows


def argsort_cases():
    # Kernel centres with ties, sorted by NumPy's default (introsort) argsort: which of two equal centres comes first
    # decides which gets which neighbour gap. Above 16 elements the quicksort partitioning reorders ties.
    rs = np.random.RandomState(5)
    rows = []
    for size, distinct in [(5, 3), (16, 4), (17, 4), (18, 5), (40, 6), (41, 12), (200, 9), (1000, 30)]:
        values = rs.randint(0, distinct, size=size).astype(float)
        rows.append(f"        ({arr(values)},\n            {ints(np.argsort(values))}),\n")
    return rows


def split_study(direction, liar):
    d = od.FloatDistribution(0.0, 1.0)
    study = optuna.create_study(direction=direction)
    trials = []  # (state, value, intermediate, has x)
    values = [0.3, 0.9, 0.1, 0.5, 0.5, 0.2, 0.7, 0.05, 0.8, 0.4, 0.65, 0.15]
    rs = np.random.RandomState(3)
    for i, v in enumerate(values):
        trials.append((TrialState.COMPLETE, v, {}, i != 4))
    trials.append((TrialState.PRUNED, None, {1: 0.4, 3: 0.01}, True))
    trials.append((TrialState.PRUNED, None, {5: 0.6}, True))
    trials.append((TrialState.PRUNED, None, {}, True))
    trials.append((TrialState.PRUNED, None, {2: float("nan")}, True))
    trials.append((TrialState.FAIL, None, {}, True))
    trials.append((TrialState.RUNNING, None, {}, True))
    trials.append((TrialState.PRUNED, None, {5: 0.02, 2: 0.9}, True))
    trials.append((TrialState.RUNNING, None, {}, False))
    trials.append((TrialState.COMPLETE, 0.3, {}, True))
    trials.append((TrialState.PRUNED, None, {3: 0.5}, False))
    cs = []
    for number, (state, value, inter, has_x) in enumerate(trials):
        x = float(np.round(rs.uniform(), 3))
        params = {"x": x} if has_x else {}
        dists = {"x": d} if has_x else {}
        study.add_trial(create_trial(state=state, value=value, params=params, distributions=dists,
                                     intermediate_values=inter))
        cs.append(
            f"            new Trial {{ Number = {number}, State = TrialState.{state.name.capitalize().replace('Fail', 'Failed')}, "
            + ("Params = P((\"x\", " + num(x) + "))" if has_x else "Params = P()")
            + (f", Values = [{num(value)}]" if value is not None else "")
            + (", Intermediate = [" + ", ".join(f"new({k}, {num(v)})" for k, v in inter.items()) + "]" if inter else "")
            + " },\n")
    vals, scores, _ = _get_observation_pairs(study, ["x"], liar, False)
    n = sum(s < float("inf") for s, _ in scores)
    below, above = _split_observation_pairs(scores, default_gamma(n), None)
    observed = [t for t in study.get_trials(deepcopy=False) if t.state in
                ((TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING) if liar else
                 (TrialState.COMPLETE, TrialState.PRUNED))]
    below_numbers = [observed[i].number for i in below]
    above_numbers = [observed[i].number for i in above]
    return cs, below_numbers, above_numbers


def split_cases():
    out = []
    trials_cs = None
    for direction in ["minimize", "maximize"]:
        for liar in [False, True]:
            cs, below, above = split_study(direction, liar)
            trials_cs = cs
            out.append(f"        (Direction.{direction.capitalize()}, {str(liar).lower()}, {ints(below)}, {ints(above)}),\n")
    return trials_cs, out


def group_case():
    fx = od.FloatDistribution(0, 1)
    study = optuna.create_study()
    sets = [["a", "b", "c"], ["a", "b", "c"], ["a", "d"], ["a", "b", "e", "f"], ["a", "d", "g"], ["a", "b", "c"]]
    states = [TrialState.COMPLETE, TrialState.PRUNED, TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL,
              TrialState.COMPLETE]
    cs = []
    for number, (names, state) in enumerate(zip(sets, states)):
        study.add_trial(create_trial(state=state, value=0.0 if state == TrialState.COMPLETE else None,
                                     params={n: 0.5 for n in names}, distributions={n: fx for n in names}))
        cs.append(f"            ({ints([number])[1:-1]}, TrialState.{state.name.capitalize().replace('Fail', 'Failed')}, "
                  f"{strs(names)}),\n")
    groups = _GroupDecomposedSearchSpace(True).calculate(study).search_spaces
    return cs, [sorted(g.keys()) for g in groups]


# End-to-end sampler cases ---------------------------------------------------------------------------------------

class SpaceParam:
    def __init__(self, name, dist, parent=None, parent_in=None):
        self.name, self.dist, self.parent, self.parent_in = name, dist, parent, parent_in


def conditional_space():
    return [
        SpaceParam("kind", cat(["a", "b"])),
        SpaceParam("x", flt(-5.0, 5.0), "kind", ["a"]),
        SpaceParam("n", integer(1, 64, log=True), "kind", ["b"]),
        SpaceParam("lr", flt(1e-4, 1e-1, log=True)),
        SpaceParam("k", integer(0, 10, step=2)),
        SpaceParam("s", flt(0.0, 1.0, step=0.25)),
        SpaceParam("act", cat(["relu", "tanh", "gelu"])),
        SpaceParam("fixed", flt(2.0, 2.0)),
    ]


def space_cs(space):
    parts = []
    for p in space:
        when = f", new Condition(\"{p.parent}\", {strs(p.parent_in)})" if p.parent else ""
        parts.append(f"new ParameterSpec(\"{p.name}\", {p.dist[1]}{when})")
    return "SearchSpace.Create(" + ", ".join(parts) + ")"


def is_active(p, external):
    return p.parent is None or (p.parent in external and external[p.parent] in p.parent_in)


def objective_value(ext):
    v = (math.log10(ext["lr"]) + 2.5) ** 2 + 0.1 * abs(ext["k"] - 6) + (ext["s"] - 0.5) ** 2
    v += (ext["x"] - 1.0) ** 2 / 10 if ext["kind"] == "a" else abs(math.log2(ext["n"]) - 4) / 3
    return v + (0.0 if ext["act"] == "gelu" else 0.2)


class ReplayedRandomState:
    """Stands in for the sampler's np.random.RandomState and records every draw TPE makes (all are
    random_sample() draws underneath: choice(p=...), uniform(0, 1) and rand())."""

    def __init__(self, seed):
        self._rs = np.random.RandomState(seed)
        self.draws = []

    def random_sample(self, size=None):
        values = self._rs.random_sample(size)
        self.draws.extend(np.atleast_1d(values).tolist())
        return values

    def rand(self, *shape):
        return self.random_sample(shape if shape else None)

    def uniform(self, low=0.0, high=1.0, size=None):
        assert low == 0 and high == 1
        return self.random_sample(size)

    def choice(self, a, size=None, replace=True, p=None):
        assert p is not None and replace
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        return cdf.searchsorted(self.random_sample(size), side="right")


def sampler_case(name, n_history, seed, direction="minimize", liar=False, multivariate=False, group=False,
                 n_running=0, n_pruned=0, n_failed=0):
    space = conditional_space()
    rs = np.random.RandomState(seed)
    study = optuna.create_study(direction=direction)
    trials_cs = []
    total = n_history + n_running + n_pruned + n_failed
    kinds = [TrialState.COMPLETE] * n_history + [TrialState.RUNNING] * n_running + \
        [TrialState.PRUNED] * n_pruned + [TrialState.FAIL] * n_failed
    order = rs.permutation(total)
    for number in range(total):
        state = kinds[order[number]]
        external, internal, dists = {}, {}, {}
        for p in space:
            if not is_active(p, external):
                continue
            d = p.dist[0]
            if isinstance(d, od.CategoricalDistribution):
                index = int(rs.randint(len(d.choices)))
                external[p.name], internal[p.name] = d.choices[index], index
            elif isinstance(d, od.IntDistribution):
                if d.log:
                    v = int(min(max(round(math.exp(rs.uniform(math.log(d.low), math.log(d.high)))), d.low), d.high))
                else:
                    v = int(d.low + rs.randint((d.high - d.low) // d.step + 1) * d.step)
                external[p.name], internal[p.name] = v, v
            else:
                if d.log:
                    v = float(math.exp(rs.uniform(math.log(d.low), math.log(d.high))))
                elif d.step is not None:
                    v = float(d.low + rs.randint(int(round((d.high - d.low) / d.step)) + 1) * d.step)
                else:
                    v = float(rs.uniform(d.low, d.high))
                external[p.name], internal[p.name] = v, v
            dists[p.name] = d
        value = objective_value(external)
        inter = {}
        if state == TrialState.PRUNED:
            inter = {1: value * 1.5, 2: value * 1.2} if number % 3 else {}
        study.add_trial(create_trial(state=state, value=value if state == TrialState.COMPLETE else None,
                                     params=external, distributions=dists, intermediate_values=inter))
        trials_cs.append(
            f"                new Trial {{ Number = {number}, State = TrialState.{state.name.capitalize().replace('Fail', 'Failed')}, "
            "Params = P(" + ", ".join(f"(\"{k}\", {num(v)})" for k, v in internal.items()) + ")"
            + (f", Values = [{num(value)}]" if state == TrialState.COMPLETE else "")
            + (", Intermediate = [" + ", ".join(f"new({k}, {num(v)})" for k, v in inter.items()) + "]" if inter else "")
            + " },\n")

    sampler = optuna.samplers.TPESampler(multivariate=multivariate, group=group, constant_liar=liar, seed=seed)
    replay = ReplayedRandomState(seed)
    sampler._rng = replay
    current = create_trial(state=TrialState.RUNNING)  # The trial being sampled; samplers use it only for logging.
    relative_space = sampler.infer_relative_search_space(study, current)
    relative = sampler.sample_relative(study, current, relative_space)
    external, internal = {}, {}
    for p in space:
        if not is_active(p, external):
            continue
        d = p.dist[0]
        if d.single():
            value = od._get_single_value(d)
        elif p.name in relative and d._contains(d.to_internal_repr(relative[p.name])):
            value = relative[p.name]
        else:
            value = sampler.sample_independent(study, current, p.name, d)
        external[p.name] = value
        internal[p.name] = d.to_internal_repr(value)

    options = ["Optuna31Density = true"]
    options += ["Multivariate = true"] if multivariate else []
    options += ["Group = true"] if group else []
    options += ["ConstantLiar = true"] if liar else []
    return (
        f"        new(\"{name}\", {space_cs(space)}, Direction.{direction.capitalize()},\n"
        f"            new TpeOptions {{ {', '.join(options)} }},\n"
        "            [\n" + "".join(trials_cs) + "            ],\n"
        f"            Draws: {arr(replay.draws)},\n"
        "            Expected: P(" + ", ".join(f"(\"{k}\", {num(v)})" for k, v in internal.items()) + ")),\n"
    )


def sampler_cases():
    return [
        sampler_case("univariate", 30, 11),
        sampler_case("univariate, maximize, pruned and failed", 26, 12, direction="maximize", n_pruned=5,
                     n_failed=2),
        sampler_case("univariate, constant liar", 24, 13, liar=True, n_running=6, n_pruned=2),
        sampler_case("univariate, many trials", 60, 14),
        sampler_case("multivariate", 30, 15, multivariate=True, n_pruned=3),
        sampler_case("multivariate, group", 30, 16, multivariate=True, group=True),
        sampler_case("multivariate, group, constant liar", 28, 17, multivariate=True, group=True, liar=True,
                     n_running=4, n_pruned=3, n_failed=1),
    ]


def main():
    split_trials, splits = split_cases()
    group_trials, groups = group_case()
    print("// <auto-generated>")
    print("// Produced by optuna_reference.py with Optuna 3.1.0 (see that file for how to regenerate). Do not edit.")
    print("// </auto-generated>")
    print("using AutoDL.Core.Search;")
    print("using AutoDL.Core.Search.Tpe;")
    print()
    print("namespace AutoDL.Core.Tests.Search;")
    print()
    print("internal static partial class OptunaReference")
    print("{")
    print("    public static readonly EstimatorCase[] Estimators =")
    print("    [")
    print("".join(estimator_cases()), end="")
    print("    ];")
    print()
    print("    /// <summary>(q, a, b, ppf(q; a, b)) of the standard normal truncated to [a, b].</summary>")
    print("    public static readonly (double Q, double A, double B, double Ppf)[] Ppf =")
    print("    [")
    print("".join(ppf_cases()), end="")
    print("    ];")
    print()
    print("    /// <summary>(a, b, log of the standard normal's mass on [a, b]).</summary>")
    print("    public static readonly (double A, double B, double LogMass)[] LogGaussMass =")
    print("    [")
    print("".join(log_gauss_mass_cases()), end="")
    print("    ];")
    print()
    print("    /// <summary>(n, default_gamma(n), default_weights(n)).</summary>")
    print("    public static readonly (int N, int Gamma, double[] Weights)[] WeightsAndGamma =")
    print("    [")
    print("".join(weights_and_gamma_cases()), end="")
    print("    ];")
    print()
    print("    /// <summary>(values, np.argsort(values)) for values with many ties.</summary>")
    print("    public static readonly (double[] Values, int[] Order)[] Argsorts =")
    print("    [")
    print("".join(argsort_cases()), end="")
    print("    ];")
    print()
    print("    public static Trial[] SplitTrials() =>")
    print("        [")
    print("".join(split_trials), end="")
    print("        ];")
    print()
    print("    /// <summary>Trial numbers below (good) and above gamma, as Optuna splits <see cref=\"SplitTrials\"/>.</summary>")
    print("    public static readonly (Direction Direction, bool ConstantLiar, int[] Below, int[] Above)[] Splits =")
    print("    [")
    print("".join(splits), end="")
    print("    ];")
    print()
    print("    /// <summary>(trial number, state, parameter names) of the trials <see cref=\"Groups\"/> decomposes.</summary>")
    print("    public static readonly (int Number, TrialState State, string[] Names)[] GroupTrials =")
    print("    [")
    print("".join(group_trials), end="")
    print("    ];")
    print()
    print("    /// <summary>Optuna's group decomposition of <see cref=\"GroupTrials\"/>, each group's names sorted.</summary>")
    print(f"    public static readonly string[][] Groups = [{', '.join(strs(g) for g in groups)}];")
    print()
    print("    public static SamplerCase[] Samplers() =>")
    print("    [")
    print("".join(sampler_cases()), end="")
    print("    ];")
    print("}")


if __name__ == "__main__":
    main()
