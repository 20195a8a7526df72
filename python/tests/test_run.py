"""Training through the package: the run's metrics, and the model it writes predicts as the CLI's."""
import json

import numpy as np

import backprop


def test_run_returns_the_metrics_and_writes_the_model(tmp_path, admissions):
    spec = json.loads(open(admissions.model.parent / "admissions.json").read())
    for stage in spec["stages"]:
        for key in ("model", "report", "plot"):
            if key in stage:
                stage[key] = str(tmp_path / ("again." + key))
    path = tmp_path / "again.json"
    path.write_text(json.dumps(spec))
    lines = []
    result = backprop.run(path, log=lines.append)
    assert result["format"] == "backprop-run"
    test = result["test"]
    assert test["test_rows"] == 40
    assert 0.5 <= test["accuracy"] <= 1 and 0 < test["baseline_accuracy"] < 1
    assert any("loss" in line for line in lines)
    written = {o["label"]: o["path"] for o in result["outputs"]}
    assert written["Model"] == str(tmp_path / "again.model")
    # Same pipeline, same seed: the same model as the fixture's, hence the same predictions.
    again = backprop.load(written["Model"]).predict(np.array([[float(r[n]) for n in ("gre", "gpa", "rank")] for r in admissions.rows]))
    assert np.max(np.abs(again - admissions.expected)) <= 1e-12
