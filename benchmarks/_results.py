"""Shared by the benchmark scripts: a timer, the quick SmolLM2 encoding set-up, and where measurements go
(benchmarks/results/<name>.json, ignored by git)."""
import json
import time
from pathlib import Path


def save_result(name: str, result: dict) -> Path:
    "Write `result` as benchmarks/results/<name>.json and return the path."
    out = Path(__file__).parent / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return out


def timed(fn, *args) -> float:
    "Seconds `fn(*args)` takes."
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def smollm2_encodings(layers, context_words=80, n_voxels=200) -> tuple:
    """(model, tokenizer, dataset, pipeline, {layer: EncodingModel}, Y, runs): SmolLM2-135M, the quick simulated brain,
    encoding models of `layers` fitted on the first `n_voxels` voxels of sim01 (80-word features from notebook 02's cache)."""
    from brainalign.core import load_model, set_seed
    from brainalign.data import simulate_brain
    from brainalign.features import FeaturePipeline, extract_features
    from brainalign.encoding import fit_encoding
    from brainalign.ridge import zscore_runs
    set_seed(0)
    model, tokenizer = load_model("smollm2-135m")
    dataset = simulate_brain(n_subjects=4, n_voxels=2000, seed=0)
    runs = dataset.tr_runs[dataset.kept_trs]
    Y = zscore_runs(dataset.responses["sim01"][:, :n_voxels], runs)
    grid = list(range(0, 31, 3)) if context_words == 80 else list(layers)  # notebook 02's request: read from its cache
    features = extract_features(model, tokenizer, dataset.stimulus, grid, context_words)
    pipeline = FeaturePipeline.build(model, tokenizer, dataset, context_words)
    encodings = {layer: fit_encoding(pipeline.design(features[layer]), Y, runs, permutation_test=False) for layer in layers}
    return model, tokenizer, dataset, pipeline, encodings, Y, runs
