"""Benchmark: masked-TR predictions (predict_masked) against the loop they replace, on SmolLM2-135M.

Run: python benchmarks/masking.py [n_masks]   (default 24 masked versions of one held-out TR of the quick simulated
brain, 80 words of context, layer 15 of 30, 200 voxels; writes benchmarks/results/masking.json). Measures, as ratios
from one run:
- masked contexts/s of `predict_masked` (token-budget batches; the forward pass stops after layer 15) against a loop
  with one full forward pass per masked context (every layer, `output_hidden_states`), as one writes it by hand;
- the same batches with the whole model run (`predict_masked` with the last layer's encoding model), which isolates
  what stopping after the layer saves;
- the share of `predict_masked`'s time spent re-tokenizing the masked runs;
- on study A's fixed contexts (80 words after the start token, notebook 04's setting), masked contexts/s with the
  prefix cache (each masked version runs from its first masked token on the unmasked context's key/value cache) and
  without it, on the same TR and masks: uniformly random words (1, 5, 10, 20% of 80) and the most recent words (the
  end of the context, where BA's top words lie). The encoding model of the block plan reads the fixed features
  (same shape): the predictions are not the point here, the time is.
"""
import sys

import numpy as np
import torch

from brainalign.features import FeaturePipeline, pad_rows
from brainalign.masking import masked_context, predict_masked, random_words

from _results import save_result, smollm2_encodings, timed

LAYER = 15


def setup():
    "SmolLM2, the quick simulated brain, encoding models of layers 15 and 30 on 200 voxels, a held-out TR, its run."
    model, tokenizer, dataset, pipeline, encodings, _, runs = smollm2_encodings([LAYER, 30])
    return model, tokenizer, dataset, pipeline, encodings, int(np.flatnonzero(runs == runs.max())[40]), runs.max()


def prefix_cache_rates(model, tokenizer, dataset, encoding, test_run, n_masks) -> dict:
    "Masked contexts/s on one fixed 80-word context with and without the prefix cache, random and most recent words."
    fixed = FeaturePipeline.build(model, tokenizer, dataset, 80, fixed=True, start_token=True)
    row = int(fixed.full_context_rows(test_run)[20])
    words = fixed.tr_context(row).words
    rng = np.random.default_rng(1)
    sizes = np.resize([1, 4, 8, 16], n_masks)  # 1, 5, 10 and 20% of 80 words
    masks = {"random": [random_words(words, n, rng) for n in sizes], "most recent": [words[-n:] for n in sizes]}
    run = lambda m, reuse: predict_masked(fixed, encoding, LAYER, row, m, cache=False,
                                          prefix_cache=reuse)
    rates = {}
    for name, m in masks.items():
        run(m, True)  # warm-up
        rates[name] = {"with_prefix_cache": n_masks / timed(lambda: run(m, True)),
                       "without": n_masks / timed(lambda: run(m, False))}
        rates[name]["speedup"] = rates[name]["with_prefix_cache"] / rates[name]["without"]
    return rates


def full_forward_loop(model, tokenizer, stimulus, pipeline, row, masks):
    "One masked context at a time, each window through the whole model with every hidden state returned."
    embed = model.get_input_embeddings()
    for words in masks:
        context = masked_context(pipeline, row, words)
        x = embed(context.input_ids)
        rows = [x[s - context.token_start:t - context.token_start] for s, t in map(context.plan.token_span, context.windows)]
        with torch.no_grad():
            model.base_model(inputs_embeds=pad_rows(rows)[0], output_hidden_states=True)


def main(n_masks=24):
    torch.set_num_threads(2)
    model, tokenizer, dataset, pipeline, encodings, row, test_run = setup()
    stimulus = dataset.stimulus
    words = pipeline.tr_context(row).words
    rng = np.random.default_rng(0)
    masks = [random_words(words, n, rng) for n in np.resize([2, 7, 13, 26], n_masks)]  # the 1, 5, 10, 20% of 128 words
    run = lambda layer: predict_masked(pipeline, encodings[layer], layer, row, masks, cache=False)
    run(LAYER)  # warm-up
    batched = timed(lambda: run(LAYER))
    whole = timed(lambda: run(30))
    loop = timed(lambda: full_forward_loop(model, tokenizer, stimulus, pipeline, row, masks))
    tokenize = timed(lambda: [masked_context(pipeline, row, m) for m in masks])
    prefix = prefix_cache_rates(model, tokenizer, dataset, encodings[LAYER], test_run, n_masks)
    result = {"n_masks": n_masks, "context_words": len(words), "layer": LAYER,
              "predict_masked_contexts_per_s": n_masks / batched, "full_forward_loop_contexts_per_s": n_masks / loop,
              "speedup_over_loop": loop / batched, "whole_model_over_stopped": whole / batched,
              "tokenize_share": tokenize / batched, "fixed_80_words_prefix_cache": prefix}
    print(f"{n_masks} masked versions of a {len(words)}-word context, layer {LAYER}: predict_masked "
          f"{n_masks / batched:.2f} contexts/s, full-forward loop {n_masks / loop:.2f} contexts/s -> {loop / batched:.2f} x; "
          f"whole model / stopped after layer {LAYER}: {whole / batched:.2f} x; re-tokenizing: {tokenize / batched:.0%} of the time")
    for name, r in prefix.items():
        print(f"fixed 80-word context, {name} words masked: {r['with_prefix_cache']:.2f} contexts/s with the prefix cache, "
              f"{r['without']:.2f} without -> {r['speedup']:.2f} x")
    save_result("masking", result)


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
