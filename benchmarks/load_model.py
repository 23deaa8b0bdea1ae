"""Benchmark: load_model("smollm2-135m") from the wheel's GGUF (dequantise, the baseline) vs from the cache.

Run: python benchmarks/load_model.py   (prints a table; writes benchmarks/results/load_model.json)
The first load uses a fresh temporary cache, so it measures the real one-time cost."""
import os
import tempfile
from _results import save_result, timed


def main():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["BRAINALIGN_CACHE_DIR"] = cache
        from brainalign.core import load_model  # imported after the cache folder is set
        rows = {"smollm2-135m first load (dequantise GGUF + write cache)": timed(lambda: load_model("smollm2-135m"))}
        cached = [timed(lambda: load_model("smollm2-135m")) for _ in range(3)]
        rows["smollm2-135m cached load (best of 3)"] = min(cached)
        rows["minilm-l6"] = timed(lambda: load_model("minilm-l6"))
        for name in ("tiny-gpt2", "tiny-bert", "tiny-llama"):
            rows[name] = min(timed(lambda: load_model(name)) for _ in range(3))
    speedup = rows["smollm2-135m first load (dequantise GGUF + write cache)"] / rows["smollm2-135m cached load (best of 3)"]
    for what, seconds in rows.items():
        print(f"{what:<58s} {seconds:7.2f} s")
    print(f"{'cached load is faster than dequantising by':<58s} {speedup:7.1f} x")
    save_result("load_model", {"seconds": rows, "speedup": speedup})


if __name__ == "__main__":
    main()
