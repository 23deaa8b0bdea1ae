"""The smoke sweep: two tiny models x two seeds through notebooks 02-04 and the comparison (07) in smoke mode (a small
simulated brain) on a LocalCluster of two workers, as `brainalign sweep` runs it; then the same sweep again, which
runs nothing."""
import subprocess
import sys

import pandas as pd


def _sweep(runs):
    cmd = [sys.executable, "-c", "from brainalign.cli import main; raise SystemExit(main())", "sweep",
           "--models", "tiny-gpt2", "tiny-llama", "--seeds", "0", "1", "--modes", "smoke", "--notebooks", "02", "03", "04", "07",
           "--sweep-id", "smoke", "--runs-dir", str(runs), "--device", "cpu", "--workers", "2"]
    return subprocess.run(cmd, capture_output=True, text=True)


def test_smoke_sweep_runs_every_task_then_resumes(tmp_path):
    done = _sweep(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = pd.read_csv(tmp_path / "smoke" / "summary.csv")
    assert len(summary) == 2 * 2 * 3 + 1 and set(summary.status) == {"done"}, summary.to_string()
    sets = summary[summary.parameter_set != "(all)"].parameter_set.unique()
    for name in ("02_encoding/layer_scores", "03_attribution/03_overlap", "04_masking/04_drops"):
        tables = [pd.read_csv(tmp_path / "smoke" / s / f"{name}.csv") for s in sets]
        assert all(len(t) for t in tables) and {t.model[0] for t in tables} == {"tiny-gpt2", "tiny-llama"}, name
    assert list((tmp_path / "smoke" / "figures").glob("07_*.png"))  # the comparison drew its figures
    again = _sweep(tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "nothing to run" in again.stdout
    assert set(pd.read_csv(tmp_path / "smoke" / "summary.csv").status) == {"skipped"}
