"""Benchmark: the batched attribution engine (attribute_ba) against the loops it replaces, on SmolLM2-135M.

Run: python benchmarks/attribution.py [n_trs]   (default 8 held-out TRs of the quick simulated brain, 80 words of
context, 200 voxels; writes benchmarks/results/attribution.json). Measures, each as a ratio from one run:
- contexts/s of batched GXI (one forward per batch, one backward per layer) against a per-context captum
  `InputXGradient` loop (one forward and backward per TR and layer, through `predict_tr`), for 1 and 3 layers;
- attribute_ba's time over a bare padded forward + backward of the same contexts (no attribution bookkeeping);
- Integrated Gradients (8 steps) over GXI;
- peak resident memory while attributing one 640-word context (in a child process, peak reset just before);
- NWP gradient x input with logits only at the positions that predict the next word (`logits_to_keep`) against every
  position projected onto the vocabulary (the baseline, patched in for one timing);
- the encoding model's share of one batch's loss at 25,000 voxels: weights copied for every batch (`predict_tensor`,
  what the engine did before `EncodingModel.to_torch`) against copied once (`to_torch`, then one call per batch).
"""
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import torch

from brainalign.features import padded_forward
from brainalign.encoding import EncodingModel, predict_tr
from brainalign.attribution import IG, _all_logits, _plan_batches, attribute_ba, attribute_nwp_trs, default_token_budget

from _results import save_result, smollm2_encodings, timed

LAYERS = [6, 15, 24]


def setup(context_words=80):
    "SmolLM2, the quick simulated brain, encoding models of LAYERS (640 words: layer 15) on 200 voxels, held-out rows."
    model, _, _, pipeline, encodings, Y, runs = smollm2_encodings(LAYERS if context_words == 80 else [15], context_words)
    return model, pipeline, encodings, Y, np.flatnonzero(runs == runs.max())[10:]


def captum_loop(model, pipeline, encodings, Y, rows, layers):
    "What one would write with captum: InputXGradient per TR and layer, through the single-TR path."
    from captum.attr import InputXGradient
    for row in rows:
        context = pipeline.tr_context(int(row))
        emb = model.get_input_embeddings()(context.input_ids)[None].detach()
        for layer in layers:
            loss = lambda e: (predict_tr(model, encodings[layer], context, layer, e[0]) - torch.as_tensor(Y[row])).pow(2).mean()[None]
            InputXGradient(loss).attribute(emb)


def bare(model, pipeline, rows, layers):
    "The floor: the engine's batches as plain padded forwards, one backward per layer of a plain scalar."
    contexts = [pipeline.tr_context(int(row)) for row in rows]
    costs = [c.n_window_tokens for c in contexts]
    for batch in _plan_batches(costs, default_token_budget(model)):
        embeds = [model.get_input_embeddings()(contexts[i].input_ids).detach().requires_grad_(True) for i in batch]
        windows = [e[s - contexts[i].token_start:t - contexts[i].token_start] for i, e in zip(batch, embeds)
                   for s, t in map(contexts[i].plan.token_span, contexts[i].windows)]
        hidden = padded_forward(model, windows, layers)
        for j, layer in enumerate(layers):
            torch.autograd.grad(hidden[layer].pow(2).mean(), embeds, retain_graph=j < len(layers) - 1)


def _rss_gib(field: str) -> float:
    "VmRSS (now) or VmHWM (peak since the last reset) of this process, in GiB."
    line = next(l for l in open("/proc/self/status") if l.startswith(field))
    return int(line.split()[1]) / 2**20


def memory_640():
    "Child process: peak RSS while attributing the longest 640-word context of the held-out run at layer 15."
    torch.set_num_threads(2)
    model, pipeline, encodings, Y, rows = setup(context_words=640)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (Linux): what follows is the attribution's own
    before = _rss_gib("VmRSS")
    ba = attribute_ba(pipeline, encodings, Y, rows[-1:], cache=False)
    print(f"{len(ba[15, 'all'][0])} {before:.3f} {_rss_gib('VmHWM'):.3f}")


def nwp_logits(n_trs=8) -> dict:
    "Seconds of NWP GXI on `n_trs` held-out TRs (80 words): logits at the word's positions only vs at every position."
    model, tokenizer, _, pipeline, _, _, runs = smollm2_encodings([15])
    rows = np.flatnonzero(runs == runs.max())[10:10 + n_trs]
    attribute_nwp_trs(pipeline, rows[:1], cache=False)  # warm-up
    kept = timed(lambda: attribute_nwp_trs(pipeline, rows, cache=False))
    with mock.patch("brainalign.attribution._span_logits", _all_logits):
        every = timed(lambda: attribute_nwp_trs(pipeline, rows, cache=False))
    return {"n_trs": n_trs, "logits_at_word_s": kept, "logits_everywhere_s": every, "ratio": every / kept}


def weights_per_batch(n_voxels=25_000, n_features=4 * 576, n_contexts=16, repeats=5) -> dict:
    "Seconds per batch of the loss's encoding step, all voxels selected: weights copied each batch vs copied once."
    rng = np.random.default_rng(0)
    vector = lambda n: rng.standard_normal(n).astype(np.float32)
    enc = EncodingModel(rng.standard_normal((n_features, n_voxels), np.float32), np.ones(n_voxels), vector(n_features),
                        np.abs(vector(n_features)) + 1, vector(n_voxels), np.abs(vector(n_voxels)) + 1, 4, np.zeros(n_voxels),
                        np.zeros((1, n_voxels)), np.ones((1, n_voxels)), np.arange(0), np.zeros((0, n_voxels)))
    X = torch.as_tensor(rng.standard_normal((n_contexts, n_features), np.float32))
    voxels = np.arange(n_voxels)  # attribute_ba's "all" voxel set
    each = timed(lambda: [enc.predict_tensor(X, voxels) for _ in range(repeats)]) / repeats
    weights = enc.to_torch(X.device, X.dtype, voxels)
    once = timed(lambda: [weights(X) for _ in range(repeats)]) / repeats
    return {"n_voxels": n_voxels, "n_features": n_features, "copied_each_batch_s": each, "copied_once_s": once,
            "ratio": each / once}


def main(n_trs=8):
    torch.set_num_threads(2)
    model, pipeline, encodings, Y, rows = setup()
    rows = rows[np.linspace(0, len(rows) - 1, n_trs).astype(int)]
    result = {"n_trs": n_trs, "context_words": 80, "layers": LAYERS}
    captum_loop(model, pipeline, encodings, Y, rows[:2], [15])  # warm-up: first calls pay one-off costs
    for layers in ([15], LAYERS):
        engine = timed(lambda: attribute_ba(pipeline, encodings, Y, rows, layers=layers, cache=False))
        loop = timed(lambda: captum_loop(model, pipeline, encodings, Y, rows, layers))
        floor = timed(lambda: bare(model, pipeline, rows, layers))
        key = f"{len(layers)}_layers"
        result[key] = {"engine_contexts_per_s": n_trs / engine, "captum_loop_contexts_per_s": n_trs / loop,
                       "speedup_over_captum_loop": loop / engine, "bare_s": floor, "engine_s": engine,
                       "overhead_over_bare": engine / floor}
        print(f"{len(layers)} layer(s): batched GXI {n_trs / engine:.2f} contexts/s, captum loop {n_trs / loop:.2f} "
              f"contexts/s -> {loop / engine:.2f} x; engine / bare forward+backward = {engine / floor:.2f}")
    ig = timed(lambda: attribute_ba(pipeline, encodings, Y, rows, layers=[15], method=IG(steps=8), cache=False))
    result["ig_8_steps_over_gxi"] = ig / result["1_layers"]["engine_s"]
    print(f"IG (8 steps) / GXI, one layer: {result['ig_8_steps_over_gxi']:.1f} x")
    child = subprocess.run([sys.executable, __file__, "--memory-640"], capture_output=True, text=True, check=True)
    words, before, peak = child.stdout.split()[-3:]
    result["memory_640"] = {"context_words": int(words), "rss_before_gib": float(before), "peak_rss_gib": float(peak),
                            "added_gib": float(peak) - float(before)}
    print(f"one 640-word context ({words} words attributed, layer 15): peak RSS {peak} GiB, "
          f"{float(peak) - float(before):.2f} GiB above the {before} GiB held before it")
    result["nwp_logits"] = nwp_logits(n_trs)
    print(f"NWP GXI, {n_trs} TRs: logits at the word's positions {result['nwp_logits']['logits_at_word_s']:.2f} s, at every "
          f"position {result['nwp_logits']['logits_everywhere_s']:.2f} s -> {result['nwp_logits']['ratio']:.2f} x")
    result["weights_per_batch"] = weights_per_batch()
    w = result["weights_per_batch"]
    print(f"encoding step of one batch at {w['n_voxels']:,} voxels: weights copied each batch {w['copied_each_batch_s']:.3f} s, "
          f"copied once {w['copied_once_s']:.3f} s -> {w['ratio']:.1f} x")
    save_result("attribution", result)


if __name__ == "__main__":
    if sys.argv[1:] == ["--memory-640"]:
        memory_640()
    else:
        main(*map(int, sys.argv[1:]))
