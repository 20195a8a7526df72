"""`pipeline export --onnx`: the ONNX checker accepts the file, and ONNX Runtime's outputs on raw
rows equal `pipeline predict` to 1e-12 (the graph is float64 throughout)."""
import csv
import json
import subprocess

import numpy as np
import pytest

from conftest import REPO, cli_predict, pipeline_command, train_plugin_model, train_shipped

import onnx  # noqa: E402
import onnxruntime  # noqa: E402

TOLERANCE = 1e-12


def export(model, out):
    return subprocess.run([pipeline_command(), "export", "--onnx", str(out), "--model", str(model)],
                          capture_output=True, text=True)


def onnx_predict(path, rows, codes=None):
    """ONNX Runtime's outputs for rows (dicts of CSV text); `codes` maps a categorical input's
    labels to the values standing for them."""
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {}
    for value in session.get_inputs():
        assert value.type == "tensor(double)" and value.shape[1] == 1, (value.name, value.type, value.shape)
        mapping = (codes or {}).get(value.name)
        feeds[value.name] = np.array([[mapping[r[value.name]] if mapping else float(r[value.name])] for r in rows])
    outputs = session.run(None, feeds)
    assert len(outputs) == 1 and outputs[0].dtype == np.float64
    return outputs[0]


def exported(case_model, tmp_path, name):
    out = tmp_path / f"{name}.onnx"
    result = export(case_model, out)
    assert result.returncode == 0, result.stderr
    assert "float64" in result.stdout and "opset 17" in result.stdout
    model = onnx.load(str(out))
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == 8
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 17)]
    return out, model


def test_admissions_test_rows(admissions, tmp_path):
    out, model = exported(admissions.model, tmp_path, "admissions")
    assert [i.name for i in model.graph.input] == ["gre", "gpa", "rank"]
    assert [o.name for o in model.graph.output] == ["admit"]
    got = onnx_predict(out, admissions.rows)
    assert got.shape == (40, 1)
    assert np.max(np.abs(got - admissions.expected)) <= TOLERANCE


def test_iris_softmax_model(tmp_path):
    """pipelines/iris.json (standardize, tanh, softmax over 3 classes), on all 150 rows."""
    train_shipped("iris", "iris", tmp_path)
    model = tmp_path / "iris.model.json"
    out, proto = exported(model, tmp_path, "iris")
    assert [o.name for o in proto.graph.output] == ["species"]
    assert "Softmax" in [n.op_type for n in proto.graph.node]
    with open(REPO / "data" / "iris.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    got = onnx_predict(out, rows)
    expected = cli_predict(model, REPO / "data" / "iris.csv")
    assert got.shape == (150, 3)
    assert np.max(np.abs(got - expected)) <= TOLERANCE
    assert np.allclose(got.sum(axis=1), 1)


def test_text_categories_and_min_max(text_categories, tmp_path):
    import backprop
    out, _ = exported(text_categories.model, tmp_path, "text")
    codes = {"tier": backprop.load(text_categories.model).categories("tier")}
    got = onnx_predict(out, text_categories.rows, codes)
    assert np.max(np.abs(got - text_categories.expected)) <= TOLERANCE


@pytest.mark.parametrize("activation,output", [(["relu", "leaky_relu"], "identity"), (["identity"], "sigmoid")])
def test_every_activation(tmp_path, admissions, activation, output):
    data = REPO / "data" / "admissions.csv"
    spec = {"seed": 5, "stages": [
        {"stage": "ingest", "path": str(data), "target": "admit", "categorical": ["rank"]},
        {"stage": "split", "test_fraction": 0.25},
        {"stage": "normalize", "min_max": ["gre"], "standardize": ["gpa"], "one_hot": ["rank"]},
        {"stage": "train", "hidden": [5] * len(activation), "activation": activation, "output_activation": output,
         "loss": "mse", "epochs": 100, "learning_rate": 0.05, "init": "he", "model": str(tmp_path / "m.json")},
    ]}
    (tmp_path / "p.json").write_text(json.dumps(spec))
    subprocess.run([pipeline_command(), "run", "-q", str(tmp_path / "p.json")], check=True)
    out, _ = exported(tmp_path / "m.json", tmp_path, "m")
    got = onnx_predict(out, admissions.rows)
    expected = cli_predict(tmp_path / "m.json", admissions.csv)
    assert np.max(np.abs(got - expected)) <= TOLERANCE
    assert len(np.unique(got)) > 5


def test_a_model_with_a_plugin_step_is_refused(tmp_path):
    model, env = train_plugin_model(tmp_path)
    result = subprocess.run([pipeline_command(), "export", "--onnx", str(tmp_path / "clip.onnx"), "--model", str(model)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 5, result.stderr
    assert "cannot export to ONNX" in result.stderr and "has no ONNX equivalent" in result.stderr, result.stderr
    assert str(model) in result.stderr
    assert not (tmp_path / "clip.onnx").exists()


def test_bad_model_and_unwritable_output(admissions, tmp_path):
    result = export(tmp_path / "none.json", tmp_path / "x.onnx")
    assert result.returncode == 5 and "none.json" in result.stderr
    (tmp_path / "plain-file").write_text("")
    result = export(admissions.model, tmp_path / "plain-file" / "x.onnx")  # a folder that cannot be
    assert result.returncode == 6 and "x.onnx" in result.stderr
    assert not (tmp_path / "x.onnx").exists()


def test_numeric_imputation_with_indicator(tmp_path):
    """An impute step (median, with a gpa_missing indicator) before standardize: missing values
    reach ONNX Runtime as NaN and come out as `pipeline predict` fills them."""
    with open(REPO / "data" / "admissions.csv", newline="") as file:
        table = list(csv.reader(file))
    header, rows = table[0], table[1:]
    gpa = header.index("gpa")
    for i in range(0, len(rows), 7):
        rows[i][gpa] = ""  # every seventh gpa missing, in training and test rows
    with open(tmp_path / "data.csv", "w", newline="") as file:
        csv.writer(file).writerows([header] + rows)
    spec = {"seed": 9, "stages": [
        {"stage": "ingest", "path": "data.csv", "target": "admit", "categorical": ["rank"], "missing": "keep"},
        {"stage": "split", "train_rows": list(range(300)), "test_rows": list(range(300, 400))},
        {"stage": "impute", "columns": ["gpa"], "strategy": "median", "indicator": True},
        {"stage": "normalize", "standardize": ["gre", "gpa"], "one_hot": ["rank"]},
        {"stage": "train", "hidden": [3], "activation": "tanh", "epochs": 100, "learning_rate": 0.5, "model": "m.json"},
    ]}
    (tmp_path / "p.json").write_text(json.dumps(spec))
    run = subprocess.run([pipeline_command(), "run", "-q", str(tmp_path / "p.json")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "test.csv", "w", newline="") as file:
        csv.writer(file).writerows([header] + rows[300:])
    out, proto = exported(tmp_path / "m.json", tmp_path, "impute")
    assert {"IsNaN", "Where"} <= {n.op_type for n in proto.graph.node}
    with open(tmp_path / "test.csv", newline="") as file:
        test_rows = [{k: (v if v != "" else "nan") for k, v in r.items()} for r in csv.DictReader(file)]
    got = onnx_predict(out, test_rows)
    expected = cli_predict(tmp_path / "m.json", tmp_path / "test.csv")
    assert np.max(np.abs(got - expected)) <= TOLERANCE
    missing = [i for i, r in enumerate(test_rows) if r["gpa"] == "nan"]
    assert len(missing) > 10 and np.all(np.isfinite(got[missing]))
