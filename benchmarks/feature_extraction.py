"""Benchmark: extract_features (batched shared-context windows) vs a naive loop with one window per word.

Run: python benchmarks/feature_extraction.py [n_words]   (default 240 words of the embedded story, SmolLM2-135M,
80 words of context, all 31 layers; writes benchmarks/results/feature_extraction.json)
Both compute every word's mean token state with >= 80 words of preceding context, all layers per forward pass."""
import sys
import time

import numpy as np
import torch

from brainalign.core import load_model
from brainalign.data import default_stimulus
from brainalign.features import mean_word_states, extract_features, tokenize_runs

from _results import save_result


def naive(model, tokenizer, stimulus, context_words):
    "One forward pass per word: the word and its `context_words` predecessors."
    run = tokenize_runs(tokenizer, stimulus)[0]
    out = []
    for w in range(len(stimulus)):
        keep = (run.word_of_token >= max(0, w - context_words)) & (run.word_of_token <= w)
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor([run.ids[keep]]), output_hidden_states=True).hidden_states
        out.append(torch.stack([mean_word_states(h[0], run.word_of_token[keep], [w])[0] for h in hidden]))
    return torch.stack(out)


def main(n_words=240, context_words=80):
    torch.set_num_threads(2)
    story = default_stimulus(annotate=False)
    stimulus = story.select(np.arange(n_words))  # the first words of run 1
    model, tokenizer = load_model("smollm2-135m")
    start = time.perf_counter()
    extract_features(model, tokenizer, stimulus, None, context_words, cache=False)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    naive(model, tokenizer, stimulus, context_words)
    loop = time.perf_counter() - start
    result = {"n_words": n_words, "context_words": context_words, "batched_words_per_s": n_words / batched,
              "naive_words_per_s": n_words / loop, "speedup": loop / batched}
    print(f"extract_features: {result['batched_words_per_s']:.1f} words/s; naive one window per word: "
          f"{result['naive_words_per_s']:.1f} words/s -> {result['speedup']:.1f} x faster "
          f"({n_words} words, {context_words} words of context, 31 layers, SmolLM2-135M, CPU)")
    save_result("feature_extraction", result)


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
