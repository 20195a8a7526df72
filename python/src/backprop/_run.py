"""Training: running a pipeline file through the C library."""
import json
import os

from ._errors import BackpropError
from ._library import LOG_FN, RESULT_FN, library


def run(pipeline, log=None, library_path=None):
    """Runs the pipeline file `pipeline` and returns its results as a dict: the document
    `pipeline run --json` prints ("test": the metrics, "training": losses and gradient norms,
    "outputs": the files written). `log`, if given, is called with each progress line.
    Raises BackpropError (BP_ERR_PIPELINE, BP_ERR_DATA, BP_ERR_TRAINING, ...) on failure.
    """
    lib = library(library_path)
    if not lib.has("bp_pipeline_run_json"):
        raise BackpropError("BP_ERR_VERSION", f"{lib.path} is older than 1.1: it has no bp_pipeline_run_json")
    documents, errors = [], []

    def on_log(line, _):
        if log is not None and not errors:
            try:
                log(line.decode("utf-8", "replace"))
            except BaseException as error:  # never let a Python exception unwind through C
                errors.append(error)

    def on_result(text, _):
        documents.append(text.decode("utf-8"))

    status = lib.pipeline_run_json(os.fspath(pipeline).encode(), LOG_FN(on_log), None, RESULT_FN(on_result), None)
    lib.check(status)
    if errors:
        raise errors[0]
    return json.loads(documents[0])
