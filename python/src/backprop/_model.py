"""A loaded model: its description, and predictions from numpy arrays, dicts or DataFrames."""
import ctypes
import os

import numpy as np

from ._errors import BackpropError
from ._library import LOAD_ALLOW_PLUGINS, LoadOptions, library


class Model:
    """A Backprop model loaded through the C library. Immutable; safe to share between threads.

    Attributes: `inputs` (raw input names, in the order of a row), `outputs` (output names),
    `features` (preprocessed feature names), `categorical` (input name -> bool), `path`.
    Free it early with `close()` or a `with` block; otherwise it is freed when collected.
    """

    def __init__(self, path, library_path=None, allow_plugins=False, plugin_path=None):
        self._lib = library(library_path)
        self.path = os.fspath(path)
        handle = ctypes.c_void_p()
        if allow_plugins or plugin_path is not None:
            if not self._lib.has("bp_model_load_ex"):
                raise BackpropError("BP_ERR_VERSION", f"{self._lib.path} is older than 1.1: it cannot load plugin steps")
            options = LoadOptions(ctypes.sizeof(LoadOptions), LOAD_ALLOW_PLUGINS if allow_plugins else 0,
                                  os.fspath(plugin_path).encode() if plugin_path is not None else None)
            self._lib.check(self._lib.model_load_ex(self.path.encode(), ctypes.byref(options), ctypes.byref(handle)))
        else:
            self._lib.check(self._lib.model_load(self.path.encode(), ctypes.byref(handle)))
        self._handle = handle
        try:
            self._describe()
        except BaseException:
            self.close()
            raise

    def _describe(self):
        lib, h = self._lib, self._handle
        counts = {}
        for what in ("input", "output", "feature"):
            count = ctypes.c_size_t()
            lib.check(getattr(lib, f"model_{what}_count")(h, ctypes.byref(count)))
            counts[what] = count.value
        self.inputs = [self._text(lib.model_input_name, i) for i in range(counts["input"])]
        self.outputs = [self._text(lib.model_output_name, i) for i in range(counts["output"])]
        self.features = [self._text(lib.model_feature_name, i) for i in range(counts["feature"])]
        self.categorical = {}
        self._categories = {}
        for i, name in enumerate(self.inputs):
            flag, count = ctypes.c_int(), ctypes.c_size_t()
            lib.check(lib.model_input_is_categorical(h, i, ctypes.byref(flag)))
            lib.check(lib.model_input_category_count(h, i, ctypes.byref(count)))
            self.categorical[name] = bool(flag.value)
            labels = {}
            for k in range(count.value):
                label, value = ctypes.c_char_p(), ctypes.c_double()
                lib.check(lib.model_input_category(h, i, k, ctypes.byref(label), ctypes.byref(value)))
                labels[label.value.decode()] = value.value
            self._categories[name] = labels

    def _text(self, function, index):
        out = ctypes.c_char_p()
        self._lib.check(function(self._handle, index, ctypes.byref(out)))
        return out.value.decode()

    def categories(self, name):
        """The categories of input `name`: {label: value standing for it in a raw row}, in the
        model's order ({} for a numeric input)."""
        if name not in self._categories:
            raise BackpropError("BP_ERR_INDEX", f"the model has no input {name!r} (inputs: {', '.join(self.inputs)})")
        return dict(self._categories[name])

    def predict(self, x):
        """The outputs for raw rows, as a float64 array of shape (rows, len(outputs)).

        `x` is a 2-D array-like with one column per input in `inputs` order (categorical inputs
        as the value standing for the category, see `categories`), or a dict of columns or a
        pandas DataFrame (columns found by name, others ignored; categorical columns may hold
        labels, as text). The model's fitted preprocessing is applied inside the library.
        """
        rows = self._raw_matrix(x)
        return self._call(self._lib.model_predict_raw_sized, rows)

    def predict_features(self, x):
        """The outputs for already-preprocessed rows: a 2-D array-like with one column per
        feature in `features` order. Returns a float64 array (rows, len(outputs))."""
        rows = self._matrix(x, len(self.features), "features")
        return self._call(self._lib.model_predict_features_sized, rows)

    def _call(self, function, rows):
        self._require_open()
        out = np.empty((rows.shape[0], len(self.outputs)), dtype=np.float64)
        double_p = ctypes.POINTER(ctypes.c_double)
        # ctypes releases the GIL for the call: other threads predict meanwhile.
        self._lib.check(function(self._handle, rows.ctypes.data_as(double_p), rows.size,
                                 out.ctypes.data_as(double_p), out.size))
        return out

    def _matrix(self, x, width, what):
        try:
            rows = np.ascontiguousarray(x, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise BackpropError("BP_ERR_DATA", f"rows must be numbers: {error}") from None
        if rows.ndim != 2 or rows.shape[1] != width or rows.shape[0] == 0:
            raise BackpropError("BP_ERR_SIZE", f"expected a 2-D array of shape (rows >= 1, {width}) ({what}: "
                                               f"{', '.join(self.features if what == 'features' else self.inputs)}), "
                                               f"got shape {rows.shape}")
        return rows

    def _raw_matrix(self, x):
        if isinstance(x, dict) or (hasattr(x, "columns") and hasattr(x, "__getitem__") and not isinstance(x, np.ndarray)):
            return self._columns_matrix(x)
        return self._matrix(x, len(self.inputs), "inputs")

    def _columns_matrix(self, table):
        names = list(table.keys()) if isinstance(table, dict) else [str(c) for c in table.columns]
        missing = [name for name in self.inputs if name not in names]
        if missing:
            raise BackpropError("BP_ERR_DATA", f"no column {missing[0]!r} (the model's inputs: {', '.join(self.inputs)})")
        columns = [self._column(name, table[name]) for name in self.inputs]
        lengths = {len(c) for c in columns}
        if len(lengths) != 1:
            raise BackpropError("BP_ERR_SIZE", f"columns of different lengths: {sorted(lengths)}")
        if not columns or lengths == {0}:
            raise BackpropError("BP_ERR_SIZE", "no rows")
        return np.ascontiguousarray(np.column_stack(columns), dtype=np.float64)

    def _column(self, name, values):
        values = np.asarray(values)
        if values.ndim != 1:
            raise BackpropError("BP_ERR_SIZE", f"column {name!r} must be 1-D, got shape {values.shape}")
        if not self.categorical[name] or values.dtype.kind in "biuf":
            try:
                return values.astype(np.float64)
            except (TypeError, ValueError) as error:
                raise BackpropError("BP_ERR_DATA", f"column {name!r}: {error}") from None
        labels = self._categories[name]
        column = np.empty(len(values), dtype=np.float64)
        for row, value in enumerate(values):
            key = value if isinstance(value, str) else _label_text(value)
            if key not in labels:
                raise BackpropError("BP_ERR_UNKNOWN_CATEGORY",
                                    f"column {name!r}, row {row}: unknown category {value!r} (known: {', '.join(labels)})")
            column[row] = labels[key]
        return column

    def _require_open(self):
        if not self._handle:
            raise BackpropError("BP_ERR_NULL", f"the model {self.path} was closed")

    def close(self):
        """Frees the model (no other thread may be using it). Idempotent."""
        handle, self._handle = getattr(self, "_handle", None), ctypes.c_void_p()
        if handle:
            self._lib.model_free(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        return f"<backprop.Model {self.path!r}: {', '.join(self.inputs)} -> {', '.join(self.outputs)}>"


def _label_text(value):
    """A non-text category value as its label: 2.0 -> "2", as the training CSV would hold it."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
