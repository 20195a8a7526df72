"""Backprop from Python: load a model and predict (numpy, dicts, pandas), or run a pipeline.

    import backprop
    m = backprop.load("out/admissions.model.json")
    m.predict({"gre": [700], "gpa": [3.8], "rank": [2]})
    backprop.run("pipelines/admissions.json")["test"]

The C library is found, first match wins: the `library=` argument, `use_library(path)`,
$BACKPROP_LIB, the copy installed inside this package (backprop/lib/libbackprop.so.1), then the
system loader's search path (libbackprop.so.1).
"""
from ._errors import BackpropError
from ._library import candidate_path as library_path
from ._library import use_library
from ._model import Model
from ._run import run as _run_pipeline

__all__ = ["BackpropError", "Model", "load", "run", "use_library", "library_path"]
__version__ = "1.1.0"


def load(path, library=None, allow_plugins=False, plugin_path=None):
    """Loads the model file at `path`; `library` optionally names libbackprop.so to use.

    A model with plugin steps is refused (BP_ERR_PLUGINS_NOT_ALLOWED) unless `allow_plugins`:
    then each plugin's library (whose code runs) is found by file name in `plugin_path`
    (colon-separated folders; None: $BACKPROP_PLUGIN_PATH).
    """
    return Model(path, library_path=library, allow_plugins=allow_plugins, plugin_path=plugin_path)


def run(pipeline, log=None, library=None):
    """Runs a pipeline file; returns the run's JSON document as a dict (metrics under "test")."""
    return _run_pipeline(pipeline, log=log, library_path=library)
