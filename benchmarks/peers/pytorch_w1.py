"""W1 (784-256-128-10, ReLU, softmax cross-entropy, Adam lr 1e-3 with
Keras' epsilon, batch 128) with PyTorch on the CPU. Prints one JSON line per
epoch: training seconds (training steps only) and test accuracy."""
import argparse

import numpy as np
import torch

from common import load, train_epochs

p = argparse.ArgumentParser()
p.add_argument("--train", required=True)
p.add_argument("--test", required=True)
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
xtr, ytr, xte, yte = load(a.train, a.test, np.float32)
xtr, xte = torch.from_numpy(xtr), torch.from_numpy(xte)
ytr, yte = torch.from_numpy(ytr).long(), torch.from_numpy(yte).long()
model = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 128), torch.nn.ReLU(),
    torch.nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
lossf = torch.nn.CrossEntropyLoss()
train_epochs(model, opt, lossf, xtr, ytr, xte, yte, a.epochs, a.seed)
