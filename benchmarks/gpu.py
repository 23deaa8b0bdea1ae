"""Benchmark on a CUDA GPU: extract_features, fit_encoding and attribute_ba at paper scale, each against the bare loop it must match.

Run: python benchmarks/gpu.py           (CUDA: GPT-2-small and Llama-3.2-1B architectures, bf16, random weights)
     python benchmarks/gpu.py --small   (the same code on tiny models and small sizes, on this machine's device)
Without a CUDA device and without --small it prints one line and exits (CI has no GPU).
Writes benchmarks/results/gpu.json (or gpu_small.json).

- Features: `extract_features` (all layers, batch 16) against a bare batched forward loop over the same token windows
  (right-padded, hidden states of every layer from the model without its LM head, as extract_features runs it, no pooling
  into words), at 80 and 640 words of context; words/s.
- Ridge: `fit_encoding` (outer leave-one-run-out over 4 runs + final fit, per-voxel alphas, no permutation test) at
  Harry Potter scale (1,211 TRs x 4 delays x 2,048 features x 25,000 voxels) against the same nested loop written with
  bare himalaya calls on the same backend, with KernelRidgeCV (the solver fit_encoding picks at this shape) and
  RidgeCV; plus one bare call of each, the figure the issue's reference quotes.
- Attribution: `attribute_ba` (gradient x input, the last layer, all 25,000 voxels of an encoding model fitted at Harry
  Potter scale, 640 words of context) against the bare loop: the same contexts in the same batches, a padded forward
  and one backward of a plain scalar (benchmarks/attribution.py's floor); contexts/s, and the time of one copy of the
  encoding weights to the device (what the engine would pay per batch without `EncodingModel.to_torch`).
- Agreement: the tiny test models on this device against the CPU (fp32: relative difference < 1e-4; bf16: < 5e-2),
  for word features and for one TR's prediction through the TR path (`tr_context` -> `predict_tr`).
Weights are random: the timings do not depend on them. SmolLM2's tokenizer stands in for both models', and both
vocabularies are sized to it (49,152 rows instead of 50,257 / 128,256: `check_tokenizer` refuses a tokenizer far smaller
than the embedding matrix); features and BA never touch the LM head, so only the embedding matrix's memory differs."""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from brainalign.core import load_model, resolve_device
from brainalign.attribution import attribute_ba
from brainalign.data import default_stimulus, load_hp, simulate_brain, write_hp_release
from brainalign.features import ContextPlan, FeaturePipeline, window_inputs, extract_features
from brainalign.encoding import fit_encoding, predict_tr
from brainalign.ridge import _himalaya_backend, ridge_backend

from _results import save_result
from attribution import bare as bare_gxi

ALPHAS = np.logspace(-1, 6, 15)


def architectures(small: bool, vocab_size: int) -> dict:
    "{name: config}: GPT-2-small and Llama-3.2-1B as published but for `vocab_size` (or the tiny test models with --small)."
    from transformers import GPT2Config, LlamaConfig
    rope = {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192}
    gpt2_ids = dict(vocab_size=vocab_size, bos_token_id=0, eos_token_id=0)  # GPT-2's 50256 lies outside this vocabulary
    if small:  # the same two architectures, 2 layers of width 64
        return {"gpt2-small (tiny)": GPT2Config(n_embd=64, n_layer=2, n_head=4, **gpt2_ids),
                "llama-3.2-1b (tiny)": LlamaConfig(vocab_size=vocab_size, hidden_size=64, intermediate_size=128,
                                                   num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                                   max_position_embeddings=131072, rope_theta=500000.0,
                                                   tie_word_embeddings=True, rope_scaling=rope)}
    llama = LlamaConfig(vocab_size=vocab_size, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                        num_attention_heads=32, num_key_value_heads=8, head_dim=64, max_position_embeddings=131072,
                        rope_theta=500000.0, tie_word_embeddings=True, rms_norm_eps=1e-5, rope_scaling=rope)
    return {"gpt2-small": GPT2Config(**gpt2_ids), "llama-3.2-1b": llama}


def build(name, config, device, dtype):
    "A causal LM of `config` with random weights, in eval mode on `device` in `dtype`."
    from transformers import AutoModelForCausalLM
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.name_or_path = name
    return model.eval()


def tokenizer():
    "SmolLM2's tokenizer (its ids fit both vocabularies)."
    return load_model("tiny-llama", device="cpu")[1]


def device_or_skip(script: str, small: bool):
    """(device, dtype, device name) to run on: CUDA in bf16, or with `small` this machine's device; None (after one
    line) when there is no CUDA and `small` is not asked for."""
    if not torch.cuda.is_available() and not small:
        print(f"benchmarks/{script}: skipped, no CUDA device here (torch.cuda.is_available() is False); --small runs "
              "the same code at a small size")
        return None
    device = resolve_device("auto")
    cuda = device.type == "cuda"
    return device, torch.bfloat16 if cuda else torch.float32, torch.cuda.get_device_name(device) if cuda else "cpu"


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_forward(model, plan: ContextPlan, batch_size: int):
    "The same windows as extract_features, right-padded, every layer's hidden states (no LM head); nothing else."
    windows = plan.windows()
    for start in range(0, len(windows), batch_size):
        inputs = [window_inputs(plan, w)[0] for w in windows[start:start + batch_size]]
        longest = max(map(len, inputs))
        ids = torch.zeros((len(inputs), longest), dtype=torch.long)
        mask = torch.zeros((len(inputs), longest), dtype=torch.long)
        for b, row in enumerate(inputs):
            ids[b, :len(row)] = torch.tensor(row); mask[b, :len(row)] = 1
        with torch.no_grad():
            model.base_model(input_ids=ids.to(model.device), attention_mask=mask.to(model.device), output_hidden_states=True)


def seconds(fn, device) -> float:
    synchronize(device)
    start = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - start


def peak_gib(device):
    return torch.cuda.max_memory_allocated(device) / 2 ** 30 if device.type == "cuda" else None


def reset_peak(device):
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def feature_rows(name, model, tok, small: bool, device) -> list:
    story = default_stimulus(annotate=False)
    if small:
        story = story.select(np.concatenate([np.flatnonzero(story.runs == r)[:200] for r in (1, 2)]))
    rows = []
    for context_words in (80, 640):
        plan = ContextPlan.build(model, tok, story, context_words)
        reset_peak(device)
        ours = seconds(lambda: extract_features(model, tok, story, None, context_words, batch_size=16, cache=False), device)
        peak = peak_gib(device)
        bare = seconds(lambda: bare_forward(model, plan, 16), device)
        rows.append({"model": name, "context_words": context_words, "stride": plan.stride,
                     "windows": len(plan.windows()), "longest_window_tokens": plan.longest_window(),
                     "extract_features_words_per_s": len(story) / ours, "bare_loop_words_per_s": len(story) / bare,
                     "ratio": ours / bare, "peak_gpu_gib": peak})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def solver(kernel: bool, cv):
    "himalaya's KernelRidgeCV (linear) or RidgeCV with per-voxel alphas over the given folds."
    from himalaya.kernel_ridge import KernelRidgeCV
    from himalaya.ridge import RidgeCV
    return KernelRidgeCV(alphas=ALPHAS, kernel="linear", cv=cv, warn=False) if kernel else RidgeCV(alphas=ALPHAS, cv=cv)


def bare_nested(X, Y, runs, backend, kernel: bool):
    "fit_encoding's outer leave-one-run-out and final fit, written with nothing but himalaya calls."
    from sklearn.model_selection import LeaveOneGroupOut
    def fit(Xa, Ya, groups):
        cv = list(LeaveOneGroupOut().split(Xa, groups=groups))
        return solver(kernel, cv).fit((Xa - Xa.mean(0)) / Xa.std(0), (Ya - Ya.mean(0)) / Ya.std(0))
    with _himalaya_backend(backend) as b:
        for run in np.unique(runs):
            train = runs != run
            model = fit(X[train], Y[train], runs[train])
            b.to_numpy(model.predict((X[~train] - X[train].mean(0)) / X[train].std(0)))
        fit(X, Y, runs)


def bare_single(X, Y, runs, backend, kernel: bool):
    "One bare himalaya call on the whole data (leave-one-run-out for the alphas)."
    from sklearn.model_selection import LeaveOneGroupOut
    with _himalaya_backend(backend):
        solver(kernel, list(LeaveOneGroupOut().split(X, groups=runs))).fit(X, Y)


def ridge_rows(small: bool, device) -> dict:
    n_trs, n_features, n_voxels = (300, 4 * 64, 500) if small else (1211, 4 * 2048, 25_000)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_trs, n_features), np.float32)
    Y = rng.standard_normal((n_trs, n_voxels), np.float32)
    runs = np.repeat(np.arange(1, 5), -(-n_trs // 4))[:n_trs]
    backend = ridge_backend("torch_cuda" if device.type == "cuda" else "torch")
    fit_encoding(X[:, :8], Y[:, :8], runs, n_delays=1, permutation_test=False, backend=backend)  # warm-up: backend start
    reset_peak(device)
    ours = seconds(lambda: fit_encoding(X, Y, runs, permutation_test=False, backend=backend), device)
    result = {"shape": {"n_trs": n_trs, "n_features": n_features, "n_voxels": n_voxels}, "backend": backend,
              "fit_encoding_s": ours, "peak_gpu_gib": peak_gib(device)}
    for solver, kernel in (("kernel", True), ("ridge", False)):
        result[f"bare_nested_{solver}_s"] = seconds(lambda: bare_nested(X, Y, runs, backend, kernel), device)
        result[f"bare_single_call_{solver}_s"] = seconds(lambda: bare_single(X, Y, runs, backend, kernel), device)
    result["ratio_vs_bare_nested_kernel"] = ours / result["bare_nested_kernel_s"]
    print(json.dumps(result), flush=True)
    return result


def attribution_row(name, model, tok, small: bool, device) -> dict:
    "attribute_ba against the bare forward + backward loop, one layer, 640 words, all voxels (see the module's text)."
    n_voxels, n_contexts, context_words = (500, 8, 640) if small else (25_000, 128, 640)
    layer = model.config.num_hidden_layers
    with tempfile.TemporaryDirectory() as tmp:
        dataset = load_hp(write_hp_release(Path(tmp), n_voxels, rows={"F": 1211}))
    pipeline = FeaturePipeline.build(model, tok, dataset, context_words)
    features = extract_features(model, tok, dataset.stimulus, [layer], context_words, batch_size=16, cache=False)[layer]
    Y = dataset.responses["F"]
    runs = dataset.tr_runs[dataset.kept_trs]
    encodings = {layer: fit_encoding(pipeline.design(features), Y, runs, permutation_test=False,
                                     backend=ridge_backend("torch_cuda" if device.type == "cuda" else "torch"))}
    rows = np.flatnonzero(runs == runs.max())[-n_contexts:]  # the last run's TRs: full 640-word contexts
    attribute_ba(pipeline, encodings, Y, rows[:2], cache=False)  # warm-up: first calls pay one-off costs
    reset_peak(device)
    ours = seconds(lambda: attribute_ba(pipeline, encodings, Y, rows, cache=False), device)
    peak = peak_gib(device)
    bare = seconds(lambda: bare_gxi(model, pipeline, rows, [layer]), device)
    copy = seconds(lambda: encodings[layer].to_torch(device, model.dtype, np.arange(n_voxels)), device)
    row = {"model": name, "layer": layer, "context_words": context_words, "contexts": len(rows), "voxels": n_voxels,
           "mean_context_tokens": float(np.mean([pipeline.tr_context(int(r)).n_window_tokens for r in rows])),
           "attribute_ba_contexts_per_s": len(rows) / ours, "bare_loop_contexts_per_s": len(rows) / bare,
           "ratio": ours / bare, "weights_copy_s": copy, "peak_gpu_gib": peak}
    print(json.dumps(row), flush=True)
    return row


TOLERANCE = {"float32": 1e-4, "bfloat16": 5e-2}


def relative(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64) - b) / np.linalg.norm(b))


def device_agreement(device) -> list:
    "Tiny models on `device` (fp32 and bf16) against the CPU in fp32: word features and one TR's prediction."
    story = default_stimulus(annotate=False)
    small = story.select(np.concatenate([np.flatnonzero(story.runs == r)[:70] for r in (1, 2, 3)]))
    sim = simulate_brain(small, n_subjects=1, n_voxels=30, seed=0)
    rows = []
    for name in ("tiny-gpt2", "tiny-llama", "tiny-bert"):
        cpu, tokenizer = load_model(name, device="cpu")
        reference = extract_features(cpu, tokenizer, sim.stimulus, [2], 30, cache=False)[2]
        pipeline = FeaturePipeline.build(cpu, tokenizer, sim, 30)
        encoding = fit_encoding(pipeline.design(reference), sim.responses["sim01"], sim.tr_runs[sim.kept_trs],
                                permutation_test=False, backend="numpy")
        context = pipeline.tr_context(20)
        expected = predict_tr(cpu, encoding, context, 2).detach().numpy()
        for dtype in TOLERANCE:
            model = load_model(name, device=device, dtype=dtype)[0]
            features = extract_features(model, tokenizer, sim.stimulus, [2], 30, cache=False)[2]
            predicted = predict_tr(model, encoding, context, 2).detach().float().cpu().numpy()
            row = {"model": name, "device": str(device), "dtype": dtype, "features": relative(features, reference),
                   "prediction": relative(predicted, expected)}
            row["within_tolerance"] = max(row["features"], row["prediction"]) < TOLERANCE[dtype]
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny models and sizes, on this machine's device")
    args = parser.parse_args()
    chosen = device_or_skip("gpu.py", args.small)
    if chosen is None:
        return 0
    device, dtype, device_name = chosen
    tok = tokenizer()
    result = {"device": device_name, "dtype": str(dtype), "agreement": device_agreement(device), "features": []}
    (gpt2, gpt2_config), (llama, llama_config) = architectures(args.small, len(tok)).items()
    result["features"] += feature_rows(gpt2, build(gpt2, gpt2_config, device, dtype), tok, args.small, device)
    model = build(llama, llama_config, device, dtype)  # one model on the device at a time: peaks are its own
    result["features"] += feature_rows(llama, model, tok, args.small, device)
    result["attribution"] = attribution_row(llama, model, tok, args.small, device)
    del model
    result["ridge"] = ridge_rows(args.small, device)
    print(f"saved {save_result('gpu_small' if args.small else 'gpu', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
