"""W1 with scikit-learn's MLPClassifier (hidden 256, 128, ReLU, Adam lr
1e-3, batch 128, no L2), one partial_fit per epoch. Prints one JSON line per
epoch like pytorch_w1.py."""
import json
import time

import numpy as np
from sklearn.neural_network import MLPClassifier

from common import load, parser

a = parser(epochs=10, threads=False).parse_args()

xtr, ytr, xte, yte = load(a.train, a.test, np.float32)
clf = MLPClassifier(hidden_layer_sizes=(256, 128), activation="relu", solver="adam",
                    learning_rate_init=1e-3, batch_size=128, alpha=0.0, epsilon=1e-7,
                    shuffle=True, random_state=a.seed)
classes = np.unique(ytr)
for epoch in range(1, a.epochs + 1):
    t = time.perf_counter()
    clf.partial_fit(xtr, ytr, classes=classes)
    secs = time.perf_counter() - t
    acc = float((clf.predict(xte) == yte).mean())
    print(json.dumps({"epoch": epoch, "train_seconds": secs, "test_accuracy": acc}), flush=True)
