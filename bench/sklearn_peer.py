#!/usr/bin/python3
"""scikit-learn's side of bench/tabular.sh and bench/suite.sh: default models fitted on the same train/test split as
AutoDL.Bench's tabular benchmark and tabular suite.

Run with Debian's interpreter (/usr/bin/python3), for which the python3-sklearn package installs scikit-learn 1.2.
The one argument is a JSON request:
  {"train": path, "test": path, "target": name, "task": "binary"|"multiclass"|"regression",
   "numeric": [names], "categorical": [names], "seed": s, "svm_max_rows": n}
Both CSVs have a header row. Preprocessing, the least needed for every model to run at all, fitted on the training
rows only: numeric columns get missing values (empty or unparsable fields) filled with the median; categorical ones
get missing values (empty fields, or the product's markers NA, ?, ...) filled with the most frequent category and are one-hot encoded (unknown test
categories are all-zero). LogisticRegression/Ridge, SVC/SVR and MLP also get StandardScaler on the numeric
columns; the tree models see them unscaled. Models keep their default settings, except RandomForest's
n_estimators=500 (the issue's) and n_jobs=-1 (all cores, as HistGradientBoosting and our learners use); SVC/SVR,
whose fit is O(n^2), fit on a seeded subsample of svm_max_rows training rows when there are more.
Prints one JSON object per line: {"model": name, "metric": test accuracy or R^2, "balanced_accuracy": classification
only, "fit_s": seconds, "note": text}.
"""
import csv
import json
import math
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier, \
    RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC, SVR


# The product's missing markers (TabularValues.MissingMarkers), besides empty fields.
MISSING = {"na", "n/a", "nan", "null", "none", "?", "#n/a"}


def category(text):
    text = text.strip()
    return "" if text.lower() in MISSING else text


def read(path, target, numeric, categorical):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], [r for r in rows[1:] if r]
    index = {name: i for i, name in enumerate(header)}

    def number(text):
        try:
            value = float(text)
            return value if math.isfinite(value) else math.nan
        except ValueError:
            return math.nan

    x_num = np.array([[number(r[index[c]]) for c in numeric] for r in rows], dtype=np.float64).reshape(len(rows), len(numeric))
    x_cat = np.array([[category(r[index[c]]) for c in categorical] for r in rows], dtype=object).reshape(len(rows), len(categorical))
    y = [r[index[target]].strip() for r in rows]
    return x_num, x_cat, y


def design(request):
    numeric, categorical = request["numeric"], request["categorical"]
    train_num, train_cat, y_train = read(request["train"], request["target"], numeric, categorical)
    test_num, test_cat, y_test = read(request["test"], request["target"], numeric, categorical)
    parts_plain, parts_scaled = [[], []], [[], []]
    if numeric:
        imputer = SimpleImputer(strategy="median").fit(train_num)
        train_num, test_num = imputer.transform(train_num), imputer.transform(test_num)
        scaler = StandardScaler().fit(train_num)
        for parts, (a, b) in ((parts_plain, (train_num, test_num)), (parts_scaled, (scaler.transform(train_num), scaler.transform(test_num)))):
            parts[0].append(a)
            parts[1].append(b)
    if categorical:
        # Empty fields are missing; a column empty on every training row is dropped by the imputer.
        imputer = SimpleImputer(strategy="most_frequent", missing_values="").fit(train_cat)
        train_cat, test_cat = imputer.transform(train_cat), imputer.transform(test_cat)
    if categorical and train_cat.shape[1] > 0:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train_cat)
        a, b = encoder.transform(train_cat), encoder.transform(test_cat)
        for parts in (parts_plain, parts_scaled):
            parts[0].append(a)
            parts[1].append(b)
    plain = (np.hstack(parts_plain[0]), np.hstack(parts_plain[1]))
    scaled = (np.hstack(parts_scaled[0]), np.hstack(parts_scaled[1]))
    if request["task"] == "regression":
        y_train, y_test = np.array(y_train, dtype=np.float64), np.array(y_test, dtype=np.float64)
    else:
        y_train, y_test = np.array(y_train, dtype=object), np.array(y_test, dtype=object)
    return plain, scaled, y_train, y_test


def models(task, seed):
    """(name, estimator, scaled input, subsampled like an SVM) — default settings but for the issue's 500 trees."""
    if task == "regression":
        return [
            ("Ridge", Ridge(), True, False),
            ("RandomForest(500)", RandomForestRegressor(n_estimators=500, n_jobs=-1, random_state=seed), False, False),
            ("HistGradientBoosting", HistGradientBoostingRegressor(random_state=seed), False, False),
            ("SVR", SVR(), True, True),
            ("MLP", MLPRegressor(random_state=seed), True, False),
        ]
    return [
        ("LogisticRegression", LogisticRegression(), True, False),
        ("RandomForest(500)", RandomForestClassifier(n_estimators=500, n_jobs=-1, random_state=seed), False, False),
        ("HistGradientBoosting", HistGradientBoostingClassifier(random_state=seed), False, False),
        ("SVC", SVC(random_state=seed), True, True),
        ("MLP", MLPClassifier(random_state=seed), True, False),
    ]


def main():
    request = json.loads(sys.argv[1])
    task, seed, svm_max_rows = request["task"], request["seed"], request["svm_max_rows"]
    plain, scaled, y_train, y_test = design(request)
    for name, model, use_scaled, is_svm in models(task, seed):
        (x_train, x_test), fit_y, notes = (scaled if use_scaled else plain), y_train, []
        if is_svm and len(fit_y) > svm_max_rows:
            rows = np.random.default_rng(seed).choice(len(fit_y), size=svm_max_rows, replace=False)
            x_train, fit_y = x_train[rows], fit_y[rows]
            notes.append(f"fit on a {svm_max_rows:,}-row subsample of {len(y_train):,} (O(n^2))")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(x_train, fit_y)
            fit_s = time.perf_counter() - start
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            notes.append("ConvergenceWarning at default max_iter")
        predicted = model.predict(x_test)
        regression = task == "regression"
        metric = r2_score(y_test, predicted) if regression else accuracy_score(y_test, predicted)
        balanced = None if regression else float(balanced_accuracy_score(y_test, predicted))
        print(json.dumps({"model": name, "metric": float(metric), "balanced_accuracy": balanced, "fit_s": fit_s, "note": "; ".join(notes),
                          "sklearn": sklearn.__version__}), flush=True)


if __name__ == "__main__":
    main()
