"""Shared by the peer scripts: load the MNIST CSVs and scale the inputs the
way densetrain's `fit --scale minmax` does (scikit-learn's MinMaxScaler):
(x - min) / (max - min) with the training set's minimum and maximum per
column, a constant column mapped to 0 on the training set."""
import pandas as pd
import numpy as np


def load(train_path, test_path, dtype):
    train = pd.read_csv(train_path)
    test = pd.read_csv(test_path)
    xtr = train.drop(columns="label").to_numpy(dtype=np.float64)
    xte = test.drop(columns="label").to_numpy(dtype=np.float64)
    lo = xtr.min(axis=0)
    span = xtr.max(axis=0) - lo
    span[span == 0] = 1
    xtr = ((xtr - lo) / span).astype(dtype)
    xte = ((xte - lo) / span).astype(dtype)
    return xtr, train["label"].to_numpy(), xte, test["label"].to_numpy()
