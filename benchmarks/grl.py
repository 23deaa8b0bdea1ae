"""Benchmark: training steps of the brain-misalignment intervention (notebook 05) on SmolLM2-135M.

Run: python benchmarks/grl.py [n_steps]   (default 4 timed steps after one warm-up; writes benchmarks/results/grl.json).
A step is one batch of 16 consecutive TRs of the quick simulated brain (20 words of context, 1,552 voxels of sim01),
forward through LoRA-adapted SmolLM2, LM loss + reversed brain loss, backward, AdamW. Measures, as a ratio from one run,
the steps/s of `intervention_losses` (windows that neighbouring TRs share run once) against the same step with every
TR's windows run separately. On a CUDA device it also times GPT-2-small and Llama-3.2-1B architectures built from
their configs with random weights (no download); without one it says so in one line.
"""
import sys

import numpy as np
import torch

from brainalign.core import load_model, set_seed
from brainalign.data import load_dataset
from brainalign.encoding import subject_responses
from brainalign.grl import (BrainHead, GradientReversal, HEAD_DELAYS, TrainConfig, _forward, add_lora, intervention_pipeline,
                            intervention_samples, pearson_loss, training_batches)

from _results import save_result, timed


def steps(model, tokenizer, head, samples, Y, batches, config, shared):
    "Seconds per training step over `batches` (positions into samples)."
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad] + list(head.parameters()), lr=1e-4)
    reversal = GradientReversal(1.0)

    def step(batch):
        lm, predicted = _forward(model, tokenizer, [samples[i] for i in batch], config, head, reversal, shared=shared)
        loss = config.lm_weight * lm + config.ba_weight * pearson_loss(predicted, torch.as_tensor(Y[batch], device=predicted.device))
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    step(batches[0])  # warm-up
    return np.mean([timed(step, b) for b in batches[1:]])


def setup(model, tokenizer, dataset, config, n_voxels=None, device="cpu"):
    pipeline = intervention_pipeline(model, tokenizer, dataset, config.context_words)
    runs = dataset.tr_runs[dataset.kept_trs]
    rows, samples = intervention_samples(pipeline, np.flatnonzero(runs == 1))
    Y = subject_responses(dataset, dataset.subjects[0])[0][rows]
    Y = Y[:, :n_voxels] if n_voxels else Y
    model = add_lora(model).to(device).eval()
    head = BrainHead(len(HEAD_DELAYS) * model.config.hidden_size, Y.shape[1]).to(device)
    return model, head, samples, Y


def main(n_steps=4):
    torch.set_num_threads(2)
    set_seed(0)
    config = TrainConfig(batch_size=16, context_words=20)
    dataset = load_dataset("simulated", "quick")
    model, tokenizer = load_model("smollm2-135m")
    model, head, samples, Y = setup(model, tokenizer, dataset, config)
    batches = training_batches(np.ones(len(samples), int), config.batch_size, 0, 0)[:n_steps + 1]
    shared = steps(model, tokenizer, head, samples, Y, batches, config, True)
    separate = steps(model, tokenizer, head, samples, Y, batches, config, False)
    result = {"model": "smollm2-135m", "device": "cpu", "threads": torch.get_num_threads(), "batch_size": 16,
              "n_voxels": int(Y.shape[1]), "steps_per_s": 1 / shared, "separate_windows_steps_per_s": 1 / separate,
              "speedup_shared_windows": separate / shared}
    print(f"SmolLM2-135M, CPU ({torch.get_num_threads()} threads), batch 16 TRs, {Y.shape[1]} voxels: {1 / shared:.3f} steps/s "
          f"({shared:.2f} s/step); every TR's windows separately {1 / separate:.3f} steps/s -> {separate / shared:.2f} x")
    if not torch.cuda.is_available():
        print("no CUDA device: GPT-2-small and Llama-3.2-1B steps/s not measured")
    else:
        result["cuda"] = cuda_steps(tokenizer, dataset, config, n_steps)
    save_result("grl", result)


def cuda_steps(tokenizer, dataset, config, n_steps):
    "Steps/s of GPT-2-small and Llama-3.2-1B architectures (random weights, bf16) on the GPU, SmolLM2's tokenizer."
    from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig
    configs = {"gpt2-small": GPT2Config(vocab_size=len(tokenizer), architectures=["GPT2LMHeadModel"]),
               "llama-3.2-1b": LlamaConfig(vocab_size=len(tokenizer), hidden_size=2048, intermediate_size=8192,
                                           num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
                                           max_position_embeddings=131072, architectures=["LlamaForCausalLM"])}
    out = {}
    for name, cfg in configs.items():
        model = AutoModelForCausalLM.from_config(cfg).to(torch.bfloat16)
        model.name_or_path = name
        model, head, samples, Y = setup(model, tokenizer, dataset, config, device="cuda")
        batches = training_batches(np.ones(len(samples), int), config.batch_size, 0, 0)[:n_steps + 1]
        seconds = steps(model, tokenizer, head, samples, Y, batches, config, True)
        out[name] = {"steps_per_s": 1 / seconds, "peak_gpu_gib": torch.cuda.max_memory_allocated() / 2 ** 30}
        print(f"{name} (bf16, CUDA): {1 / seconds:.2f} steps/s")
    return out


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
