#!/usr/bin/env python3
"""Predicts every row of a CSV file with a Backprop model through the C ABI, with ctypes only.

    python3 predict.py MODEL.json ROWS.csv [path/to/libbackprop.so]

ROWS.csv has a header; the model's input columns are found by name (others are ignored) and
categorical ones hold the category labels. Prints one line per row: the outputs, comma-separated,
full precision. The library is found through the third argument, $BACKPROP_LIB, or the loader's
search path (libbackprop.so.1).
"""
import csv
import ctypes
import os
import sys

BP_OK = 0


def load_library(path=None):
    lib = ctypes.CDLL(path or os.environ.get("BACKPROP_LIB") or "libbackprop.so.1")
    c_size_p = ctypes.POINTER(ctypes.c_size_t)
    model_p = ctypes.c_void_p  # handles as c_void_p: a plain int return would truncate them
    signatures = {
        "bp_version": (ctypes.c_int, []),
        "bp_version_string": (ctypes.c_char_p, []),
        "bp_last_error": (ctypes.c_char_p, []),
        "bp_model_load": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(model_p)]),
        "bp_model_free": (None, [model_p]),
        "bp_model_input_count": (ctypes.c_int, [model_p, c_size_p]),
        "bp_model_output_count": (ctypes.c_int, [model_p, c_size_p]),
        "bp_model_input_name": (ctypes.c_int, [model_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p)]),
        "bp_model_input_is_categorical": (ctypes.c_int, [model_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]),
        "bp_model_input_category_count": (ctypes.c_int, [model_p, ctypes.c_size_t, c_size_p]),
        "bp_model_input_category": (ctypes.c_int, [model_p, ctypes.c_size_t, ctypes.c_size_t,
                                                   ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_double)]),
        "bp_model_predict_raw": (ctypes.c_int, [model_p, ctypes.POINTER(ctypes.c_double), ctypes.c_size_t,
                                                ctypes.POINTER(ctypes.c_double)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class Model:
    """A loaded model; `predict(rows)` takes rows of raw values as in the training CSV."""

    def __init__(self, lib, path):
        self.lib = lib
        self.handle = ctypes.c_void_p()
        self._check(lib.bp_model_load(path.encode(), ctypes.byref(self.handle)))
        self.inputs, self.outputs = self._count(lib.bp_model_input_count), self._count(lib.bp_model_output_count)
        self.names, self.categories = [], []
        for i in range(self.inputs):
            name, flag, count = ctypes.c_char_p(), ctypes.c_int(), ctypes.c_size_t()
            self._check(lib.bp_model_input_name(self.handle, i, ctypes.byref(name)))
            self._check(lib.bp_model_input_is_categorical(self.handle, i, ctypes.byref(flag)))
            self._check(lib.bp_model_input_category_count(self.handle, i, ctypes.byref(count)))
            self.names.append(name.value.decode())
            labels = {}
            for k in range(count.value if flag.value else 0):
                label, value = ctypes.c_char_p(), ctypes.c_double()
                self._check(lib.bp_model_input_category(self.handle, i, k, ctypes.byref(label), ctypes.byref(value)))
                labels[label.value.decode()] = value.value
            self.categories.append(labels if flag.value else None)

    def _check(self, status):
        if status != BP_OK:
            raise RuntimeError(self.lib.bp_last_error().decode())

    def _count(self, function):
        count = ctypes.c_size_t()
        self._check(function(self.handle, ctypes.byref(count)))
        return count.value

    def raw_value(self, input_index, text):
        labels = self.categories[input_index]
        if labels is None:
            return float(text)
        if text not in labels:
            raise ValueError(f"input '{self.names[input_index]}': unknown category {text!r} (known: {', '.join(labels)})")
        return labels[text]

    def predict(self, rows):
        """Outputs for a batch of raw rows (lists of values in input order), in one call."""
        flat = [value for row in rows for value in row]
        inputs = (ctypes.c_double * len(flat))(*flat)
        outputs = (ctypes.c_double * (len(rows) * self.outputs))()
        self._check(self.lib.bp_model_predict_raw(self.handle, inputs, len(rows), outputs))
        return [list(outputs[r * self.outputs:(r + 1) * self.outputs]) for r in range(len(rows))]

    def close(self):
        if self.handle:
            self.lib.bp_model_free(self.handle)
            self.handle = ctypes.c_void_p()


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    lib = load_library(argv[3] if len(argv) == 4 else None)
    try:
        model = Model(lib, argv[1])
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        with open(argv[2], newline="") as file:
            reader = csv.DictReader(file)
            missing = [name for name in model.names if name not in (reader.fieldnames or [])]
            if missing:
                print(f"error: {argv[2]} has no column {missing[0]!r}", file=sys.stderr)
                return 1
            rows = [[model.raw_value(i, record[name].strip()) for i, name in enumerate(model.names)] for record in reader]
        for prediction in model.predict(rows):
            print(",".join(repr(value) for value in prediction))
    except (RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        model.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
