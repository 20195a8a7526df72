"""Every failure is a BackpropError carrying the C status name and a message saying what is wrong."""
import numpy as np
import pytest

import backprop


def raises(status_name, fragment, call, *args):
    with pytest.raises(backprop.BackpropError) as caught:
        call(*args)
    error = caught.value
    assert error.status_name == status_name, str(error)
    assert fragment in error.message, error.message
    assert str(error).startswith(status_name + ": ")
    return error


def test_missing_model_file(tmp_path):
    raises("BP_ERR_NOT_FOUND", "nothing.json", backprop.load, tmp_path / "nothing.json")


def test_not_a_model_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("this is not json")
    raises("BP_ERR_CORRUPT", "bad.json", backprop.load, path)


def test_empty_model_file(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("")
    raises("BP_ERR_TRUNCATED", "", backprop.load, path)


def test_unknown_category_value_from_the_library(admissions):
    m = backprop.load(admissions.model)
    error = raises("BP_ERR_UNKNOWN_CATEGORY", "rank", m.predict, np.array([[700, 3.8, 7]]))
    assert error.status == 4


def test_unknown_category_label_in_python(text_categories):
    m = backprop.load(text_categories.model)
    raises("BP_ERR_UNKNOWN_CATEGORY", "'middle'", m.predict, {"gre": [700], "gpa": [3.8], "tier": ["middle"]})


def test_nan_input(admissions):
    m = backprop.load(admissions.model)
    raises("BP_ERR_NAN", "", m.predict, np.array([[700, float("nan"), 2]]))


def test_wrong_shapes(admissions):
    m = backprop.load(admissions.model)
    raises("BP_ERR_SIZE", "(rows >= 1, 3)", m.predict, np.zeros((2, 4)))
    raises("BP_ERR_SIZE", "got shape (3,)", m.predict, np.zeros(3))
    raises("BP_ERR_SIZE", "got shape (0, 3)", m.predict, np.zeros((0, 3)))
    raises("BP_ERR_SIZE", "(rows >= 1, 6)", m.predict_features, np.zeros((1, 3)))
    raises("BP_ERR_SIZE", "different lengths", m.predict, {"gre": [1, 2], "gpa": [3.0], "rank": [1]})


def test_missing_column_and_bad_values(admissions):
    m = backprop.load(admissions.model)
    raises("BP_ERR_DATA", "no column 'rank'", m.predict, {"gre": [700], "gpa": [3.8]})
    raises("BP_ERR_DATA", "column 'gpa'", m.predict, {"gre": [700], "gpa": ["high"], "rank": [1]})
    raises("BP_ERR_INDEX", "no input 'age'", m.categories, "age")


def test_bad_pipeline(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"stages": [{"stage": "nope"}]}')
    raises("BP_ERR_PIPELINE", "nope", backprop.run, path)
    raises("BP_ERR_NOT_FOUND", "none.json", backprop.run, tmp_path / "none.json")


def test_exception_in_log_callback_propagates(admissions):
    def log(line):
        raise KeyError("from the callback")
    with pytest.raises(KeyError):
        backprop.run(admissions.model.parent / "admissions.json", log=log)


def test_unloadable_library(admissions, tmp_path):
    fake = tmp_path / "libfake.so"
    fake.write_text("not a library")
    raises("BP_ERR_NOT_FOUND", "libfake.so", backprop.load, admissions.model, str(fake))
