"""W1 (784-256-128-10, ReLU, softmax cross-entropy, Adam lr 1e-3 with
Keras' epsilon, batch 128) with PyTorch on the CPU. Prints one JSON line per
epoch: training seconds (training steps only) and test accuracy."""
import torch

from common import parser, torch_data, train_epochs

a = parser(epochs=10).parse_args()
xtr, ytr, xte, yte = torch_data(a)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 128), torch.nn.ReLU(),
    torch.nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
lossf = torch.nn.CrossEntropyLoss()
train_epochs(model, opt, lossf, xtr, ytr, xte, yte, a.epochs, a.seed)
