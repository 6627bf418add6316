"""The dropout MLP recipe on MNIST with PyTorch on the CPU, the peer of
densetrain's `train fit --input-dropout 0.2 --dropout 0.5` in
benchmarks/dropout (see main.go there).

784-1024-1024-10, ReLU, dropout 0.2 on the input pixels and 0.5 after each
hidden layer, softmax cross-entropy, Adam (lr 1e-3, Keras' epsilon 1e-7),
batch 128 reshuffled every epoch, Glorot-uniform weights and zero biases
(Keras' defaults, set explicitly: PyTorch's own default differs), inputs
min-max scaled with the training set's per-column minimum and range
(scikit-learn's MinMaxScaler; benchmarks/peers/common.py).

Prints one JSON line per epoch to stdout: the epoch, the seconds of that
epoch's training steps only (not the evaluation) and the accuracy on the
test file in eval mode (dropout off).

    /usr/bin/python3 benchmarks/dropout/pytorch_dropout.py \
        --train /tmp/mnist/mnist_train.csv --test /tmp/mnist/mnist_test.csv \
        --epochs 25 --threads 2 --seed 1
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from common import parser, torch_data, train_epochs  # noqa: E402  (benchmarks/peers/common.py)

p = parser(epochs=25)
p.add_argument("--lr-schedule", default="constant", choices=["constant", "cosine"],
               help="cosine: from 1e-3 down to 0 along half a cosine over the epochs, set at each epoch's start (densetrain's --lr-schedule cosine)")
a = p.parse_args()
xtr, ytr, xte, yte = torch_data(a)
classes = int(ytr.max().item()) + 1
model = torch.nn.Sequential(
    torch.nn.Dropout(0.2),
    torch.nn.Linear(xtr.shape[1], 1024), torch.nn.ReLU(), torch.nn.Dropout(0.5),
    torch.nn.Linear(1024, 1024), torch.nn.ReLU(), torch.nn.Dropout(0.5),
    torch.nn.Linear(1024, classes))
for m in model:
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)  # Keras' glorot_uniform
        torch.nn.init.zeros_(m.bias)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
lossf = torch.nn.CrossEntropyLoss()


def cosine(epoch):  # nn.CosineDecay(1e-3, epochs, 0), set at the epoch's start
    for g in opt.param_groups:
        g["lr"] = 1e-3 * 0.5 * (1 + math.cos(math.pi * min(epoch - 1, a.epochs) / max(a.epochs, 1)))


train_epochs(model, opt, lossf, xtr, ytr, xte, yte, a.epochs, a.seed,
             cosine if a.lr_schedule == "cosine" else None)
