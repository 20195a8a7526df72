"""Finding libbackprop.so and declaring its functions for ctypes (the only place that does)."""
import ctypes
import os
import threading

from ._errors import BackpropError

SUPPORTED_MAJOR = 1
PACKAGED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "libbackprop.so.1")
SYSTEM_NAME = "libbackprop.so.1"

_size_p = ctypes.POINTER(ctypes.c_size_t)
_double_p = ctypes.POINTER(ctypes.c_double)
_handle = ctypes.c_void_p  # handles as c_void_p: a plain int return would truncate them
LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)
RESULT_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)

_SIGNATURES = {
    "bp_version": (ctypes.c_int, []),
    "bp_version_string": (ctypes.c_char_p, []),
    "bp_status_name": (ctypes.c_char_p, [ctypes.c_int]),
    "bp_last_error": (ctypes.c_char_p, []),
    "bp_model_load": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(_handle)]),
    "bp_model_free": (None, [_handle]),
    "bp_model_input_count": (ctypes.c_int, [_handle, _size_p]),
    "bp_model_output_count": (ctypes.c_int, [_handle, _size_p]),
    "bp_model_feature_count": (ctypes.c_int, [_handle, _size_p]),
    "bp_model_input_name": (ctypes.c_int, [_handle, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p)]),
    "bp_model_input_is_categorical": (ctypes.c_int, [_handle, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]),
    "bp_model_input_category_count": (ctypes.c_int, [_handle, ctypes.c_size_t, _size_p]),
    "bp_model_input_category": (ctypes.c_int, [_handle, ctypes.c_size_t, ctypes.c_size_t,
                                               ctypes.POINTER(ctypes.c_char_p), _double_p]),
    "bp_model_output_name": (ctypes.c_int, [_handle, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p)]),
    "bp_model_feature_name": (ctypes.c_int, [_handle, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p)]),
    "bp_model_predict_raw_sized": (ctypes.c_int, [_handle, _double_p, ctypes.c_size_t, _double_p, ctypes.c_size_t]),
    "bp_model_predict_features_sized": (ctypes.c_int, [_handle, _double_p, ctypes.c_size_t, _double_p, ctypes.c_size_t]),
    "bp_pipeline_run": (ctypes.c_int, [ctypes.c_char_p, LOG_FN, ctypes.c_void_p]),
}


class LoadOptions(ctypes.Structure):
    """bp_load_options (since 1.1): struct_size, BP_LOAD_* flags, plugin_path."""
    _fields_ = [("struct_size", ctypes.c_size_t), ("flags", ctypes.c_uint), ("plugin_path", ctypes.c_char_p)]


LOAD_ALLOW_PLUGINS = 1

# Since 1.1: absent from older libraries, which can still load and predict.
_OPTIONAL = {
    "bp_model_load_ex": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(LoadOptions), ctypes.POINTER(_handle)]),
    "bp_pipeline_run_json": (ctypes.c_int, [ctypes.c_char_p, LOG_FN, ctypes.c_void_p, RESULT_FN, ctypes.c_void_p]),
}

_lock = threading.Lock()
_loaded = {}        # path -> Library
_default_path = None


class Library:
    """A loaded libbackprop.so with its functions declared; `path` says which file."""

    def __init__(self, path):
        try:
            self.cdll = ctypes.CDLL(path)
        except OSError as error:
            raise BackpropError("BP_ERR_NOT_FOUND", f"cannot load the Backprop C library {path!r}: {error}") from None
        self.path = path
        for name, (restype, argtypes) in _SIGNATURES.items():
            self._declare(name, restype, argtypes)
        for name, (restype, argtypes) in _OPTIONAL.items():
            if hasattr(self.cdll, name):
                self._declare(name, restype, argtypes)
        self.version = self.cdll.bp_version()
        if self.version // 10000 != SUPPORTED_MAJOR:
            raise BackpropError("BP_ERR_VERSION", f"{path}: library version {self.cdll.bp_version_string().decode()}, "
                                                  f"this package supports {SUPPORTED_MAJOR}.x")

    def _declare(self, name, restype, argtypes):
        function = getattr(self.cdll, name)
        function.restype, function.argtypes = restype, argtypes
        setattr(self, name[3:], function)   # bp_model_load -> self.model_load

    def check(self, status):
        """Raises BackpropError for a status other than BP_OK, with this thread's message."""
        if status != 0:
            raise BackpropError(status, self.cdll.bp_last_error().decode("utf-8", "replace"))

    def has(self, name):
        return hasattr(self, name[3:])


def use_library(path):
    """Makes `path` the library that `load` and `run` use when not given one."""
    global _default_path
    with _lock:
        _default_path = os.fspath(path)


def candidate_path(explicit=None):
    """The library path that will be used: explicit, use_library's, $BACKPROP_LIB, packaged, system."""
    for path in (explicit, _default_path, os.environ.get("BACKPROP_LIB")):
        if path:
            return os.fspath(path)
    return PACKAGED if os.path.exists(PACKAGED) else SYSTEM_NAME


def library(explicit=None):
    """The loaded library for `candidate_path(explicit)`, loaded once per path."""
    path = candidate_path(explicit)
    with _lock:
        if path not in _loaded:
            _loaded[path] = Library(path)
        return _loaded[path]
