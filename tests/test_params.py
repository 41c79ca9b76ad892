"""Tests of bargain.params: Param, ParamSpace, bind and bind_batch."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargain.errors import ParamError
from bargain.params import Param, ParamSpace
from bargain.vocabulary import FUNCTIONS


@pytest.fixture
def space() -> ParamSpace:
    return ParamSpace([Param("relief", 0.5, 0, 1, "sanctions relief"), Param("breakout", 2, 0)])


# -- Param ----------------------------------------------------------------------------------


def test_param_stores_floats_and_keeps_none_bounds():
    p = Param("relief", 1, 0, 2, description="share")
    assert (p.default, p.low, p.high, p.description) == (1.0, 0.0, 2.0, "share")
    assert all(type(v) is float for v in (p.default, p.low, p.high))
    q = Param("cost", np.float32(-3.5))
    assert (q.default, q.low, q.high) == (-3.5, None, None)
    assert Param("x", 0, low=np.int64(-1)).low == -1.0


def test_param_is_frozen_and_hashable():
    p = Param("relief", 0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.default = 1.0  # type: ignore[misc]
    assert p == Param("relief", 0.5) and hash(p) == hash(Param("relief", 0.5))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (3, "parameter name 3 is not a valid identifier"),
        ("", "parameter name '' is not a valid identifier"),
        ("1x", "'1x' is not a valid identifier"),
        ("a-b", "'a-b' is not a valid identifier"),
        ("lambda", "'lambda' is reserved"),
        ("None", "'None' is reserved"),
        ("_hidden", "'_hidden' must not start with '_'"),
        ("ﬁ", "not in Unicode NFKC normal form"),
        *[(name, f"'{name}' is reserved") for name in FUNCTIONS],
    ],
)
def test_param_rejects_bad_names(name, message):
    with pytest.raises(ParamError, match=re.escape(message)):
        Param(name, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default": True}, "default of parameter 'p' must be a real number, got True"),
        ({"default": "1"}, "default of parameter 'p' must be a real number, got '1'"),
        ({"default": None}, "default of parameter 'p' must be a real number, got None"),
        ({"default": 1j}, "must be a real number"),
        ({"default": float("nan")}, "default of parameter 'p' must be finite, got nan"),
        ({"default": float("-inf")}, "default of parameter 'p' must be finite, got -inf"),
        ({"default": 10**400}, "default of parameter 'p' must be finite"),
        ({"default": 0, "low": float("nan")}, "lower bound of parameter 'p' must be finite"),
        ({"default": 0, "high": float("inf")}, "upper bound of parameter 'p' must be finite"),
        ({"default": 0, "high": "1"}, "upper bound of parameter 'p' must be a real number"),
        ({"default": 0, "low": False}, "lower bound of parameter 'p' must be a real number"),
        ({"default": 0, "low": 1, "high": 0}, "parameter 'p' has lower bound 1 above its upper"),
        ({"default": 2, "low": 0, "high": 1}, "default of parameter 'p' = 2 is outside its bounds"),
        ({"default": -1, "low": 0}, "default of parameter 'p' = -1 is outside its bounds [0, inf)"),
        ({"default": 0, "description": 5}, "description of parameter 'p' must be a string"),
    ],
)
def test_param_rejects_bad_values(kwargs, message):
    with pytest.raises(ParamError, match=re.escape(message)):
        Param("p", **kwargs)


def test_param_allows_equal_bounds_and_default_on_bound():
    assert Param("p", 1, 1, 1).default == 1.0


def test_check_returns_float_and_validates():
    p = Param("relief", 0.5, 0, 1)
    assert p.check(1) == 1.0 and type(p.check(1)) is float
    assert p.check(np.float64(0.25)) == 0.25
    with pytest.raises(ParamError) as info:
        p.check(1.5)
    assert str(info.value) == "parameter 'relief' = 1.5 is outside its bounds [0, 1]"
    with pytest.raises(ParamError, match=r"^m\.toml: params\.relief: parameter 'relief' = -0\.1"):
        p.check(-0.1, where="m.toml: params.relief")
    for bad in (True, "0.5", float("nan"), float("inf"), None, [0.5]):
        with pytest.raises(ParamError, match="parameter 'relief' must be"):
            p.check(bad)


def test_bounds_text():
    assert Param("a", 0).bounds_text == "(-inf, inf)"
    assert Param("a", 0, high=0.5).bounds_text == "(-inf, 0.5]"
    assert Param("a", 0, -1, 1e20).bounds_text == "[-1, 1e+20]"


# -- ParamSpace -----------------------------------------------------------------------------


def test_space_collection_protocol(space):
    assert len(space) == 2
    assert [p.name for p in space] == ["relief", "breakout"]
    assert space.names == ("relief", "breakout")
    assert space.defaults == {"relief": 0.5, "breakout": 2.0}
    assert "relief" in space and "relif" not in space and 3 not in space
    assert space["breakout"] == Param("breakout", 2, 0)
    assert ParamSpace(space) == space and hash(ParamSpace(space)) == hash(space)
    assert space != ParamSpace(reversed(list(space)))
    assert space != "relief"
    assert repr(space).startswith("ParamSpace([Param(name='relief'")
    assert len(ParamSpace()) == 0 and ParamSpace().names == ()


def test_space_is_immutable(space):
    with pytest.raises(AttributeError):
        space.extra = 1  # type: ignore[attr-defined]
    space.defaults["relief"] = 9.0
    assert space.defaults["relief"] == 0.5


def test_space_rejects_duplicates_and_non_params():
    with pytest.raises(ParamError, match="duplicate parameter name 'a'"):
        ParamSpace([Param("a", 0), Param("a", 1)])
    with pytest.raises(ParamError, match="ParamSpace takes Param objects, got 'a'"):
        ParamSpace(["a"])  # type: ignore[list-item]


def test_space_getitem_unknown_suggests(space):
    with pytest.raises(ParamError) as info:
        space["relif"]
    assert str(info.value) == (
        "unknown parameter 'relif' (did you mean 'relief'?); known parameters: breakout, relief"
    )


# -- bind -----------------------------------------------------------------------------------


def test_bind_fills_defaults_in_declaration_order(space):
    assert space.bind() == {"relief": 0.5, "breakout": 2.0}
    bound = space.bind(breakout=3, relief=np.float64(1))
    assert list(bound) == ["relief", "breakout"] and bound == {"relief": 1.0, "breakout": 3.0}
    assert all(type(v) is float for v in bound.values())


def test_bind_unknown_names(space):
    with pytest.raises(ParamError) as info:
        space.bind(relif=0.3)
    assert str(info.value) == (
        "unknown parameter 'relif' (did you mean 'relief'?); known parameters: breakout, relief"
    )
    with pytest.raises(
        ParamError,
        match=r"^m\.toml: unknown parameters 'relif' \(did you mean "
        r"'relief'\?\), 'zzz'; known parameters: breakout, relief$",
    ):
        space.bind(relif=0.3, zzz=1, where="m.toml")
    with pytest.raises(ParamError, match=r"known parameters: \(none\)"):
        ParamSpace().bind(a=1)


def test_bind_checks_values(space):
    with pytest.raises(
        ParamError,
        match=r"^run\.toml: parameter 'relief' = 1\.5 is outside its "
        r"bounds \[0, 1\]$",
    ):
        space.bind(relief=1.5, where="run.toml")
    with pytest.raises(ParamError, match="parameter 'breakout' must be a real number"):
        space.bind(breakout="2")


# -- bind_batch -----------------------------------------------------------------------------


def test_bind_batch_arrays_and_broadcast(space):
    values = [0.1, 0.2, 0.3]
    out = space.bind_batch({"relief": values, "breakout": 4})
    assert list(out) == ["relief", "breakout"]
    np.testing.assert_array_equal(out["relief"], values)
    np.testing.assert_array_equal(out["breakout"], [4.0, 4.0, 4.0])
    assert all(a.dtype == np.float64 and a.shape == (3,) for a in out.values())


def test_bind_batch_defaults_scalars_and_n(space):
    out = space.bind_batch({})
    assert {k: v.tolist() for k, v in out.items()} == {"relief": [0.5], "breakout": [2.0]}
    out = space.bind_batch({"relief": 0.25})
    assert {k: v.tolist() for k, v in out.items()} == {"relief": [0.25], "breakout": [2.0]}
    out = space.bind_batch({"breakout": np.array(7)}, n=np.int64(4))
    assert out["breakout"].tolist() == [7.0] * 4 and out["relief"].tolist() == [0.5] * 4
    assert space.bind_batch({"relief": [0, 1]}, n=2)["relief"].tolist() == [0.0, 1.0]


def test_bind_batch_copies_and_converts(space):
    ints = np.array([0, 1], dtype=np.int32)
    out = space.bind_batch({"relief": ints})
    assert out["relief"].dtype == np.float64
    floats = np.array([0.1, 0.2])
    out = space.bind_batch({"relief": floats})
    out["relief"][0] = 0.9
    assert floats[0] == 0.1
    out = space.bind_batch({"relief": range(2), "breakout": (1.0, 2.0)})
    assert out["relief"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("points", "n", "message"),
    [
        (
            {"relif": [0.1]},
            None,
            "sweep.toml: unknown parameter 'relif' (did you mean 'relief'?); "
            "known parameters: breakout, relief",
        ),
        (
            {"relief": [[0.1, 0.2]]},
            None,
            "sweep.toml: values of parameter 'relief' must be a "
            "scalar or a 1-D array, got shape (1, 2)",
        ),
        (
            {"relief": [0.1, 0.2], "breakout": [1, 2, 3]},
            None,
            "sweep.toml: parameter arrays must "
            "have equal lengths: 'relief' has 2, 'breakout' has 3",
        ),
        (
            {"relief": [0.1, 0.2]},
            3,
            "sweep.toml: parameter arrays must have n=3 points: 'relief' has 2",
        ),
        (
            {"relief": []},
            None,
            "sweep.toml: at least one point is needed, got N=0 ('relief' has 0)",
        ),
        ({}, 0, "sweep.toml: at least one point is needed, got N=0"),
        ({"relief": 0.5}, -2, "sweep.toml: at least one point is needed, got N=-2"),
        ({}, 2.0, "sweep.toml: n must be an integer, got 2.0"),
        ({}, True, "sweep.toml: n must be an integer, got True"),
        (
            {"relief": [0.1, np.nan, 0.2, np.inf]},
            None,
            "sweep.toml: parameter 'relief' has "
            "non-finite values at 2 of 4 points (first at index 1: nan)",
        ),
        (
            {"relief": [0.1, 0.5, 1.5, -3.0, 0.2]},
            None,
            "sweep.toml: parameter 'relief' has values "
            "outside its bounds [0, 1] at 2 of 5 points (first at index 2: 1.5)",
        ),
        (
            {"breakout": [1, -0.5]},
            None,
            "sweep.toml: parameter 'breakout' has values outside its "
            "bounds [0, inf) at 1 of 2 points (first at index 1: -0.5)",
        ),
        ({"relief": 1.5}, None, "sweep.toml: parameter 'relief' = 1.5 is outside its bounds"),
        (
            {"relief": "0.5"},
            None,
            "sweep.toml: parameter 'relief' must be a real number, got '0.5'",
        ),
        ({"relief": True}, None, "sweep.toml: parameter 'relief' must be a real number, got True"),
        (
            {"relief": [True, False]},
            None,
            "sweep.toml: values of parameter 'relief' must be real numbers, got dtype bool",
        ),
        ({"relief": ["0.5"]}, None, "values of parameter 'relief' must be real numbers, got dtype"),
        ({"relief": [0.5 + 0j]}, None, "must be real numbers, got dtype complex128"),
        (
            {"relief": [0.1, [0.2]]},
            None,
            "sweep.toml: values of parameter 'relief' are not an array",
        ),
    ],
)
def test_bind_batch_errors(space, points, n, message):
    with pytest.raises(ParamError, match=re.escape(message)):
        space.bind_batch(points, n, where="sweep.toml")


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(0, 1), min_size=1, max_size=30),
    bad=st.floats(allow_nan=False).filter(lambda x: not 0 <= x <= 1),
    data=st.data(),
)
def test_bind_batch_property(values, bad, data):
    space = ParamSpace([Param("relief", 0.5, 0, 1), Param("breakout", 2, 0)])
    out = space.bind_batch({"relief": values})
    np.testing.assert_array_equal(out["relief"], values)
    np.testing.assert_array_equal(out["breakout"], np.full(len(values), 2.0))
    index = data.draw(st.integers(0, len(values) - 1))
    values[index] = bad
    problem = "non-finite values" if np.isinf(bad) else "values outside its bounds [0, 1]"
    with pytest.raises(
        ParamError,
        match=re.escape(f"{problem} at 1 of {len(values)} points (first at index {index}: "),
    ):
        space.bind_batch({"relief": values})
