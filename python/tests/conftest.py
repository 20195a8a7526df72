"""Fixtures: the repository, the `pipeline` command, the admissions model and a text-category
model, each with its test rows and what `pipeline predict` prints for them."""
import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def pipeline_command():
    """$BACKPROP_PIPELINE (scripts/test-python sets it), else the debug build's."""
    command = os.environ.get("BACKPROP_PIPELINE") or str(REPO / ".build" / "debug" / "pipeline")
    if not os.access(command, os.X_OK):
        pytest.fail(f"no pipeline command at {command}: run `swift build` or set BACKPROP_PIPELINE")
    return command


def cli_predict(model, rows_csv):
    """`pipeline predict` for a CSV file of raw rows, as a float array (rows x outputs)."""
    text = subprocess.run([pipeline_command(), "predict", "--format", "values", "--model", str(model), "--input", str(rows_csv)],
                          check=True, capture_output=True, text=True).stdout
    return np.array([[float(v) for v in line.split(",")] for line in text.splitlines()])


def write_rows(path, header, rows):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


class Case:
    """A trained model with test rows: `rows` (list of dicts of CSV text), `csv`, `expected`."""

    def __init__(self, model, rows_csv):
        self.model = Path(model)
        self.csv = Path(rows_csv)
        with open(rows_csv, newline="") as file:
            self.rows = list(csv.DictReader(file))
        self.expected = cli_predict(model, rows_csv)


def train_shipped(pipeline, data, folder, env=None):
    """Runs pipelines/PIPELINE.json on data/DATA.csv with its outputs in `folder`; returns its spec."""
    spec = json.loads((REPO / "pipelines" / f"{pipeline}.json").read_text())
    for stage in spec["stages"]:
        if stage["stage"] == "ingest":
            stage["path"] = str(REPO / "data" / f"{data}.csv")
        for key in ("model", "report", "plot"):
            if key in stage:
                stage[key] = str(Path(folder) / Path(stage[key]).name)
    (Path(folder) / f"{pipeline}.json").write_text(json.dumps(spec))
    subprocess.run([pipeline_command(), "run", "-q", str(Path(folder) / f"{pipeline}.json")], check=True, env=env)
    return spec


def train_plugin_model(folder):
    """Builds examples/c-plugin/clip.c into `folder` and trains pipelines/admissions-clip.json with
    it; returns the model's path and the environment that finds the plugin."""
    subprocess.run(["gcc", "-shared", "-fPIC", "-std=c11", "-I", str(REPO / "include"), "-o",
                    str(Path(folder) / "libclip.so"), str(REPO / "examples" / "c-plugin" / "clip.c")], check=True)
    env = dict(os.environ, BACKPROP_PLUGIN_PATH=str(folder))
    train_shipped("admissions-clip", "admissions", folder, env=env)
    return next(Path(folder).glob("*.model.json")), env


@pytest.fixture(scope="session")
def admissions(tmp_path_factory):
    """pipelines/admissions.json trained into a temporary folder; its 40 test rows."""
    work = tmp_path_factory.mktemp("admissions")
    spec = train_shipped("admissions", "admissions", work)
    test_rows = next(s for s in spec["stages"] if s["stage"] == "split")["test_rows"]
    with open(REPO / "data" / "admissions.csv", newline="") as file:
        table = list(csv.reader(file))
    write_rows(work / "test.csv", table[0], [table[1 + i] for i in test_rows])
    return Case(work / "admissions.model.json", work / "test.csv")


RANK_LABELS = {"1": "top", "2": "upper", "3": "lower", "4": "bottom"}


@pytest.fixture(scope="session")
def text_categories(tmp_path_factory):
    """A model with a text categorical input ('tier': top/upper/lower/bottom, the admissions
    rank renamed), min-max and standardized inputs, biases, two tanh hidden layers; rows 300-399
    are its test rows."""
    work = tmp_path_factory.mktemp("text")
    with open(REPO / "data" / "admissions.csv", newline="") as file:
        table = list(csv.DictReader(file))
    header = ["admit", "gre", "gpa", "tier"]
    rows = [[r["admit"], r["gre"], r["gpa"], RANK_LABELS[r["rank"]]] for r in table]
    write_rows(work / "data.csv", header, rows)
    spec = {"seed": 7, "stages": [
        {"stage": "ingest", "path": "data.csv", "target": "admit", "categorical": ["tier"]},
        {"stage": "split", "train_rows": list(range(300)), "test_rows": list(range(300, 400))},
        {"stage": "normalize", "standardize": ["gpa"], "min_max": ["gre"], "one_hot": ["tier"]},
        {"stage": "train", "hidden": [4, 3], "activation": "tanh", "loss": "binary_cross_entropy",
         "epochs": 200, "learning_rate": 0.1, "model": "text.model.json"},
        {"stage": "evaluate"},
    ]}
    (work / "text.json").write_text(json.dumps(spec))
    subprocess.run([pipeline_command(), "run", "-q", str(work / "text.json")], check=True)
    write_rows(work / "test.csv", header, rows[300:])
    return Case(work / "text.model.json", work / "test.csv")
