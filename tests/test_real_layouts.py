"""The releases as distributed, through the command line: a Harry Potter release (files under fMRI/) and a ds003020
release (subjects who heard different stories) load through `brainalign reproduce --dataset hp|moth --data-dir <root>
--only 01 02` with a tiny model, and notebook 02 writes its layer scores with what the dataset was fitted on."""
import subprocess
import sys

import pandas as pd
import pytest

from brainalign.data import MOTH_TEST_STORY, write_hp_release, write_moth_release


def _reproduce(dataset, root, runs, figures):
    cmd = [sys.executable, "-c", "from brainalign.cli import main; raise SystemExit(main())", "reproduce",
           "--model", "tiny-gpt2", "--dataset", dataset, "--data-dir", str(root), "--only", "01", "02", "--skip-tests",
           "--device", "cpu", "--runs-dir", str(runs), "--run-id", dataset, "--figures-dir", str(figures)]
    return subprocess.run(cmd, capture_output=True, text=True)


@pytest.mark.parametrize("dataset", ["hp", "moth"])
def test_release_layout_runs_through_the_chain(dataset, tmp_path):
    root = tmp_path / "release"
    if dataset == "hp":
        write_hp_release(root, n_voxels=12, rows={s: 1211 for s in "FHI"}, signal_voxels=6)
    else:
        write_moth_release(root, n_voxels=12, n_trs=120, signal_voxels=6)
    done = _reproduce(dataset, root, tmp_path / "runs", tmp_path / "figures")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    scores = pd.read_csv(tmp_path / "runs" / dataset / "02_encoding" / "layer_scores.csv")
    record = scores.iloc[0]
    assert record.dataset == dataset and record.tr_method == {"hp": "hp", "moth": "lanczos"}[dataset], record
    assert record.ceiling_method.startswith("cross-subject"), record
    if dataset == "moth":  # the stories both subjects heard, the published test story last
        assert record.runs == f"1:avatar 2:legacy 3:souls 4:{MOTH_TEST_STORY}", record.runs


def test_release_layout_runs_through_the_sweep(tmp_path):
    """The sweep on a ds003020 release: subjects read from disk, one subject's notebook 02 (only it held, the other
    read for the ceiling), its dtype recorded."""
    root = write_moth_release(tmp_path / "release", n_voxels=12, n_trs=120, signal_voxels=6)
    cmd = [sys.executable, "-c", "from brainalign.cli import main; raise SystemExit(main())", "sweep",
           "--models", "tiny-gpt2", "--datasets", "moth", "--subjects", "UTS02", "--notebooks", "02", "--data-dir",
           str(root), "--device", "cpu", "--workers", "1", "--runs-dir", str(tmp_path / "runs"), "--sweep-id", "moth"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    scores = pd.read_csv(tmp_path / "runs" / "moth" / "tiny-gpt2_moth_UTS02_seed0_quick" / "02_encoding" / "layer_scores.csv")
    record = scores.iloc[0]
    assert (record["tr_method"], record["dtype"], record["ceiling_method"]) == ("lanczos", "float32", "cross-subject (2 subjects)"), record
    assert record.runs == f"1:avatar 2:legacy 3:souls 4:{MOTH_TEST_STORY}", record.runs
