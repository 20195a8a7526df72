"""Which library file the package loads, and in which order it looks."""
import os

import backprop
from backprop import _library


def test_order_explicit_then_environment_then_package_then_system(monkeypatch, tmp_path):
    monkeypatch.setattr(_library, "_default_path", None)
    monkeypatch.setenv("BACKPROP_LIB", "/from/env/libbackprop.so")
    assert backprop.library_path("/explicit/libbackprop.so") == "/explicit/libbackprop.so"
    assert backprop.library_path() == "/from/env/libbackprop.so"
    backprop.use_library("/chosen/libbackprop.so")
    assert backprop.library_path() == "/chosen/libbackprop.so"
    monkeypatch.setattr(_library, "_default_path", None)
    monkeypatch.delenv("BACKPROP_LIB")
    monkeypatch.setattr(_library, "PACKAGED", str(tmp_path / "lib" / "libbackprop.so.1"))
    assert backprop.library_path() == "libbackprop.so.1"  # nothing packaged: the system's loader
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libbackprop.so.1").write_bytes(b"")
    assert backprop.library_path() == str(tmp_path / "lib" / "libbackprop.so.1")


def test_installed_package_carries_the_library(monkeypatch):
    """scripts/test-python installs the package with the library inside and sets this variable."""
    if os.environ.get("BACKPROP_EXPECT_PACKAGED") != "1":
        return  # run from the source tree: nothing installed to check
    monkeypatch.delenv("BACKPROP_LIB", raising=False)
    assert os.path.isfile(_library.PACKAGED)
    assert "site-packages" in _library.PACKAGED
    assert backprop.library_path() == _library.PACKAGED
    assert _library.library().version >= 10100
