"""Tests of bargain.spaces: grids, one-at-a-time lines, samples and SALib designs."""

from __future__ import annotations

import itertools
import json
import pickle
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargain.errors import BargainError, ParamError
from bargain.params import Param, ParamSpace
from bargain.spaces import (
    Space,
    as_space,
    grid,
    latin_hypercube,
    linspace,
    logspace,
    morris,
    one_at_a_time,
    random_sample,
    sensitivity,
    sobol,
)


@pytest.fixture
def params() -> ParamSpace:
    return ParamSpace(
        [Param("relief", 0.5, 0, 1), Param("breakout", 6, 3, 12), Param("cost", 1.0, low=0)]
    )


def columns(space: Space, start: int = 0, stop: int | None = None) -> np.ndarray:
    """The points as an array of shape (N, number of names)."""
    return np.column_stack(list(space.points(start, stop).values()))


def as_lists(points: dict[str, np.ndarray]) -> dict[str, list[float]]:
    return {name: values.tolist() for name, values in points.items()}


# -- grids -------------------------------------------------------------------------------------


def test_grid_is_the_product_in_c_order():
    axes = {"relief": [0, 0.5, 1], "breakout": [3, 6, 12], "cost": [1, 2]}
    space = grid(**axes)
    assert space.names == ("relief", "breakout", "cost")
    assert len(space) == 18
    assert columns(space).tolist() == [list(p) for p in itertools.product(*axes.values())]
    assert grid(axes) == space == as_space(axes)


@settings(max_examples=50, deadline=None)
@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    chunk=st.integers(1, 40),
)
def test_grid_chunks_concatenate_to_all_points(shape, chunk):
    space = grid({f"p{i}": np.arange(size) * 1.5 for i, size in enumerate(shape)})
    chunks = [columns(space, i, min(i + chunk, len(space))) for i in range(0, len(space), chunk)]
    np.testing.assert_array_equal(np.concatenate(chunks), columns(space))


def test_huge_grid_is_not_materialized():
    space = grid(a=linspace(0, 1, 1000), b=np.arange(1000), c=logspace(1, 1e3, 1000))
    assert len(space) == 10**9
    last = space.points(len(space) - 2, len(space))
    assert last["a"].tolist() == [1.0, 1.0] and last["b"].tolist() == [999.0, 999.0]
    np.testing.assert_allclose(last["c"], [1e3 * 10 ** (-3 / 999), 1e3])
    assert repr(space).endswith("; 1000000000 points)")


def test_grid_accepts_scalars_arrays_and_keywords_after_a_mapping():
    space = grid({"relief": np.array([0.25, 0.75])}, breakout=6)
    assert as_lists(space.points()) == {"relief": [0.25, 0.75], "breakout": [6, 6]}
    assert all(v.dtype == np.float64 for v in space.points().values())
    assert repr(space) == "Grid(relief=[0.25, 0.75], breakout=[6]; 2 points)"


def test_points_are_fresh_arrays_and_ranges_are_checked():
    space = grid(relief=[0, 1])
    space.points()["relief"][:] = 7
    assert space.points()["relief"].tolist() == [0.0, 1.0]
    assert space.points(1, 1)["relief"].size == 0
    for start, stop in [(-1, 1), (1, 0), (0, 3)]:
        with pytest.raises(IndexError, match="not within the 2 points"):
            space.points(start, stop)


def test_linspace_and_logspace():
    np.testing.assert_allclose(linspace(0, 1, 3), [0, 0.5, 1])
    np.testing.assert_allclose(logspace(0.1, 10, 3), [0.1, 1, 10])
    assert linspace(2, 2, 1).tolist() == [2.0]


def test_as_space_passes_spaces_and_rejects_others():
    space = grid(relief=[0, 1])
    assert as_space(space) is space
    with pytest.raises(TypeError, match="mapping of parameter names to values, got list"):
        as_space([0, 1])


# -- one at a time -------------------------------------------------------------------------------


def test_one_at_a_time_lines_through_the_defaults(params):
    oat = one_at_a_time(params, {"relief": (0, 1), "breakout": (4, 8)}, num=5)
    assert oat.names == ("relief", "breakout") and len(oat) == 10
    points = oat.points()
    assert points["relief"].tolist() == [0, 0.25, 0.5, 0.75, 1] + [0.5] * 5
    assert points["breakout"].tolist() == [6.0] * 5 + [4, 5, 6, 7, 8]
    assert oat.varied().tolist() == ["relief"] * 5 + ["breakout"] * 5
    assert oat.varied(4, 6).tolist() == ["relief", "breakout"]
    assert as_lists(oat.points(4, 7)) == {"relief": [1, 0.5, 0.5], "breakout": [6, 4, 5]}
    assert repr(oat) == (
        "OneAtATime(num=5, relief=[0, 1] (default 0.5), breakout=[4, 8] (default 6); 10 points)"
    )


def test_one_at_a_time_takes_ranges_from_the_declared_bounds(params):
    bounded = ParamSpace([params["relief"], params["breakout"]])
    assert one_at_a_time(bounded, num=3) == one_at_a_time(params, ["relief", "breakout"], num=3)
    assert one_at_a_time(params, "breakout", num=3).points()["breakout"].tolist() == [3, 7.5, 12]


def test_one_at_a_time_checks_the_defaults_of_the_model(params):
    oat = one_at_a_time(params, ["relief"], num=3)
    oat.validate(params)
    other = ParamSpace([Param("relief", 0.4, 0, 1)])
    with pytest.raises(ParamError, match=r"built with default 0.5 .* model declares 0.4"):
        oat.validate(other, "sweep.toml")


# -- random and Latin-hypercube samples ----------------------------------------------------------


@pytest.mark.parametrize("sampler", [random_sample, latin_hypercube])
def test_samples_are_reproducible_and_within_the_ranges(sampler, params):
    space = sampler(params, 200, seed=3, names=["relief", "breakout"])
    assert space.names == ("relief", "breakout") and len(space) == 200
    again = sampler({"relief": (0, 1), "breakout": (3, 12)}, n=200, seed=3)
    np.testing.assert_array_equal(columns(space), columns(again))
    assert not np.array_equal(columns(space), columns(sampler(params, 200, 4, names="relief")))
    values = columns(space)
    assert (values >= [0, 3]).all() and (values <= [1, 12]).all()
    np.testing.assert_array_equal(np.concatenate([columns(space, 0, 7), columns(space, 7)]), values)


@pytest.mark.parametrize("sampler", [random_sample, latin_hypercube])
def test_a_sample_without_seed_records_the_one_it_drew(sampler):
    space = sampler({"relief": (0, 1)}, 5)
    assert str(space.seed) in repr(space)
    np.testing.assert_array_equal(
        columns(space), columns(sampler({"relief": (0, 1)}, 5, seed=space.seed))
    )


def test_latin_hypercube_hits_each_stratum_once():
    n = 50
    space = latin_hypercube({"a": (0, 1), "b": (-5, 5), "c": (10, 11)}, n, seed=7)
    unit = (columns(space) - [0, -5, 10]) / [1, 10, 1]
    strata = np.floor(unit * n).astype(int)
    for column in strata.T:
        assert sorted(column) == list(range(n))


# -- SALib designs -------------------------------------------------------------------------------


ISHIGAMI = {name: (-np.pi, np.pi) for name in ("x1", "x2", "x3")}


@pytest.mark.parametrize(("second", "size"), [(False, 64 * 5), (True, 64 * 8)])
def test_sobol_design_size(second, size):
    space = sobol(ISHIGAMI, 64, seed=1, calc_second_order=second)
    assert len(space) == size == columns(space).shape[0]
    assert space.problem == {
        "num_vars": 3,
        "names": ["x1", "x2", "x3"],
        "bounds": [[-np.pi, np.pi]] * 3,
    }


def test_sobol_indices_of_the_ishigami_function():
    from SALib.test_functions import Ishigami

    space = sobol(ISHIGAMI, 1024, seed=2)
    values = Ishigami.evaluate(columns(space))
    indices = space.analyze(values)
    assert list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert indices.index.tolist() == ["x1", "x2", "x3"]
    np.testing.assert_allclose(indices["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(indices["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    assert sensitivity(space, values).equals(indices)


def test_sobol_second_order_indices_are_frames():
    from SALib.test_functions import Ishigami

    space = sobol(ISHIGAMI, 256, seed=2, calc_second_order=True)
    s2 = space.analyze(Ishigami.evaluate(columns(space))).attrs["S2"]
    assert s2.index.tolist() == s2.columns.tolist() == ["x1", "x2", "x3"]
    assert s2.loc["x1", "x3"] == pytest.approx(0.2437, abs=0.1)


def test_morris_design_size_and_ranking_of_a_linear_function():
    space = morris({"a": (0, 1), "b": (0, 1), "c": (0, 2)}, 20, num_levels=6, seed=5)
    assert len(space) == 20 * 4 == columns(space).shape[0]
    p = space.points()
    effects = space.analyze(1 * p["a"] - 5 * p["b"] + 10 * p["c"])
    assert list(effects.columns) == ["mu", "mu_star", "sigma", "mu_star_conf"]
    np.testing.assert_allclose(effects["mu"], [1, -5, 20])
    np.testing.assert_allclose(effects["sigma"], 0, atol=1e-9)
    assert effects["mu_star"].sort_values().index.tolist() == ["a", "b", "c"]


def test_designs_are_reproducible_and_analyses_seeded():
    space = morris(ISHIGAMI, 10, seed=0)
    assert np.array_equal(columns(space), columns(morris(ISHIGAMI, 10, seed=0)))
    values = columns(space).sum(axis=1) ** 2
    assert space.analyze(values).equals(space.analyze(values))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.ones(3), r"one value per point of the design, shape \(40,\), got shape \(3,\)"),
        (np.r_[np.ones(39), np.nan], r"1 of 40 are not \(first at point 39: nan\)"),
    ],
)
def test_analyze_rejects_bad_values(values, message):
    space = morris(ISHIGAMI, 10, seed=0)
    with pytest.raises(BargainError, match=message):
        space.analyze(values)


def test_sensitivity_needs_a_design():
    with pytest.raises(TypeError, match="need a sobol\\(\\) or morris\\(\\) design, got Grid"):
        sensitivity(grid(x1=[0]), [0.0])


@pytest.mark.parametrize("make", [lambda: sobol(ISHIGAMI, 8), lambda: morris(ISHIGAMI, 4)])
def test_missing_salib_gives_a_one_line_import_error(monkeypatch, make):
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "SALib", None)
    with pytest.raises(ImportError) as info:
        make()
    assert str(info.value) == (
        'Sobol\' and Morris designs need SALib: pip install "bargain-games[sensitivity]"'
    )


# -- specs ---------------------------------------------------------------------------------------


def test_specs_are_json_and_equal_only_for_equal_spaces(params):
    spaces = [
        grid(relief=[0, 1], breakout=[3, 6]),
        grid(breakout=[3, 6], relief=[0, 1]),
        grid(relief=[0, 1], breakout=[3, 7]),
        one_at_a_time(params, ["relief"], num=3),
        one_at_a_time(params, ["relief"], num=4),
        random_sample(params, 10, seed=1, names="relief"),
        random_sample(params, 10, seed=2, names="relief"),
        random_sample(params, 11, seed=1, names="relief"),
        latin_hypercube(params, 10, seed=1, names="relief"),
        latin_hypercube({"relief": (0, 0.5)}, 10, seed=1),
        sobol(params, 8, seed=1, names="relief"),
        sobol(params, 8, seed=1, names="relief", calc_second_order=True),
        morris(params, 8, seed=1, names="relief"),
        morris(params, 8, num_levels=6, seed=1, names="relief"),
    ]
    texts = [json.dumps(space.spec(), sort_keys=True) for space in spaces]
    assert len(set(texts)) == len(spaces)
    twins = [
        grid(relief=linspace(0, 1, 2), breakout=np.array([3, 6])),
        one_at_a_time(params, {"relief": (0, 1)}, num=3),
        random_sample({"relief": (0.0, 1.0)}, 10, seed=1),
    ]
    for space, twin in zip([spaces[0], spaces[3], spaces[5]], twins):
        assert space.spec() == twin.spec() and space == twin and hash(space) == hash(twin)
    assert spaces[10].spec()["versions"].keys() == {"SALib", "scipy"}


def test_spaces_pickle_without_their_drawn_points(params):
    for space in [grid(relief=[0, 1]), one_at_a_time(params, "relief"), morris(ISHIGAMI, 4)]:
        space.points()
        copy = pickle.loads(pickle.dumps(space))
        assert copy == space and "sample" not in vars(copy)
        np.testing.assert_array_equal(columns(copy), columns(space))


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (
            grid(relif=[0, 1]),
            "sweep.toml: grid: unknown parameter 'relif' (did you mean 'relief'?); "
            "known parameters: breakout, cost, relief",
        ),
        (grid(relief=[0, 1.5]), "sweep.toml: grid: parameter 'relief' = 1.5 is outside its bounds"),
        (grid(cost=[-1, 0]), "parameter 'cost' = -1 is outside its bounds [0, inf)"),
        (
            latin_hypercube({"breakout": (3, 20)}, 5, seed=0),
            "sweep.toml: latin_hypercube: parameter 'breakout' = 20 is outside its bounds [3, 12]",
        ),
        (sobol({"x": (0, 1)}, 4, seed=0), "sobol: unknown parameter 'x'"),
    ],
)
def test_validate_against_the_model(space, params, message):
    with pytest.raises(ParamError, match=re.escape(message)):
        space.validate(params, "sweep.toml")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: grid(relief=[]), "grid axis 'relief' is empty"),
        (lambda p: grid(), "grid needs at least one axis"),
        (lambda p: grid(relief=[[0, 1]]), "grid axis 'relief' must be a number or a 1-D"),
        (lambda p: grid(relief=["0"]), "grid axis 'relief' must be a number or a 1-D"),
        (lambda p: grid(relief=[np.inf]), "grid axis 'relief' has a non-finite value inf"),
        (lambda p: grid({"relief": [0]}, relief=[1]), "grid axes given twice: relief"),
        (lambda p: grid({f"p{i}": np.arange(2**16) for i in range(4)}), "too many points"),
        (lambda p: linspace(0, 1, 0), "linspace num must be an integer >= 1, got 0"),
        (lambda p: linspace(0, np.nan, 3), "linspace stop must be finite, got nan"),
        (lambda p: logspace(0, 1, 3), "logspace needs positive start and stop, got 0 and 1"),
        (lambda p: logspace(1, 2, 2.0), "logspace num must be an integer >= 1, got 2.0"),
        (
            lambda p: latin_hypercube(p, 10),
            "latin_hypercube needs a lower and an upper bound for every parameter, "
            "but 'cost' has none",
        ),
        (
            lambda p: random_sample(p, 10, names=["relief", "brekout"]),
            "random: unknown parameter 'brekout' (did you mean 'breakout'?)",
        ),
        (
            lambda p: random_sample({"relief": (1, 1)}, 10),
            "range of 'relief' is empty: low 1 is not",
        ),
        (
            lambda p: random_sample({"relief": 1}, 10),
            "range of 'relief' must be a pair (low, high)",
        ),
        (
            lambda p: random_sample({"relief": (0, "1")}, 10),
            "upper end of the range of 'relief' must",
        ),
        (lambda p: random_sample({}, 10), "random needs at least one parameter"),
        (lambda p: random_sample(p, 0, names="relief"), "random n must be an integer >= 1, got 0"),
        (lambda p: random_sample(p, True, names="relief"), "random n must be an integer >= 1"),
        (lambda p: random_sample({"relief": (0, 1)}, 5, seed=-1), "seed must be an integer >= 0"),
        (
            lambda p: sobol(p, 100, names="relief"),
            "power of 2 for balanced Sobol' sequences, got 100; take 64 or 128",
        ),
        (lambda p: morris(p, 0, names="relief"), "morris n_trajectories must be an integer >= 1"),
        (lambda p: morris(p, 5, num_levels=3, names="relief"), "morris num_levels must be even"),
        (lambda p: one_at_a_time(p), "one_at_a_time needs a lower and an upper bound"),
        (lambda p: one_at_a_time(p, "relief", num=1), "one_at_a_time num must be an integer >= 2"),
        (
            lambda p: one_at_a_time(p, {"relief": (0, 2)}),
            "one_at_a_time: parameter 'relief' = 2 is outside its bounds [0, 1]",
        ),
        (
            lambda p: one_at_a_time(p, {"relif": (0, 1)}),
            "one_at_a_time: unknown parameter 'relif' (did you mean 'relief'?)",
        ),
    ],
)
def test_bad_input_is_rejected_when_the_space_is_built(make, params, message):
    with pytest.raises(ParamError, match=re.escape(message)):
        make(params)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: grid([0, 1]), "grid takes a mapping name -> values, got list"),
        (lambda p: random_sample([(0, 1)], 5), "random takes a ParamSpace (and optionally names=)"),
        (lambda p: random_sample({"relief": (0, 1)}, 5, names="relief"), "got dict with names="),
        (lambda p: one_at_a_time({"relief": (0, 1)}), "needs the model's ParamSpace, got dict"),
    ],
)
def test_wrong_types_are_type_errors(make, params, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        make(params)
