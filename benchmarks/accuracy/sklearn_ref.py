"""The scikit-learn side of benchmarks/accuracy: the pipeline a careful user
would build for a messy table, fitted on TRAIN and scored on TEST.

    sklearn_ref.py TRAIN.csv TEST.csv TARGET classify|regress [--drop COL]...
        [--no-select] [--mlp KEY=VALUE]...

Both files are read with pandas' defaults (empty cells and "NA", "NaN", ...
are missing); rows without a target are dropped; --drop removes identifier
columns. Columns of a numeric dtype (in TRAIN) are imputed with their mean and
standardized; the others are text: imputed with the constant "missing" and
one-hot encoded, with categories unseen in TRAIN ignored. The model is
scikit-learn's MLP with its defaults (one hidden layer of 100 ReLU units,
Adam at 1e-3, L2 1e-4, batches of min(200, n)), max_iter 1000, random_state
0; for regression the target is standardized too (TransformedTargetRegressor).

Early stopping (on a 10 % validation split of TRAIN) is chosen by 5-fold
cross-validation on TRAIN only, never by TEST: on small tables it stops far
too soon (one step per epoch below 200 rows, a coarse validation accuracy),
while without it the regressors overfit. --no-select always early-stops.

Prints one JSON line: {"accuracy"|"r2": score on TEST, "seconds": time of
the final fit on TRAIN, "select_seconds": the cross-validation included,
"early_stopping": the choice, "train_rows": n, "test_rows": n}.
"""
import argparse
import ast
import json
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

p = argparse.ArgumentParser()
p.add_argument("train")
p.add_argument("test")
p.add_argument("target")
p.add_argument("task", choices=["classify", "regress"])
p.add_argument("--drop", action="append", default=[], help="a column to drop (repeatable)")
p.add_argument("--mlp", action="append", default=[], metavar="KEY=VALUE",
               help="override an MLP parameter, e.g. alpha=0.01 (repeatable; for experiments)")
p.add_argument("--no-select", action="store_true",
               help="always early-stop instead of choosing by cross-validation on TRAIN")
a = p.parse_args()


def read(path):
    # The target is read as text for classification so that labels compare
    # as written ("1" in both files, never 1.0 in one and 1 in the other).
    dtype = {a.target: str} if a.task == "classify" else None
    df = pd.read_csv(path, keep_default_na=True, dtype=dtype)
    df = df.drop(columns=[c for c in a.drop if c in df.columns])
    df = df[df[a.target].notna()]
    y = df.pop(a.target)
    if a.task == "regress":
        y = pd.to_numeric(y)
    return df, y


xtr, ytr = read(a.train)
xte, yte = read(a.test)
numeric = [c for c in xtr.columns if pd.api.types.is_numeric_dtype(xtr[c]) and not pd.api.types.is_bool_dtype(xtr[c])]
text = [c for c in xtr.columns if c not in numeric]
for x in (xtr, xte):
    for c in numeric:
        x[c] = pd.to_numeric(x[c], errors="coerce")  # a stray word in TEST is missing
    for c in text:
        x[c] = x[c].map(lambda v: v if pd.isna(v) else str(v)).astype(object)

pre = ColumnTransformer([
    ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
    ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                          OneHotEncoder(handle_unknown="ignore")), text),
])
mlp = dict(random_state=0, max_iter=1000, early_stopping=True)
for kv in a.mlp:
    k, _, v = kv.partition("=")
    try:
        mlp[k] = ast.literal_eval(v)
    except (ValueError, SyntaxError):
        mlp[k] = v
if a.task == "classify":
    model = MLPClassifier(**mlp)
else:
    model = TransformedTargetRegressor(regressor=MLPRegressor(**mlp), transformer=StandardScaler())
pipe = Pipeline([("pre", pre), ("mlp", model)])

out = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    t = time.perf_counter()
    if a.no_select or any(kv.startswith("early_stopping=") for kv in a.mlp):
        pipe.fit(xtr, ytr)
        secs = time.perf_counter() - t
    else:
        # Early stopping or not, chosen by 5-fold cross-validation on the
        # training rows (shuffled; stratified for classification), then the
        # choice refitted on all of them.
        param = "mlp__early_stopping" if a.task == "classify" else "mlp__regressor__early_stopping"
        folds = (StratifiedKFold if a.task == "classify" else KFold)(5, shuffle=True, random_state=0)
        search = GridSearchCV(pipe, {param: [True, False]}, cv=folds).fit(xtr, ytr)
        pipe, secs = search.best_estimator_, search.refit_time_
        out.update(early_stopping=bool(search.best_params_[param]),
                   select_seconds=time.perf_counter() - t)
pred = pipe.predict(xte)
if a.task == "classify":
    out["accuracy"] = float(accuracy_score(yte, pred))
else:
    out["r2"] = float(r2_score(yte, np.asarray(pred, dtype=float)))
out.update(seconds=secs, train_rows=len(xtr), test_rows=len(xte))
print(json.dumps(out))
