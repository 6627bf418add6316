"""Shared by the peer scripts: load the MNIST CSVs and standardize them the
way densetrain does (training-set mean and population standard deviation,
constant columns mapped to 0)."""
import pandas as pd
import numpy as np


def load(train_path, test_path, dtype):
    train = pd.read_csv(train_path)
    test = pd.read_csv(test_path)
    xtr = train.drop(columns="label").to_numpy(dtype=np.float64)
    xte = test.drop(columns="label").to_numpy(dtype=np.float64)
    mean = xtr.mean(axis=0)
    std = xtr.std(axis=0)
    std[std == 0] = 1
    xtr = ((xtr - mean) / std).astype(dtype)
    xte = ((xte - mean) / std).astype(dtype)
    return xtr, train["label"].to_numpy(), xte, test["label"].to_numpy()
