"""Benchmark: fit_encoding vs the same nested leave-one-run-out done with bare himalaya calls (RidgeCV), and vs
scikit-learn's RidgeCV(alpha_per_target=True); its solver by shape (KernelRidgeCV here) vs RidgeCV; the torch backend;
then fit_encoding's peak memory at 25,000 voxels.

Run: python benchmarks/fit_encoding.py   (writes benchmarks/results/fit_encoding.json)
Data: the quick simulated brain's responses (4 subjects x 2,000 voxels, 1,299 kept TRs in 4 runs) and a design of
the size of SmolLM2's delayed features (4 x 576 = 2,304 columns, random: ridge time does not depend on content)."""
import json
import subprocess
import sys

import numpy as np

from _results import save_result, timed

ALPHAS = np.logspace(-1, 6, 15)


def bare_himalaya(X, Y, runs):
    "The same outer/inner leave-one-run-out and final refit, with nothing but himalaya and numpy."
    from himalaya.ridge import RidgeCV
    from sklearn.model_selection import LeaveOneGroupOut
    def fit(Xa, Ya, groups):
        xz = (Xa - Xa.mean(0)) / Xa.std(0); yz = (Ya - Ya.mean(0)) / Ya.std(0)
        return RidgeCV(alphas=ALPHAS, cv=list(LeaveOneGroupOut().split(xz, groups=groups))).fit(xz, yz)
    for run in np.unique(runs):
        train = runs != run
        model = fit(X[train], Y[train], runs[train])
        model.predict((X[~train] - X[train].mean(0)) / X[train].std(0))
    fit(X, Y, runs)


def sklearn_ridgecv(X, Y, runs):
    "The same outer loop with scikit-learn's RidgeCV (efficient leave-one-sample-out, one alpha per voxel)."
    from sklearn.linear_model import RidgeCV
    for run in np.unique(runs):
        train = runs != run
        xz = (X[train] - X[train].mean(0)) / X[train].std(0); yz = (Y[train] - Y[train].mean(0)) / Y[train].std(0)
        RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(xz, yz).predict((X[~train] - X[train].mean(0)) / X[train].std(0))


PEAK = """
import json, resource
import numpy as np
from brainalign.data import default_stimulus, simulate_brain
from brainalign.encoding import fit_encoding
sim = simulate_brain(default_stimulus(), n_subjects=1, n_voxels=25_000, seed=0)
Y = sim.responses["sim01"]; runs = sim.tr_runs[sim.kept_trs]
X = np.random.default_rng(0).standard_normal((len(Y), 2304)).astype(np.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
fit_encoding(X, Y, runs)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(peak_gib=peak / 2**20, growth_gib=(peak - before) / 2**20, data_gib=(X.nbytes + Y.nbytes) / 2**30)))
"""


def main():
    from brainalign.data import default_stimulus, simulate_brain
    from brainalign.encoding import fit_encoding
    sim = simulate_brain(default_stimulus(), n_subjects=4, n_voxels=2_000, seed=0)
    Y = np.hstack([sim.responses[s] for s in sim.subjects]); runs = sim.tr_runs[sim.kept_trs]
    X = np.random.default_rng(0).standard_normal((len(Y), 2304)).astype(np.float32)
    ours = timed(lambda: fit_encoding(X, Y, runs, permutation_test=False))  # solver "auto": KernelRidgeCV at this shape
    bare = timed(bare_himalaya, X, Y, runs)
    ridge_solver = timed(lambda: fit_encoding(X, Y, runs, permutation_test=False, solver="ridge"))
    torch_backend = timed(lambda: fit_encoding(X, Y, runs, permutation_test=False, backend="torch"))
    with_test = timed(lambda: fit_encoding(X, Y, runs))
    sk = timed(sklearn_ridgecv, X, Y, runs)
    peak = json.loads(subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    result = {"shape": {"n_trs": len(Y), "n_features": X.shape[1], "n_voxels": Y.shape[1]}, "fit_encoding_s": ours,
              "bare_himalaya_s": bare, "overhead": ours / bare,
              "fit_encoding_ridge_solver_s": ridge_solver, "kernel_speedup": ridge_solver / ours,
              "fit_encoding_torch_backend_s": torch_backend, "fit_encoding_with_permutation_test_s": with_test,
              "sklearn_ridgecv_s": sk, "speedup_vs_sklearn": sk / ours, "peak_25000_voxels": peak}
    print(f"(n_trs, n_features, n_voxels) = ({len(Y)}, {X.shape[1]}, {Y.shape[1]})")
    print(f"fit_encoding {ours:.1f} s vs bare himalaya {bare:.1f} s -> overhead {ours / bare:.2f} x "
          f"(with the permutation test: {with_test:.1f} s)")
    print(f"solver by shape (KernelRidgeCV, {len(Y)} TRs < {X.shape[1]} features) {ours:.1f} s vs RidgeCV {ridge_solver:.1f} s "
          f"-> {ridge_solver / ours:.2f} x; torch backend (CPU) {torch_backend:.1f} s")
    print(f"scikit-learn RidgeCV(alpha_per_target=True) {sk:.1f} s -> fit_encoding is {sk / ours:.1f} x faster")
    print(f"25,000 voxels: peak RSS {peak['peak_gib']:.2f} GiB (+{peak['growth_gib']:.2f} GiB during the fit; "
          f"X and Y take {peak['data_gib']:.2f} GiB)")
    save_result("fit_encoding", result)


if __name__ == "__main__":
    main()
