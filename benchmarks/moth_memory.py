"""Benchmark: peak memory of loading one real-size Moth Radio Hour subject (ds003020's layout) with `load_moth`.

Run: python benchmarks/moth_memory.py [n_voxels] [n_stories]   (default 90,000 voxels, the size of a ds003020 subject,
and 3 stories of 300 TRs; writes benchmarks/results/moth_memory.json). A fixture in the release's layout (TextGrids,
respdict.json, preprocessed_data/<subject>/<story>.hf5, float32 responses; `write_moth_release`) is written to a
temporary folder for two subjects; the peak of Python-tracked memory (`tracemalloc`, which sees NumPy's and h5py's buffers) is measured while
loading one subject and while loading both, as ratios to the size of the responses loaded: the baseline a loader cannot
beat is holding the responses once.
"""
import sys
import tempfile
import tracemalloc
import warnings

from brainalign.data import load_moth, write_moth_release

from _results import save_result, timed

N_TRS = 300  # responses per story (after the reference's trimming of 10 + 5 TRs)


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
        stories = [f"story{i}" for i in range(n_stories)]
        folder = write_moth_release(tmp, {"UTS01": stories, "UTS02": stories}, n_voxels, N_TRS)
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
