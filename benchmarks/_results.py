"""Where benchmark scripts keep their measurements: benchmarks/results/<name>.json (ignored by git)."""
import json
from pathlib import Path


def save_result(name: str, result: dict) -> Path:
    "Write `result` as benchmarks/results/<name>.json and return the path."
    out = Path(__file__).parent / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return out
