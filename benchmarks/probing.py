"""Benchmark: pooled span features for probing (span_features) against the loop they replace, on SmolLM2-135M.

Run: python benchmarks/probing.py [n_examples]   (default 600 examples drawn from the quick gold suite when
$BRAINALIGN_DATA_DIR holds ud-ewt/ and gum/, else from the silver suite of the default story; 3 layers; writes
benchmarks/results/probing.json). Measures, as a ratio from one run, examples/s of
- `span_features`: each distinct text once, batches of 32 texts sorted by length, the forward pass stopping after the
  deepest requested layer, every example of a text pooled from that one pass;
- a loop with one forward pass per example (its text alone, every hidden state returned), as one writes it by hand.
Both give the same vectors (checked here to 1e-4).
"""
import sys

import numpy as np
import torch

from brainalign.core import data_dir, load_model, set_seed
from brainalign.data import default_stimulus
from brainalign.features import special_tokens, tokenize_words
from brainalign.probing import QUICK_CAPS, _pool, build_suite, gold_suite, silver_corpus, span_features

from _results import save_result, timed


def examples(n: int) -> tuple:
    "(texts, spans) of n single-span examples drawn (seeded) from the quick suite's tasks."
    folder = data_dir()
    if folder is not None and (folder / "gum").is_dir():
        suite = gold_suite(folder, "quick")
    else:
        story = default_stimulus(annotate=False)
        suite = build_suite(silver_corpus([[w for w, r in zip(story.words, story.runs) if r == run]
                                           for run in np.unique(story.runs)]), QUICK_CAPS, source="silver")
    rows = [(t, s) for task in suite for t, s in zip(task.examples.text, task.examples.spans) if len(s) == 1]
    picked = np.random.default_rng(0).choice(len(rows), size=min(n, len(rows)), replace=False)
    return [rows[i][0] for i in picked], [rows[i][1] for i in picked]


def one_by_one(model, tokenizer, texts, spans, layers) -> dict:
    "One example at a time: its text through the whole model with every hidden state, then its span pooled."
    prefix, suffix = special_tokens(tokenizer)
    out = {layer: [] for layer in layers}
    for text, span in zip(texts, spans):
        ids, owner = tokenize_words(tokenizer, list(text))
        owner = np.concatenate([np.full(len(prefix), -1), owner, np.full(len(suffix), -1)])
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor([prefix + ids.tolist() + suffix]), output_hidden_states=True).hidden_states
        for layer in layers:
            out[layer].append(_pool(hidden[layer][0], owner, span).numpy())
    return {layer: np.stack(v) for layer, v in out.items()}


def main(n: int = 600):
    set_seed(0)
    model, tokenizer = load_model("smollm2-135m")
    texts, spans = examples(n)
    layers = [0, 15, 30]
    batched = span_features(model, tokenizer, texts, spans, layers, cache=False)
    looped = one_by_one(model, tokenizer, texts[:50], spans[:50], layers)
    for layer in layers:
        assert np.allclose(batched[layer][:50], looped[layer], atol=1e-4), layer
    t_batched = timed(span_features, model, tokenizer, texts, spans, layers, 32, False)
    t_loop = timed(one_by_one, model, tokenizer, texts, spans, layers)
    result = {"examples": len(texts), "distinct_texts": len(set(texts)), "layers": layers,
              "span_features_examples_per_s": len(texts) / t_batched, "loop_examples_per_s": len(texts) / t_loop,
              "speedup": t_loop / t_batched}
    print(f"{len(texts)} examples ({len(set(texts))} distinct texts), layers {layers}: span_features "
          f"{result['span_features_examples_per_s']:.1f} examples/s, one forward pass per example "
          f"{result['loop_examples_per_s']:.1f} examples/s: {result['speedup']:.2f}x")
    print(f"written to {save_result('probing', result)}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
