"""Benchmark: peak memory of loading one real-size Moth Radio Hour subject (ds003020's layout) with `load_moth`.

Run: python benchmarks/moth_memory.py [n_voxels] [n_stories]   (default 90,000 voxels, the size of a ds003020 subject,
and 3 stories of 300 TRs; writes benchmarks/results/moth_memory.json). A fixture in the release's layout (TextGrids,
respdict.json, preprocessed_data/<subject>/<story>.hf5, float32 responses) is written to a temporary folder for two
subjects; the peak of Python-tracked memory (`tracemalloc`, which sees NumPy's and h5py's buffers) is measured while
loading one subject and while loading both, as ratios to the size of the responses loaded: the baseline a loader cannot
beat is holding the responses once.
"""
import sys
import tempfile
import tracemalloc
import warnings
from pathlib import Path

import h5py
import numpy as np
from praatio import textgrid as praat

from brainalign.data import load_moth

from _results import save_result, timed

N_TRS = 300  # responses per story (after the reference's trimming of 10 + 5 TRs)


def write_release(folder: Path, n_voxels: int, n_stories: int, subjects=("UTS01", "UTS02")) -> Path:
    "A ds003020-layout folder: `n_stories` stories of N_TRS TRs, a word every 0.4 s, random float32 responses."
    d = folder / "derivative"
    (d / "TextGrids").mkdir(parents=True)
    rng = np.random.default_rng(0)
    stories = [f"story{i}" for i in range(n_stories)]
    seconds = (N_TRS + 15) * 2.0 - 10.0
    for story in stories:
        starts = np.arange(0.0, seconds - 1.0, 0.4)
        grid = praat.Textgrid()
        grid.addTier(praat.IntervalTier("phone", [(0.0, seconds, "AH")], 0, seconds))
        grid.addTier(praat.IntervalTier("word", [(s, s + 0.35, f"w{i}") for i, s in enumerate(starts)], 0, seconds))
        grid.save(str(d / "TextGrids" / f"{story}.TextGrid"), format="long_textgrid", includeBlankSpaces=True)
    (d / "respdict.json").write_text("{" + ", ".join(f'"{s}": {N_TRS + 20}' for s in stories) + "}")
    for subject in subjects:
        (d / "preprocessed_data" / subject).mkdir(parents=True)
        for story in stories:
            with h5py.File(d / "preprocessed_data" / subject / f"{story}.hf5", "w") as f:
                f["data"] = rng.standard_normal((N_TRS, n_voxels), dtype=np.float32)
    return folder


def peak(fn) -> tuple:
    "(peak bytes of traced memory while `fn` runs, its result, seconds)."
    tracemalloc.start()
    out = {}
    seconds = timed(lambda: out.setdefault("value", fn()))
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, out["value"], seconds


def main(n_voxels: int = 90_000, n_stories: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = write_release(Path(tmp), n_voxels, n_stories)
        result = {"n_voxels": n_voxels, "n_stories": n_stories, "n_trs_per_story": N_TRS}
        for name, subjects in (("one subject", "UTS01"), ("two subjects", ["UTS01", "UTS02"])):
            top, dataset, seconds = peak(lambda: load_moth(folder, subjects, ceiling="none"))
            size = sum(Y.nbytes for Y in dataset.responses.values())
            result[name] = {"peak_MB": top / 2 ** 20, "responses_MB": size / 2 ** 20, "peak_over_responses": top / size,
                            "seconds": seconds}
            print(f"{name}: peak {top / 2 ** 20:,.0f} MB for {size / 2 ** 20:,.0f} MB of responses "
                  f"({top / size:.2f}x), {seconds:.1f} s")
            del dataset
    save_result("moth_memory", result)
    return result


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
