"""Shared by the peer scripts: load the MNIST CSVs and scale the inputs the
way densetrain's `fit --scale minmax` does (scikit-learn's MinMaxScaler):
(x - min) / (max - min) with the training set's minimum and maximum per
column, a constant column mapped to 0 on the training set; the scripts'
common flags; and the set-up and training loop of the PyTorch peers."""
import argparse
import json
import time

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


def parser(epochs, threads=True):
    """Returns an argument parser with the flags every peer script takes:
    --train and --test (the CSV files), --epochs (default epochs), --threads
    (PyTorch's, when threads) and --seed."""
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--epochs", type=int, default=epochs)
    if threads:
        p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    return p


def torch_data(a):
    """Sets PyTorch's threads and seed from the parsed flags a, and returns
    the data of load (float32) as tensors, the labels as int64."""
    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr, xte, yte = load(a.train, a.test, np.float32)
    return (torch.from_numpy(xtr), torch.from_numpy(ytr).long(),
            torch.from_numpy(xte), torch.from_numpy(yte).long())


def train_epochs(model, opt, lossf, xtr, ytr, xte, yte, epochs, seed, before_epoch=None):
    """Trains with batches of 128 reshuffled every epoch (a generator seeded
    with seed) and prints one JSON line per epoch: the epoch, the seconds of
    its training steps only and the test accuracy in eval mode.
    before_epoch(epoch), when given, runs at each epoch's start."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        if before_epoch is not None:
            before_epoch(epoch)
        model.train()
        t = time.perf_counter()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        for i in range(0, xtr.shape[0], 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = lossf(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        secs = time.perf_counter() - t
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(json.dumps({"epoch": epoch, "train_seconds": secs, "test_accuracy": acc}), flush=True)
