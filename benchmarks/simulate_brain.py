"""Benchmark: simulate_brain at quick (4 x 2,000) and full (8 x 25,000) size: seconds and peak memory.

Run: python benchmarks/simulate_brain.py   (prints a table; writes benchmarks/results/simulate_brain.json)
Each size runs in a fresh process so that its peak resident memory is its own. The baseline for memory is the
size of the arrays the simulator returns (responses + noiseless signals): the ratio is the working overhead.
The story's spaCy parse and MiniLM embeddings come from the disk cache (one warm-up call fills it)."""
import json
import subprocess
import sys

from _results import save_result

CHILD = """
import json, resource, time
from brainalign.data import default_stimulus, simulate_brain
story = default_stimulus()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
sim = simulate_brain(story, n_subjects={n_subjects}, n_voxels={n_voxels}, seed=0)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
returned = sum(Y.nbytes for Y in sim.responses.values()) + sum(S.nbytes for S in sim.ground_truth.signal.values())
print(json.dumps(dict(seconds=seconds, peak_gib=peak / 2**20, peak_above_start_gib=(peak - before) / 2**20,
                      returned_gib=returned / 2**30)))
"""


def run(n_subjects, n_voxels):
    out = subprocess.run([sys.executable, "-c", CHILD.format(n_subjects=n_subjects, n_voxels=n_voxels)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    run(1, 10)  # warm the caches (spaCy parse, MiniLM embeddings)
    results = {}
    for label, size in {"quick": (4, 2_000), "full": (8, 25_000)}.items():
        r = results[label] = run(*size)
        print(f"{label:5s} {size[0]} subjects x {size[1]:6d} voxels: {r['seconds']:6.1f} s, peak RSS {r['peak_gib']:.2f} GiB "
              f"(+{r['peak_above_start_gib']:.2f} GiB while simulating), returns {r['returned_gib']:.2f} GiB "
              f"-> peak growth / returned = {r['peak_above_start_gib'] / r['returned_gib']:.2f} x")
    save_result("simulate_brain", results)


if __name__ == "__main__":
    main()
