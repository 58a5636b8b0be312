"""Baseline for the tabular example: scikit-learn's LogisticRegression (on standardised
features, the scaler fitted on the training part) on the exact split `tabular` saved.

usage: python3 baseline.py [OUT_DIR]   (default tabular_out)
"""
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

out = sys.argv[1] if len(sys.argv) > 1 else "tabular_out"
train, test = np.load(out + "/train.npz"), np.load(out + "/test.npz")
scaler = StandardScaler().fit(train["x"])
model = LogisticRegression(max_iter=1000).fit(scaler.transform(train["x"]), train["y"])
accuracy = model.score(scaler.transform(test["x"]), test["y"])
print(f"LogisticRegression test accuracy {accuracy:.4f} "
      f"({len(train['y'])} train, {len(test['y'])} test)")
