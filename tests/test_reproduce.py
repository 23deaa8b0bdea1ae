"""End-to-end checks of `brainalign reproduce`: the whole quick chain through papermill, and its failure report."""
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from brainalign.cli import main, reproduce
from brainalign.core import ChainFolders, ReproduceError, chain_notebooks, project_root
from brainalign.site import browser_check, build_site, chromium, unrendered


def test_quick_chain_runs_every_notebook_and_writes_its_figures(tmp_path):
    "The real-model cells of every notebook and their asserts; the test cells are left out: `make test` runs nbdev_test first."
    figures, runs = tmp_path / "figures", tmp_path / "runs"
    cmd = [sys.executable, "-c", "from brainalign.cli import main; raise SystemExit(main())", "reproduce",
           "--mode", "quick", "--skip-tests", "--run-id", "pytest", "--runs-dir", str(runs), "--figures-dir", str(figures)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    for nb in chain_notebooks():
        assert f"{nb.stem} done in" in done.stdout
        assert (runs / "pytest" / nb.name).exists()
        assert list(figures.glob(f"{nb.name[:2]}_*.png")), f"{nb.name} wrote no figure"
    check_the_site(runs / "pytest", figures, tmp_path / "site")


def check_the_site(run, figures, site):
    """The companion site of the chain's run: built (no broken link or image: `build_site` checks), every page opened in
    headless Chromium with every image decoded, and screenshots of the landing page and one chapter kept as CI artefacts
    under the checkout's runs/ci-site/ (Chromium: installed by .ci/run; without it the browser part is skipped)."""
    build_site(run, site, figures)
    claims = pd.read_csv(site / "claims.csv")
    assert "missing in this run" not in set(claims.verdict), claims  # the whole chain ran: every claim has its tables
    assert len(claims) >= 18 and (figures / "claims.csv").is_file(), claims
    if chromium() is None:
        pytest.skip("no Chromium: the site was built and checked for broken links, not opened in a browser")
    kept = project_root() / "runs" / "ci-site"
    records = browser_check(site, {"index.html": kept / "landing.png", "03_attribution.html": kept / "03_attribution.png"})
    assert {r["page"] for r in records} == {p.name for p in site.glob("*.html")}
    assert not [r for r in records if r["broken"]], records
    assert sum(r["images"] for r in records) >= len(list(figures.glob("*.png"))) // 2  # figures embedded in the chapters
    chapters = {nb.stem + ".html" for nb in Path(run).glob("*.ipynb")}
    assert all(r["mathjax"] for r in records if r["page"] in chapters), records  # MathJax started on every chapter
    assert not unrendered(records), records  # every image decoded, every formula typeset
    assert next(r for r in records if r["page"] == "01_data.html")["formulas"] > 0  # notebook 01 writes its model in TeX


def _notebook_that_fails(folder):
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    params = nbformat.v4.new_code_cell('MODE = "quick"\nOUT_DIR = None\nSEED = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell('raise ValueError("voxel 7 is constant")')]
    nbformat.write(nb, folder / "07_broken.ipynb")


def test_a_failing_notebook_is_named_with_its_cell_and_error(tmp_path):
    _notebook_that_fails(tmp_path / "nbs")
    with pytest.raises(ReproduceError) as failure:
        reproduce(run_id="broken", folders=ChainFolders(tmp_path / "nbs", tmp_path / "runs", tmp_path / "figures"))
    message = str(failure.value)
    assert "07_broken.ipynb failed in cell" in message
    assert "ValueError: voxel 7 is constant" in message
    assert (tmp_path / "runs" / "broken" / "07_broken.ipynb").exists()


def test_command_line_reports_bad_arguments(capsys):
    assert main(["reproduce", "--only", "42"]) == 1
    assert "no notebook numbered ['42']" in capsys.readouterr().err
