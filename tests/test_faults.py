"""Fault tests: a process killed with SIGKILL while it writes a cache file (features) or a checkpoint (an intervention)
leaves nothing half-written that a later run reads back, and the rerun equals an uninterrupted run.

The disk is made slow at the one moment that matters: the child process writes the first half of the file's bytes
through the real `atomic_write` path, says so, and waits to be killed."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

SLOW_DISK = """
import io, os, sys, time
from pathlib import Path
import torch
marker = Path(sys.argv[1])
def _stall(path, data):
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2]); f.flush(); os.fsync(f.fileno())
    marker.write_text(str(path))
    time.sleep(600)  # killed here, half-way through the write
watched = lambda path: ".tmp" in str(path) and WATCH in str(path)  # a temporary file of atomic_write, or one in its folder
_write_bytes, _write_text = Path.write_bytes, Path.write_text
def write_bytes(self, data):
    if watched(self):
        _stall(self, data)
    return _write_bytes(self, data)
def write_text(self, data, *args, **kwargs):
    if watched(self):
        _stall(self, data.encode())
    return _write_text(self, data, *args, **kwargs)
Path.write_bytes, Path.write_text = write_bytes, write_text
_save = torch.save
def save(obj, f, *args, **kwargs):
    if isinstance(f, (str, Path)) and watched(f):
        buffer = io.BytesIO(); _save(obj, buffer, *args, **kwargs); _stall(Path(f), buffer.getvalue())
    return _save(obj, f, *args, **kwargs)
torch.save = save
"""

DATA = """
import numpy as np
from dataclasses import replace
from brainalign.core import load_model
from brainalign.data import default_stimulus, simulate_brain
first = np.concatenate([np.flatnonzero(default_stimulus(annotate=False).runs == r)[:160] for r in (1, 2, 3, 4)])
data = simulate_brain(default_stimulus(annotate=False).select(first), n_subjects=2, n_voxels=40, seed=0)
"""

FEATURES = DATA + """
import pickle
from brainalign.features import extract_features
model, tokenizer = load_model("tiny-gpt2", device="cpu")
features = extract_features(model, tokenizer, data.stimulus, [1, 2], context_words=8)
pickle.dump(features, open(sys.argv[2], "wb"))
"""

TRAINING = DATA + """
import pickle
from brainalign.grl import TrainConfig, train_intervention
config = TrainConfig(epochs=2, batch_size=4, steps_per_epoch=2, context_words=8, max_eval_trs=8)
run = train_intervention("tiny-gpt2", data, "misaligned", config=config, folder=sys.argv[3], device="cpu")
from safetensors.torch import load_file
pickle.dump({"curves": run.curves, "adapter": load_file(run.folder / "adapter" / "adapter_model.safetensors")},
            open(sys.argv[2], "wb"))
"""


def _share_models(cache):
    "The dequantised SmolLM2 (the tiny models' tokenizer) from the usual cache, so that no child dequantises it again."
    from brainalign.core import _smollm2_folder, cache_dir
    if not (cache / "models").exists():
        _smollm2_folder()
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "models").symlink_to(cache_dir() / "models", target_is_directory=True)


def _run(script, cache, *args, watch=None, kill=False):
    "Run `script` in a fresh interpreter; with `kill`, SIGKILL it once it is half-way through writing a `watch` file."
    marker = cache.parent / f"marker-{time.monotonic_ns()}"
    _share_models(cache)
    code = (f"WATCH = {watch!r}\n" + SLOW_DISK if watch else "import sys\n") + textwrap.dedent(script)
    env = {**os.environ, "BRAINALIGN_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen([sys.executable, "-c", code, str(marker), *map(str, args)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not kill:
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err
        return
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert child.poll() is None, f"the child ended before it wrote: {child.communicate()[1]}"
        assert time.monotonic() < deadline, "the child never reached the write"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    return Path(marker.read_text())


def _half_written(folder):
    "Files a killed writer left: only temporary names that no reader opens."
    return [p for p in Path(folder).rglob("*") if p.is_file() and (p.name.endswith(".tmp") or ".tmp" in p.parent.name)]


def test_features_killed_mid_write_are_recomputed_equal(tmp_path):
    import pickle
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    _run(FEATURES, clean / "cache", tmp_path / "clean.pkl")
    partial = _run(FEATURES, killed / "cache", tmp_path / "unused.pkl", watch="features", kill=True)
    assert partial.name.endswith(".tmp") and partial.exists()  # half a file lies there, under a temporary name
    assert not list((killed / "cache" / "features").glob("*.pkl"))  # and nothing under the name a reader opens
    _run(FEATURES, killed / "cache", tmp_path / "rerun.pkl")
    first, rerun = pickle.load(open(tmp_path / "clean.pkl", "rb")), pickle.load(open(tmp_path / "rerun.pkl", "rb"))
    assert sorted(first) == sorted(rerun) == [1, 2]
    for layer in first:
        np.testing.assert_array_equal(first[layer], rerun[layer])
    stored = list((killed / "cache" / "features").glob("*.pkl"))
    assert len(stored) == 1 and _half_written(killed / "cache") == [partial]


@pytest.mark.parametrize("watch", ["checkpoint-2", "epochs-2"])  # mid-checkpoint (resume from epoch 1), mid-result
def test_training_killed_mid_write_resumes_to_the_same_run(tmp_path, watch):
    import pickle
    import pandas as pd
    _run(TRAINING, tmp_path / "cache", tmp_path / "clean.pkl", tmp_path / "clean")
    _run(TRAINING, tmp_path / "cache", tmp_path / "unused.pkl", tmp_path / "killed", watch=watch, kill=True)
    homes = list((tmp_path / "killed").iterdir())
    assert len(homes) == 1 and not (homes[0] / "epochs-2" / "metrics.json").exists()  # not saved as finished
    for checkpoint in homes[0].glob("checkpoint-*.pt"):  # whatever checkpoint is there is whole
        import torch
        torch.load(checkpoint, weights_only=False)
    _run(TRAINING, tmp_path / "cache", tmp_path / "rerun.pkl", tmp_path / "killed")
    first, rerun = pickle.load(open(tmp_path / "clean.pkl", "rb")), pickle.load(open(tmp_path / "rerun.pkl", "rb"))
    pd.testing.assert_frame_equal(first["curves"], rerun["curves"])
    assert sorted(first["adapter"]) == sorted(rerun["adapter"])
    for name in first["adapter"]:
        np.testing.assert_array_equal(first["adapter"][name].numpy(), rerun["adapter"][name].numpy())
