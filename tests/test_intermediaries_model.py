"""The bundled model ``models/intermediaries.toml``: which intermediary is believed?

Iran is resolute (prior p) or irresolute; an intermediary reads it with accuracy a
and says "resolute" or "irresolute"; the U.S. proposes an interim deal (share
x_i = 0.4, accepted by either type) or makes a maximal demand (x_m = 0.8: a resolute
Iran fights, the U.S. prevails with probability q = 0.6 at cost c_US = 0.3; an
irresolute Iran yields but for a risk e = 0.2 of war). A third-party intermediary
values a division at v(x) = b x + (1 - b)(1 - x) and pays c_M = 0.15 in a war; with
direct = 1 the speaker is Tehran and its payoff is Iran's. Iran's hard-liners pay
hardline = 0.2 on yielding and hardline * (1 - face) on an interim deal.

**The U.S.** prefers the interim deal iff it believes Iran resolute with probability
at least mu* = L / (L + S), L = (1 - e) x_m + e (q - c_US) - x_i = 0.3 (its gain from
the maximal demand on an irresolute Iran), S = x_i - q + c_US = 0.1 (its gain from the
interim deal on a resolute one): mu* = 3/4.

**A third-party intermediary** who believes Iran resolute with probability mu gains
(2b - 1)[mu (q - x_i) + (1 - mu) D] - c_M [mu + (1 - mu) e] from the maximal demand
over the interim deal (D = (1 - e) x_m + e q - x_i = 0.36), so truth-telling needs
B(mu_i) <= b <= B(mu_r), B(mu) = 1/2 + c_M (mu + (1 - mu) e) / (2 (mu (q - x_i) +
(1 - mu) D)), mu_r, mu_i its posteriors after reading resolute and irresolute; and the
U.S. must act on the report: mu_i <= mu* <= mu_r, i.e. a >= a_min = max((1 - p) L, p S)
/ ((1 - p) L + p S) (3/4 at p = 1/2). At a = 1 the window is [13/24, 7/8]. Kydd (2003):
only an intermediary on the U.S. side, but not too far, is believed when it counsels
restraint; noise shrinks the window. Tehran's own word is never believed: both of its
types prefer the interim deal, so both would say "resolute".

The tests hold these claims over sweeps and random points, the scenarios' regimes and
ranking over a stated region, worked numbers at the France scenario, and what the
face-saving cover changes (Iran's payoff, not credibility).
"""

from __future__ import annotations

import warnings
from fractions import Fraction as F

import numpy as np
import pytest

import bargain
from bargain.files import bibtex_keys
from bargain.showcase import showcase

bio = pytest.importorskip("bargain.io")

SCENARIOS = ["france", "japan", "pakistan", "direct_talks"]
THIRD_PARTIES = ["france", "japan", "pakistan"]
HARDLINE = 0.2  # the file's default


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("intermediaries")


def frame(model, space, **kwargs):
    """The per-point table of a sweep (ties at the window's edges silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        result = bargain.sweep(model, space, progress=False, **kwargs)
    out = result.to_frame()
    out.attrs = {}
    return out


def window(a, *, p=0.5, c_M=0.15, x_i=0.4, x_m=0.8, q=0.6, e=0.2, c_US=0.3):
    """The closed form, written here from the module docstring: (B(mu_i), B(mu_r), a_min)."""

    def edge(mu):
        d = (1 - e) * x_m + e * q - x_i
        return 0.5 + c_M * (mu + (1 - mu) * e) / (2 * (mu * (q - x_i) + (1 - mu) * d))

    mu_r = p * a / (p * a + (1 - p) * (1 - a))
    mu_i = p * (1 - a) / (p * (1 - a) + (1 - p) * a)
    gain_l = (1 - e) * x_m + e * (q - c_US) - x_i
    gain_s = x_i - q + c_US
    a_min = max((1 - p) * gain_l, p * gain_s) / ((1 - p) * gain_l + p * gain_s)
    return edge(mu_i), edge(mu_r), a_min


# -- the file ----------------------------------------------------------------------------


def test_the_file_is_complete_and_cites_its_sources(model):
    assert model.name == "intermediaries"
    assert model.title and model.description and model.citation
    assert model.version == "1.0.0"
    keys = bibtex_keys(model.bibtex)
    assert keys[:2] == ["kydd2003", "crawford1982"]
    assert "597--611" in model.bibtex and "1431--1451" in model.bibtex
    assert set(model.scenarios) == set(SCENARIOS)
    for p in model.params:
        assert p.description and p.low is not None and p.high is not None, p.name
    assert model.options["keep"] == "receiver-best"


def test_the_folded_replies_hold_at_every_scenario_and_on_the_showcase_grid(model):
    """The payoffs fold in Iran's replies (accept the interim deal; a resolute Iran fights
    the maximal demand, an irresolute one yields): they are best responses wherever the
    model is used."""
    scenarios = bargain.compare_scenarios(model).to_frame()
    assert (scenarios["replies_hold"] == 1).all()
    grid = {k: np.linspace(*v[:2], int(v[2])) for k, v in model.showcase["grid"].items()}
    assert (frame(model, grid)["replies_hold"] == 1).all()


# -- Kydd (2003): bias and information ----------------------------------------------------


def test_the_credible_biases_form_a_window_on_the_us_side_that_noise_shrinks(model):
    """Over a sweep of b x a: where an informative equilibrium exists is, at each accuracy,
    an interval of biases strictly above 1/2, equal to the closed form (to the grid's
    step), nested as accuracy falls, and empty below a = 3/4."""
    b = np.round(np.linspace(0, 1, 401), 6)
    accuracies = [1.0, 0.97, 0.93, 0.9, 0.85, 0.8, 0.76, 0.74, 0.7, 0.6, 0.5]
    table = frame(model, {"b": b, "a": accuracies})
    previous = None
    for a in accuracies:
        rows = table[np.isclose(table["a"], a)].sort_values("b")
        credible = rows.loc[rows["informative_exists"] == 1, "b"].to_numpy()
        low, high, a_min = window(a)
        assert a_min == pytest.approx(0.75)
        if a < a_min:
            assert credible.size == 0, a
            continue
        inside = (b > low + 1e-9) & (b < high - 1e-9)
        near = np.isclose(b, low, atol=1e-9) | np.isclose(b, high, atol=1e-9)
        assert set(credible) >= set(b[inside]) and set(credible) <= set(b[inside | near]), a
        assert credible.min() > 0.5
        assert np.allclose(np.diff(credible), 0.0025)  # one interval
        # the receiver-best outcome is the informative one exactly where one exists
        assert (rows["regime"].eq("informative") == rows["informative_exists"].eq(1)).all()
        if previous is not None:  # noisier: a sub-interval, strictly smaller at both ends
            assert previous[0] < low and high < previous[1]
        previous = (low, high)


def test_the_window_measures_equal_the_closed_form_and_the_equilibria_at_random_points(model, rng):
    """b_low, b_high and a_min against the closed form written in this file, and
    informative_exists against them, at 400 random points of a third party (direct = 0;
    the U.S. prefers the interim deal on a resolute Iran and the maximal demand on an
    irresolute one, and wins more in war than under the interim deal)."""
    n = 400
    points = {
        "b": rng.uniform(0, 1, n),
        "a": rng.uniform(0.5, 1, n),
        "p": rng.uniform(0.05, 0.95, n),
        "c_M": rng.uniform(0.01, 0.5, n),
        "e": rng.uniform(0, 0.5, n),
        "x_interim": rng.uniform(0.2, 0.45, n),
        "x_maximal": rng.uniform(0.7, 1, n),
        "q": rng.uniform(0.5, 0.7, n),
        "face": rng.uniform(0, 1, n),
        "hardline": rng.uniform(0, 0.3, n),
    }
    points["c_US"] = points["q"] - points["x_interim"] + rng.uniform(0.02, 0.3, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        got = model.evaluate(points)["points"]
    checked = 0
    for i in range(n):
        kw = {k: points[k][i] for k in ("p", "c_M", "e", "q", "c_US")}
        kw |= {"x_i": points["x_interim"][i], "x_m": points["x_maximal"][i]}
        low, high, a_min = window(points["a"][i], **kw)
        assert got["b_low"][i] == pytest.approx(low, rel=1e-12)
        assert got["b_high"][i] == pytest.approx(high, rel=1e-12)
        assert got["a_min"][i] == pytest.approx(a_min, rel=1e-12)
        b, a = points["b"][i], points["a"][i]
        margin = min(abs(b - low), abs(b - high), abs(a - a_min))
        if margin < 1e-6:
            continue
        expected = low < b < high and a > a_min
        assert got["informative_exists"][i] == expected, (i, b, a, low, high, a_min)
        checked += 1
    assert checked > 0.99 * n
    assert 0.05 * n < np.sum(got["informative_exists"]) < 0.9 * n  # both outcomes occur


def test_the_edges_found_by_threshold_are_the_hand_computed_ones(model):
    """bargain.threshold finds the window's edges; at a = 1 they are 13/24 and 7/8, at
    a = 0.9 they move inward (noise shrinks the window from both ends)."""
    low = bargain.threshold(model, "b", "regime", (0.3, 0.7), a=1.0)
    high = bargain.threshold(model, "b", "regime", (0.7, 1.0), a=1.0)
    assert (low.below, low.above, high.below, high.above) == (
        "babbling",
        "informative",
        "informative",
        "babbling",
    )
    assert low.value == pytest.approx(13 / 24, abs=1e-6)
    assert high.value == pytest.approx(7 / 8, abs=1e-6)
    noisy_low = bargain.threshold(model, "b", "regime", (0.3, 0.7), a=0.9)
    noisy_high = bargain.threshold(model, "b", "regime", (0.7, 1.0), a=0.9)
    edges = window(0.9)
    assert noisy_low.value == pytest.approx(edges[0], abs=1e-6)
    assert noisy_high.value == pytest.approx(edges[1], abs=1e-6)
    assert low.value < noisy_low.value < noisy_high.value < high.value
    # the U.S. side of the accuracy threshold
    accuracy = bargain.threshold(model, "a", "regime", (0.6, 1.0), b=0.7)
    assert accuracy.value == pytest.approx(0.75, abs=1e-6)


def test_an_even_handed_intermediary_is_not_believed_and_a_hawk_neither(model):
    """b = 1/2 (it only wants to avoid war) and b = 0.95 (it gains more from the U.S.
    share of a war than the war costs it) babble, even perfectly informed."""
    for b in (0.5, 0.95):
        solution = model.solve(b=b, a=1.0)
        assert not solution.informative_exists and solution.n_pbe == 1


def test_tehran_never_believes_itself(model, rng):
    """Direct talks: the speaker's payoff is Iran's in every cell, and no informative
    equilibrium exists at 400 random points where the folded replies hold (with any
    accuracy, bias and cover)."""
    n = 400
    points = {
        "direct": np.ones(n),
        "b": rng.uniform(0, 1, n),
        "a": rng.uniform(0.5, 1, n),
        "p": rng.uniform(0.05, 0.95, n),
        "face": rng.uniform(0, 1, n),
        "hardline": rng.uniform(0, 0.5, n),
        "e": rng.uniform(0, 0.5, n),
        "q": rng.uniform(0.4, 0.8, n),
        "x_interim": rng.uniform(0.1, 0.5, n),
        "x_maximal": rng.uniform(0.6, 1, n),
        "c_US": rng.uniform(0, 1, n),
        "c_resolute": rng.uniform(0, 0.5, n),
        "c_irresolute": rng.uniform(0.3, 1.5, n),
    }
    arrays = model.game.arrays(model.params.bind_batch(points))
    assert np.array_equal(arrays.payoffs[1], arrays.payoffs[0])  # intermediary == Iran
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        got = model.evaluate(points)["points"]
    holds = got["replies_hold"] == 1
    assert holds.sum() > 100
    assert not np.any(got["informative_exists"][holds])
    assert np.all(got["n_pbe"][holds] == 1)


# -- the scenarios ------------------------------------------------------------------------


def test_the_scenarios_regimes_and_ranking(model):
    """France is believed; Japan (too noisy, and too even-handed for its accuracy),
    Pakistan (on Tehran's side) and Tehran itself are not. So France gives the likeliest
    interim deal and the least war, and the three others tie at babbling."""
    table = bargain.compare_scenarios(model, baseline=False).to_frame().set_index("scenario")
    assert table["regime"].to_dict() == {
        "france": "informative",
        "japan": "babbling",
        "pakistan": "babbling",
        "direct_talks": "babbling",
    }
    assert table["informative_exists"].to_dict() == {
        "france": 1, "japan": 0, "pakistan": 0, "direct_talks": 0,
    }  # fmt: skip
    assert table["n_pbe"].to_dict() == {"france": 2, "japan": 1, "pakistan": 1, "direct_talks": 1}
    others = table.drop("france")
    assert (table.loc["france", "war"] < others["war"]).all()
    assert (table.loc["france", "deal"] > others["deal"]).all()
    assert (table.loc["france", "u_US"] > others["u_US"]).all()
    assert (table.loc["france", "u_Iran"] > others["u_Iran"]).all()
    for measure in ("deal", "war", "capitulation", "u_US", "u_Iran"):
        assert others[measure].nunique() == 1, measure
    # why: Japan's accuracy is below a_min, and its bias below the window at that accuracy;
    # Pakistan's bias below the window; France inside it
    japan, pakistan, france = (table.loc[s] for s in ("japan", "pakistan", "france"))
    assert japan["a"] < japan["a_min"] and japan["b"] < japan["b_low"]
    assert pakistan["a"] > pakistan["a_min"] and pakistan["b"] < 0.5 < pakistan["b_low"]
    assert france["b_low"] < france["b"] < france["b_high"] and france["a"] > france["a_min"]


def test_worked_numbers_at_the_france_scenario(model):
    """France (b = 0.65, a = 0.9, face = 0.2), by hand with exact fractions.

    The U.S. proposes the interim deal iff the report is "resolute": P(interim) =
    p a + (1 - p)(1 - a) = 1/2; war = p (1 - a) + e (1 - p) a = 0.05 + 0.09 = 0.14;
    Iran yields with probability (1 - e)(1 - p) a = 0.36."""
    b, a, face = F("0.65"), F("0.9"), F("0.2")
    p, x_i, x_m, q, e = F(1, 2), F("0.4"), F("0.8"), F("0.6"), F("0.2")
    c_us, c_r, c_i, c_m, h = F("0.3"), F("0.1"), F("0.5"), F("0.15"), F("0.2")
    # payoffs (Iran, intermediary, U.S.) per (type, action)
    v = lambda x: b * x + (1 - b) * (1 - x)  # noqa: E731 - the intermediary's value of a division
    interim = (1 - x_i - h * (1 - face), v(x_i), x_i)
    war_res = (1 - q - c_r, v(q) - c_m, q - c_us)
    yield_irr = (
        (1 - e) * (1 - x_m - h) + e * (1 - q - c_i),
        (1 - e) * v(x_m) + e * (v(q) - c_m),
        (1 - e) * x_m + e * (q - c_us),
    )
    # truthful reports: interim iff the intermediary reads "resolute"
    resolute = [a * interim[k] + (1 - a) * war_res[k] for k in range(3)]
    irresolute = [(1 - a) * interim[k] + a * yield_irr[k] for k in range(3)]
    expected = [p * resolute[k] + (1 - p) * irresolute[k] for k in range(3)]
    assert [float(x) for x in expected] == pytest.approx([0.226, 0.5006, 0.53], abs=1e-12)
    solution = model.solve("france")
    assert len(solution) == 1 and solution.n_pbe == 2
    (pbe,) = solution
    assert pbe.regime == "informative"
    assert pbe.outcome["resolute"]["interim"] == pytest.approx(0.9)
    assert pbe.outcome["irresolute"]["maximal"] == pytest.approx(0.9)
    assert [pbe.payoffs[k] for k in ("Iran", "intermediary", "US")] == pytest.approx(
        [float(x) for x in expected], abs=1e-12
    )
    row = model.evaluate(model.scenario("france"))["points"]
    assert row["deal"][0] == pytest.approx(0.5)
    assert row["war"][0] == pytest.approx(0.14)
    assert row["capitulation"][0] == pytest.approx(0.36)
    assert row["deal"][0] + row["war"][0] + row["capitulation"][0] == pytest.approx(1)
    # the window at a = 0.9 by hand: mu_i = 0.1, mu_r = 0.9
    d = (1 - e) * x_m + e * q - x_i
    assert d == F("0.36")

    def edge(mu):
        return F(1, 2) + c_m * (mu + (1 - mu) * e) / (2 * (mu * (q - x_i) + (1 - mu) * d))

    low, high = edge(F("0.1")), edge(F("0.9"))
    assert (row["b_low"][0], row["b_high"][0]) == pytest.approx((low, high), abs=1e-12)
    assert (float(low), float(high)) == pytest.approx((0.56105, 0.81944), abs=1e-5)
    # babbling, the other outcome: the U.S. (belief 1/2 < 3/4) makes the maximal demand
    every = model.with_options(keep="all").solve("france")
    babbling = next(eq for eq in every if eq.regime == "babbling")
    assert babbling.action_probabilities["maximal"] == pytest.approx(1)
    assert babbling.payoffs["US"] == pytest.approx(float(p * war_res[2] + (1 - p) * yield_irr[2]))
    assert babbling.payoffs["Iran"] == pytest.approx(float(p * war_res[0] + (1 - p) * yield_irr[0]))


def test_the_ranking_holds_over_a_region_of_the_free_assumptions(model):
    """Over c_M in [0.1, 0.2], e in [0.1, 0.3], p in [0.4, 0.6], q in [0.55, 0.65] and
    hardline in [0, 0.3] (where the folded replies hold): the war risk through France is
    never above that through Japan, Pakistan or Tehran itself, and below it exactly where
    France is believed, which is where the closed form says (all but the corner p = 0.4,
    q = 0.65, e <= 0.2, where the U.S. needs an accuracy above France's 0.9); the others
    are never believed."""
    grid = {
        "c_M": [0.1, 0.15, 0.2],
        "e": [0.1, 0.2, 0.3],
        "p": [0.4, 0.5, 0.6],
        "q": [0.55, 0.6, 0.65],
        "hardline": [0, 0.15, 0.3],
    }
    tables = {s: frame(model, grid, scenario=s) for s in SCENARIOS}
    france = tables["france"]
    holds = np.logical_and.reduce([t["replies_hold"].to_numpy() == 1 for t in tables.values()])
    assert holds.mean() > 0.8
    closed = (france["b_low"] < 0.65) & (france["b_high"] > 0.65) & (france["a_min"] < 0.9)
    assert (france["informative_exists"] == closed.astype(int)).all()
    missed = france[~closed]
    assert (missed["a_min"] > 0.9).all()
    assert (missed["p"] == 0.4).all() and (missed["q"] == 0.65).all()
    assert closed.mean() > 0.9
    for name in SCENARIOS[1:]:
        other = tables[name]
        assert (other["informative_exists"] == 0).all(), name
        assert (france["war"][holds] <= other["war"][holds] + 1e-12).all(), name
        assert (france["war"][holds & closed] < other["war"][holds & closed]).all(), name
        assert (france["deal"][holds & closed] > other["deal"][holds & closed]).all(), name


def test_what_would_make_each_third_party_believed(model):
    """Japan with France's accuracy is still too even-handed (0.55 < b_low = 0.561 at
    a = 0.9) and is believed only when it reads Tehran perfectly; Pakistan is believed
    only once it leans to Washington; France with Japan's accuracy is not believed."""
    assert not model.solve("japan", a=0.9).informative_exists
    assert model.solve("japan", a=1.0).informative_exists
    assert not model.solve("pakistan", b=0.55).informative_exists
    assert model.solve("pakistan", b=0.65).informative_exists
    assert not model.solve("france", a=0.7).informative_exists


def test_a_believed_intermediary_helps_washington_but_need_not_lower_the_war_risk(model):
    """The receiver-best outcome is never worse for the U.S. than babbling; it lowers the
    war risk when the U.S. would otherwise make the maximal demand (p < mu* = 3/4), but
    raises it when the U.S. would otherwise propose the interim deal (p > 3/4): a
    believed report of an irresolute Iran then invites the maximal demand."""
    table = frame(model, {"p": [0.3, 0.5, 0.7, 0.8, 0.85]}, scenario="france")
    every = frame(model.with_options(keep="all"), {"p": [0.3, 0.5, 0.7, 0.8, 0.85]},
                  scenario="france", select="all")  # fmt: skip
    for p, row in table.set_index("p").iterrows():
        rows = every[np.isclose(every["p"], p)]
        babbling = rows[rows["regime"] == "babbling"].iloc[0]
        assert row["regime"] == "informative"
        assert row["u_US"] > babbling["u_US"]
        if p < 0.75:
            assert row["war"] < babbling["war"] and babbling["deal"] == 0
        else:
            assert babbling["war"] == 0 and row["war"] > 0 and row["deal"] < 1


# -- the face-saving cover ----------------------------------------------------------------


def test_cover_changes_irans_payoff_not_credibility_or_the_outcome(model):
    """Sweeping face at each third party: the regime, informative_exists, n_pbe, the
    window, the deal and war probabilities and the U.S. payoff do not move; Iran's payoff
    rises by deal * hardline per unit of cover (0.5 * 0.2 = 0.1 through France) and not at
    all through an intermediary that is not believed (Pakistan's cover is worth nothing)."""
    faces = np.linspace(0, 1, 11)
    for name in THIRD_PARTIES:
        table = frame(model, {"face": faces}, scenario=name)
        for measure in ("regime", "informative_exists", "n_pbe", "b_low", "b_high",
                        "deal", "war", "u_US"):  # fmt: skip
            assert table[measure].nunique() == 1, (name, measure)
        slope = np.diff(table["u_Iran"]) / np.diff(faces)
        deal = table["deal"].iloc[0]
        assert slope == pytest.approx(np.full(10, deal * HARDLINE), abs=1e-12)
    assert frame(model, {"face": faces}, scenario="pakistan")["u_Iran"].nunique() == 1


def test_cover_keeps_a_resolute_iran_at_the_table_when_hardliners_are_strong(model):
    """What cover does change: whether the model applies. With hardline = 0.3 and
    c_resolute = 0.05 a resolute Iran would fight even the interim deal without cover
    (0.4 + 0.3 > q + c_resolute = 0.65); cover of at least 1/6 keeps its acceptance a
    best response."""
    faces = [0, 0.1, 1 / 6 + 1e-9, 0.2, 0.5]
    table = frame(model, {"face": faces}, fixed={"hardline": 0.3, "c_resolute": 0.05})
    assert table["replies_hold"].tolist() == [0, 0, 1, 1, 1]


def test_an_intermediary_that_weighs_the_hardliners_would_pay_for_cover_in_credibility():
    """The file's assumption made visible: a third party values the division of the
    stakes, not the Iranian hard-liners' costs, so cover does not touch its incentives.
    Were it to weigh Iran's side net of those costs, cover would make it keener on the
    interim deal and shift its credible window toward the U.S. side (both edges rise)."""
    text = (bio.models_folder() / "intermediaries.toml").read_text(encoding="utf-8")
    variant = text.replace(
        "(1 - b)*(1 - x_interim))", "(1 - b)*(1 - x_interim - hardline*(1 - face)))"
    ).replace("(1 - b)*(1 - x_maximal))", "(1 - b)*(1 - x_maximal - hardline))")
    assert variant.count("hardline*(1 - face)))") == 2
    weighing = bio.loads_model(variant)
    edges = {
        face: [
            bargain.threshold(weighing, "b", "regime", bracket, a=1.0, face=face).value
            for bracket in ((0.3, 0.7), (0.7, 1.0))
        ]
        for face in (0.0, 0.5)
    }
    assert edges[0.5][0] > edges[0.0][0] and edges[0.5][1] > edges[0.0][1]


# -- the showcase -------------------------------------------------------------------------


def test_the_showcase_runs_and_its_threshold_table_is_the_closed_form(model, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        written = showcase(model, tmp_path)
    assert {p.name for p in written} == {
        "table.md", "table.tex", "sweep.csv", "sweep.csv.meta.json", "regimes.png",
        "regimes.pdf", "thresholds.md", "directions.md", "references.bib",
    }  # fmt: skip
    text = (tmp_path / "thresholds.md").read_text(encoding="utf-8")
    for a in np.linspace(0.5, 1, 12):
        if a > 0.75:
            assert f"{window(a)[0]:.3g}" in text, a
