"""Dry run at the Harry Potter release's exact sizes: features -> ridge for every layer of Llama-3.2-1B on one GPU.

Run: python benchmarks/full_scale.py           (CUDA: 8 subjects x 25,000 voxels, Llama-3.2-1B architecture, bf16)
     python benchmarks/full_scale.py --small   (the same code: 8 subjects x 200 voxels, a 2-layer Llama, this device)
Without a CUDA device and without --small it prints one line and exits. Writes benchmarks/results/full_scale.json.

An HP-format folder (8 subjects, 1,351 TRs of which 1,211 kept, 5,176 words; `write_hp_release`) with random responses
is written to a temporary folder and read with `load_hp`; the cross-subject noise ceiling of every voxel is timed on its
own (`with_noise_ceiling`: PCA of the other subjects, then the ridge); `layer_scores` (the notebooks' path: features of every layer
from one pass, then one encoding model per layer for all subjects' voxels together) runs with its caches in a temporary
folder. Prints the time of each stage and the peak host and GPU memory."""
import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


from brainalign.core import _environ
from brainalign.data import load_hp, with_noise_ceiling, write_hp_release
from brainalign.features import extract_features
from brainalign.encoding import layer_scores

from _results import save_result
from gpu import architectures, build, device_or_skip, peak_gib, reset_peak, synchronize, tokenizer


def stage(name, fn, device, times):
    "Run `fn`, record and print its time."
    synchronize(device)
    start = time.perf_counter()
    out = fn()
    synchronize(device)
    times[name] = time.perf_counter() - start
    print(f"{name}: {times[name]:.1f} s", flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="200 voxels per subject and a 2-layer Llama, this device")
    parser.add_argument("--context-words", type=int, default=80)
    args = parser.parse_args()
    chosen = device_or_skip("full_scale.py", args.small)
    if chosen is None:
        return 0
    device, dtype, device_name = chosen
    n_voxels = 200 if args.small else 25_000
    tok = tokenizer()
    name, config = list(architectures(args.small, len(tok)).items())[1]  # Llama-3.2-1B (or its 2-layer version)
    times = {}
    model = stage("build the model", lambda: build(name, config, device, dtype), device, times)
    with tempfile.TemporaryDirectory() as tmp, _environ(BRAINALIGN_CACHE_DIR=Path(tmp) / "cache"):  # this run's caches
        folder = stage("write the HP folder", lambda: write_hp_release(Path(tmp) / "hp", n_voxels), device, times)
        dataset = stage("load_hp", lambda: load_hp(folder, ceiling="none"), device, times)
        dataset = stage("cross-subject noise ceiling", lambda: with_noise_ceiling(dataset, "cross-subject"), device, times)
        print(dataset, flush=True)
        reset_peak(device)
        stage("features, every layer", lambda: extract_features(model, tok, dataset.stimulus, None,
                                                                args.context_words, batch_size=16), device, times)
        features_peak = peak_gib(device)
        reset_peak(device)
        scores, _ = stage("ridge, every layer (features read from the cache)",
                          lambda: layer_scores(model, tok, dataset, None, args.context_words), device, times)
        ridge_peak = peak_gib(device)
    result = {"device": device_name, "model": name,
              "dtype": str(dtype), "subjects": len(dataset.subjects), "voxels_per_subject": n_voxels,
              "kept_trs": int(dataset.kept_trs.sum()), "words": len(dataset.stimulus), "layers": int(scores.layer.nunique()),
              "context_words": args.context_words, "seconds": times,
              "peak_host_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
              "peak_gpu_gib_features": features_peak, "peak_gpu_gib_ridge": ridge_peak}
    print(result)
    print(f"saved {save_result('full_scale_small' if args.small else 'full_scale', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
