"""densetrain's defaults against scikit-learn on the benchmark's tables
(make.py's CSV files):

    /usr/bin/python3 benchmarks/tables/run.py --data DIR --train PATH/train \\
        [--half meta-train|meta-test|all] [--seeds 3] [--only NAME] [--skip A,B] [--json OUT]
        [--fit-args "--scale robust"] [--reuse EARLIER.json]

For each table and seed: a seeded 75/25 split (stratified when the task is
to classify), then each learner fits the 75 and is scored on the 25 —
accuracy, or r² for regression:

- densetrain: `train fit --data train.csv --target T` with every other
  setting its default, then `train evaluate --json` of test.csv; its time
  is the fit command's wall time, CSV parse included;
- HGB: HistGradientBoosting with scikit-learn's defaults, text columns
  ordinal-encoded and declared categorical (those of at most 255 values);
- MLP: the careful scikit-learn pipeline — median imputation and standard
  scaling of numbers, most-frequent imputation and one-hot encoding of
  text, MLP(128, 64) with early stopping (the target standardized for
  regression).

`--fit-args` adds settings to densetrain's fit (an ablation); `--reuse`
takes scikit-learn's scores and times from an earlier run's JSON (same
tables and seeds) instead of fitting them again.

Prints a row per table (the mean over seeds) and a summary per half,
with each table below the MLP pipeline by more than issue 29's limit
(0.01 accuracy, 0.02 r²) and the standard error of that difference.
Needs python3-sklearn and python3-pandas (Debian)."""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tables import TABLES  # noqa: E402


def split(df, target, task, seed):
    strat = df[target] if task == "classify" and df[target].value_counts().min() >= 2 else None
    return train_test_split(df, test_size=0.25, random_state=seed, stratify=strat)


def score(task, y, pred):
    return accuracy_score(y, pred) if task == "classify" else r2_score(y, pred)


def run_densetrain(binary, train, test, target, tmp, extra=()):
    tr, te, model = (os.path.join(tmp, n) for n in ("train.csv", "test.csv", "model.st"))
    train.to_csv(tr, index=False)
    test.to_csv(te, index=False)
    start = time.perf_counter()
    fit = subprocess.run([binary, "fit", "--data", tr, "--target", target, "--out", model, "--quiet", *extra],
                         capture_output=True, text=True)
    took = time.perf_counter() - start
    if fit.returncode != 0:
        return float("nan"), took, fit.stderr.strip().splitlines()[-1] if fit.stderr.strip() else "failed"
    ev = subprocess.run([binary, "evaluate", "--model", model, "--data", te, "--json"], capture_output=True, text=True)
    if ev.returncode != 0:
        return float("nan"), took, ev.stderr.strip().splitlines()[-1]
    m = json.loads(ev.stdout)
    return m.get("accuracy", m.get("r2")), took, ""


def columns(x):
    text = [c for c in x.columns if x[c].dtype == object or str(x[c].dtype) in ("category", "bool")]
    return [c for c in x.columns if c not in text], text


def run_hgb(train, test, target, task, seed):
    x, y = train.drop(columns=target), train[target]
    num, text = columns(x)
    cat = [c for c in text if x[c].nunique() <= 255]
    enc = ColumnTransformer([("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                                    encoded_missing_value=np.nan), text)],
                            remainder="passthrough")
    mask = [c in cat for c in text] + [False] * len(num)
    model = (HistGradientBoostingClassifier if task == "classify" else HistGradientBoostingRegressor)(
        categorical_features=mask, random_state=seed)
    pipe = Pipeline([("enc", enc), ("hgb", model)])
    start = time.perf_counter()
    pipe.fit(x, y)
    took = time.perf_counter() - start
    return score(task, test[target], pipe.predict(test.drop(columns=target))), took


def run_mlp(train, test, target, task, seed):
    x, y = train.drop(columns=target), train[target]
    num, text = columns(x)
    pre = ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num),
        ("cat", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                          ("oh", OneHotEncoder(handle_unknown="ignore"))]), text)])
    if task == "classify":
        model = MLPClassifier((128, 64), early_stopping=True, max_iter=300, random_state=seed)
    else:
        model = TransformedTargetRegressor(MLPRegressor((128, 64), early_stopping=True, max_iter=300, random_state=seed),
                                           transformer=StandardScaler())
    pipe = Pipeline([("pre", pre), ("mlp", model)])
    start = time.perf_counter()
    pipe.fit(x, y)
    took = time.perf_counter() - start
    return score(task, test[target], pipe.predict(test.drop(columns=target))), took


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--train", required=True, help="the train binary")
    p.add_argument("--half", default="meta-train", choices=["meta-train", "meta-test", "all"])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--only", default="")
    p.add_argument("--skip", default="", help="leave out the tables whose names contain one of these (comma-separated)")
    p.add_argument("--json", default="")
    p.add_argument("--fit-args", default="", help="more settings of densetrain's fit")
    p.add_argument("--reuse", default="", help="scikit-learn's results from an earlier --json")
    p.add_argument("--no-sklearn", action="store_true", help="fit densetrain alone (scikit-learn's scores NaN unless reused)")
    a = p.parse_args()
    extra = shlex.split(a.fit_args)
    earlier = {}
    if a.reuse:
        with open(a.reuse) as f:
            earlier = {r["table"]: r for r in json.load(f)}
    warnings.simplefilter("ignore")
    halves = list(TABLES) if a.half == "all" else [a.half]
    results = []
    print("| half | table | task | rows | densetrain | HGB | MLP | fit s: densetrain / HGB / MLP |")
    print("|---|---|---|---|---|---|---|---|")
    for half in halves:
        for pkg, name, target, task, _ in TABLES[half]:
            if a.only and a.only not in name:
                continue
            if any(x and x in name for x in a.skip.split(",")):
                continue
            df = pd.read_csv(os.path.join(a.data, f"{pkg}-{name}.csv"), keep_default_na=True)
            df = df[df[target].notna()]
            runs = {"densetrain": [], "HGB": [], "MLP": []}
            times = {k: [] for k in runs}
            notes = []
            for seed in range(a.seeds):
                train, test = split(df, target, task, seed)
                with tempfile.TemporaryDirectory() as tmp:
                    s, t, note = run_densetrain(a.train, train, test, target, tmp, extra)
                runs["densetrain"].append(s)
                times["densetrain"].append(t)
                if note:
                    notes.append(note)
                for k, f in (("HGB", run_hgb), ("MLP", run_mlp)):
                    old = earlier.get(f"{pkg}/{name}")
                    if old and len(old["scores"][k]) > seed:
                        runs[k].append(old["scores"][k][seed])
                        times[k].append(old["times"][k][seed])
                        continue
                    if a.no_sklearn:
                        runs[k].append(float("nan"))
                        times[k].append(float("nan"))
                        continue
                    s, t = f(train, test, target, task, seed)
                    runs[k].append(s)
                    times[k].append(t)
            mean = {k: statistics.fmean(v) for k, v in runs.items()}
            tmed = {k: statistics.median(v) for k, v in times.items()}
            results.append({"half": half, "table": f"{pkg}/{name}", "task": task, "rows": len(df),
                            "scores": runs, "times": times, "notes": notes})
            print(f"| {half} | {pkg}/{name} | {task} | {len(df)} | {mean['densetrain']:.3f} | {mean['HGB']:.3f} | "
                  f"{mean['MLP']:.3f} | {tmed['densetrain']:.2f} / {tmed['HGB']:.2f} / {tmed['MLP']:.2f} |"
                  + (f" {notes[0]}" if notes else ""), flush=True)
    for half in halves:
        rs = [r for r in results if r["half"] == half]
        if not rs:
            continue
        failed = [r["table"] for r in rs if any(np.isnan(v) for v in r["scores"]["densetrain"])]
        ok = [r for r in rs if r["table"] not in failed]
        m = {k: statistics.fmean(statistics.fmean(r["scores"][k]) for r in ok) for k in ("densetrain", "HGB", "MLP")}
        wins = sum(statistics.fmean(r["scores"]["densetrain"]) >= statistics.fmean(r["scores"]["HGB"]) for r in ok)
        ratio = statistics.median(statistics.median(r["times"]["densetrain"]) / statistics.median(r["times"]["HGB"]) for r in rs)
        print(f"\n{half}: {len(rs)} tables; densetrain failed on {len(failed)} {failed}; on the other {len(ok)}, "
              f"mean score densetrain {m['densetrain']:.3f}, HGB {m['HGB']:.3f}, MLP {m['MLP']:.3f}; "
              f"densetrain ≥ HGB on {wins}; median fit-time ratio to HGB {ratio:.2f}×")
        for r in ok:
            below(r)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


# The acceptance limit of issue 29: no table below the MLP pipeline by more
# than this (accuracy, r²).
LIMIT = {"classify": 0.01, "regress": 0.02}


def below(r):
    """Prints a table where densetrain is below the MLP pipeline by more than
    LIMIT, with the paired difference's standard error over the seeds (each
    seed one split that both learners share)."""
    d = [a - b for a, b in zip(r["scores"]["densetrain"], r["scores"]["MLP"])]
    if np.isnan(d).any() or statistics.fmean(d) >= -LIMIT[r["task"]]:
        return
    se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    print(f"  below the MLP pipeline by more than {LIMIT[r['task']]}: {r['table']}, "
          f"{statistics.fmean(d):+.3f} (standard error {se:.3f} over {len(d)} splits)")


if __name__ == "__main__":
    main()
