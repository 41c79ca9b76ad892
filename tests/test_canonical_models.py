"""models/canonical/: the textbook models, each checked against its paper's stated result.

Each test's docstring states the result in words; the test computes the numbers by hand
(closed forms written out here, not taken from the toolkit) and checks the model file's
solutions against them over a sweep of its parameters, not at one point.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy

import bargain
from bargain import bargaining
from bargain.files import bibtex_keys
from tests.oracles import gambit_mixed, profile_set

bio = pytest.importorskip("bargain.io")

FOLDER = Path(__file__).parents[1] / "models" / "canonical"
FILES = sorted(FOLDER.glob("*.toml"))


def load(name: str) -> bargain.Model:
    return bio.load_model(FOLDER / f"{name}.toml")


def at(model: bargain.Model, select: str | None = None, **values) -> dict[str, np.ndarray]:
    """The model's measures at the points given by equal-length arrays of parameter values."""
    values = {k: np.asarray(v, float).ravel() for k, v in values.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        return model.evaluate(values, select)["points"]


def mesh(**axes) -> dict[str, np.ndarray]:
    """Every combination of the given values, as flat arrays."""
    grids = np.meshgrid(*map(np.asarray, axes.values()), indexing="ij")
    return {name: grid.ravel() for name, grid in zip(axes, grids)}


# -- the files --------------------------------------------------------------------------------


def test_the_folder_holds_the_canonical_models():
    names = {path.stem for path in FILES}
    assert {"chicken", "prisoners-dilemma", "nash", "kalai-smorodinsky"} <= names
    assert {"rubinstein", "baron-ferejohn", "fearon-1995", "fearon-1994"} <= names
    assert "repeated-prisoners-dilemma" in names
    bundled = {info.name for info in bio.list_models()}
    assert not names & bundled  # loaded by path, not listed with the scenario models


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_has_version_sources_bounds_and_scenarios_that_solve(path):
    """Every file: version 1.0.0, a BibTeX entry per source cited by its first author,
    bounded and described parameters, and scenarios that solve."""
    model = bio.load_model(path)
    assert model.version == "1.0.0"
    keys = bibtex_keys(model.bibtex)
    assert keys
    for entry in keys:
        surname = re.match(r"[a-z]+", entry).group(0)
        assert surname in model.citation.lower(), entry
    for name in model.params.names:
        param = model.params[name]
        assert param.low is not None and param.high is not None, name
        assert param.description, name
    assert model.scenarios
    for scenario in model.scenarios:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
            assert len(model.solve(scenario=scenario)) >= 1


# -- Chicken and the Prisoner's Dilemma ----------------------------------------------------


def test_chicken_has_two_pure_asymmetric_equilibria_and_one_mixed():
    """Chicken (T > R > S > P; Rapoport and Guyer 1966, Snyder and Diesing 1977) has exactly
    three equilibria: either side stands firm while the other backs down, and a mixed one
    in which each stands firm with probability q = (T - R) / ((T - R) + (S - P)), so that
    war (both stand firm) comes with probability q^2. Checked at 60 points of the box,
    against pygambit's enumeration at a few of them."""
    model = load("chicken")
    space = bargain.latin_hypercube(model.params, 60, seed=13).points()
    win, face, crash = (np.asarray(space[k], float) for k in ("win", "face", "crash"))
    rows = at(model, "all", **space)
    assert np.all(rows["n_equilibria"] == 3)
    frame = bargain.sweep(model, bargain.latin_hypercube(model.params, 60, seed=13), select="all")
    frame = frame.to_frame(long=True)
    for i in range(60):
        eq = frame[frame["point"] == i]
        assert sorted(eq["regime"]) == ["mixed", "straight/swerve", "swerve/straight"]
        firm = eq.set_index("regime")
        assert firm.loc["straight/swerve", "u_A"] == pytest.approx(win[i])
        assert firm.loc["straight/swerve", "u_B"] == pytest.approx(-face[i])
        assert firm.loc["swerve/straight", "u_B"] == pytest.approx(win[i])
        q = win[i] / (win[i] + crash[i])  # by hand: B indifferent between its two moves
        mixed = firm.loc["mixed"]
        assert mixed["p_A_straight"] == pytest.approx(q, abs=1e-9)
        assert mixed["p_B_straight"] == pytest.approx(q, abs=1e-9)
        assert mixed["p_A_straight"] * mixed["p_B_straight"] == pytest.approx(q**2, abs=1e-9)
        assert mixed["p_war_mixed"] == pytest.approx(q**2)
        assert mixed["u_A"] == pytest.approx(-face[i] * q, abs=1e-9)
    # pygambit's enumeration agrees on the whole equilibrium set at a few points
    A, B = model.game.payoff_tensor(model.params.bind_batch({k: v[:5] for k, v in space.items()}))
    for i in range(5):
        ours = frame[frame["point"] == i]
        mine = profile_set(
            [
                ([r.p_A_swerve, r.p_A_straight], [r.p_B_swerve, r.p_B_straight])
                for r in ours.itertuples()
            ]
        )
        theirs = profile_set(gambit_mixed(A[..., i], B[..., i]))
        assert mine == theirs


def test_chicken_crash_probability_worked_numbers():
    """Rapoport and Guyer's ranks 4, 3, 2, 1: each stands firm with probability 1/2 and war
    comes with probability 1/4; when war costs nine times the prize (crash 9), q = 1/10 and
    war comes with probability 1/100; the crash probability falls as war grows costlier."""
    model = load("chicken")
    rows = at(model, "all", crash=[1, 9])  # three rows per point
    assert rows["p_war_mixed"] == pytest.approx(np.repeat([0.25, 0.01], 3))
    assert rows["q_mixed"] == pytest.approx(np.repeat([0.5, 0.1], 3))
    mixed = rows["pure"] == 0
    assert rows["p_A_straight"][mixed] * rows["p_B_straight"][mixed] == pytest.approx([0.25, 0.01])
    crash = np.linspace(0.1, 10, 40)
    p_war = at(model, "all", crash=crash)["p_war_mixed"][::3]
    assert np.all(np.diff(p_war) < 0)


def test_prisoners_dilemma_unique_equilibrium_is_mutual_defection():
    """In the Prisoner's Dilemma (T > R > P > S) defection strictly dominates, so the only
    equilibrium, at every point of the box, is mutual defection with payoffs (P, P) = (0, 0),
    although mutual cooperation would give each R = coop > 0."""
    model = load("prisoners-dilemma")
    space = bargain.latin_hypercube(model.params, 80, seed=7).points()
    frame = bargain.sweep(
        model, bargain.latin_hypercube(model.params, 80, seed=7), select="all"
    ).to_frame(long=True)
    assert len(frame) == 80 and set(frame["regime"]) == {"defect/defect"}
    assert np.all(frame["pure"] == 1)
    assert np.allclose(frame[["u_A", "u_B"]], 0)
    A, B = model.game.payoff_tensor(model.params.bind_batch(space))
    cooperate, defect = 0, 1
    assert np.all(A[defect] > A[cooperate])  # dominance for A, against either column
    assert np.all(B[:, defect] > B[:, cooperate])
    assert np.all(A[cooperate, cooperate] > A[defect, defect])  # both prefer (C, C)
    assert np.all(B[cooperate, cooperate] > B[defect, defect])
    assert np.allclose(frame["loss"], A[cooperate, cooperate] - A[defect, defect])


# -- Nash and Kalai-Smorodinsky --------------------------------------------------------------


def test_nash_solution_closed_form_on_the_curved_frontier():
    """Nash (1950), asymmetric: on u_B = sqrt(1 - u_A) with d_B = 0 the solution is
    u_A = (2 alpha + (1 - alpha) d_A) / (1 + alpha): 2/3 at the symmetric defaults, where
    the risk-averse B keeps a third of the pie. Checked over a grid of alpha and d_A."""
    model = load("nash")
    g = mesh(alpha=np.linspace(0.05, 0.95, 10), dA=np.linspace(0, 0.5, 6))
    rows = at(model, **g)
    expected = (2 * g["alpha"] + (1 - g["alpha"]) * g["dA"]) / (1 + g["alpha"])
    assert rows["u_A"] == pytest.approx(expected, abs=1e-10)
    assert rows["u_B"] == pytest.approx(np.sqrt(1 - expected), abs=1e-10)
    default = at(model)
    assert default["u_A"] == pytest.approx([2 / 3]) and default["u_B"] == pytest.approx([3**-0.5])
    assert default["share_B"] == pytest.approx([1 / 3])


def test_nash_solution_maximises_the_nash_product():
    """The Nash solution is the frontier point maximising (u_A - d_A)^alpha (u_B - d_B)^(1 - alpha):
    checked against a brute-force search over 200,001 frontier points at 40 random points."""
    model = load("nash")
    space = bargain.latin_hypercube(model.params, 40, seed=3).points()
    rows = at(model, **space)
    u = np.linspace(0, 1, 200_001)[:, None]
    dA, dB, alpha = (np.asarray(space[k], float) for k in ("dA", "dB", "alpha"))
    gains = np.clip(u - dA, 0, None), np.clip(np.sqrt(1 - u) - dB, 0, None)
    product = gains[0] ** alpha * gains[1] ** (1 - alpha)
    best = u[np.argmax(product, axis=0), 0]
    assert rows["u_A"] == pytest.approx(best, abs=2e-5)


def test_kalai_smorodinsky_equal_fractions_of_the_ideal_gains():
    """Kalai and Smorodinsky (1975): the solution is the Pareto point on the segment from
    the disagreement point to the ideal point, (1 - d_B^2, sqrt(1 - d_A)) here, so each side
    gets the same fraction of its largest possible gain; at d = 0 both get
    (sqrt(5) - 1) / 2 = 0.618, where Nash gives A 2/3 and B 0.577."""
    model = load("kalai-smorodinsky")
    g = mesh(dA=np.linspace(0, 0.5, 6), dB=np.linspace(0, 0.5, 6))
    rows = at(model, **g)
    ideal_A, ideal_B = 1 - g["dB"] ** 2, np.sqrt(1 - g["dA"])
    assert rows["ideal_A"] == pytest.approx(ideal_A)
    t_A = (rows["u_A"] - g["dA"]) / (ideal_A - g["dA"])
    t_B = (rows["u_B"] - g["dB"]) / (ideal_B - g["dB"])
    assert t_A == pytest.approx(t_B, abs=1e-9)
    assert rows["u_B"] == pytest.approx(np.sqrt(1 - rows["u_A"]), abs=1e-10)  # efficient
    golden = (np.sqrt(5) - 1) / 2
    d = at(model)
    assert d["u_A"] == pytest.approx([golden]) and d["u_B"] == pytest.approx([golden])
    assert d["nash_A"] == pytest.approx([2 / 3]) and d["nash_B"] == pytest.approx([3**-0.5])
    assert d["ks_minus_nash_B"] == pytest.approx([golden - 3**-0.5])


def test_kalai_smorodinsky_monotonicity_example():
    """Kalai and Smorodinsky's (1975) argument: enlarge the bargaining set from the hull of
    (0, 1), (3/4, 3/4), (1, 0) to the hull of (0, 1), (1, 0.7), (1, 0), so that for every u_A
    player B can get more. Nash's solution moves from (3/4, 3/4) to (1, 0.7): B loses.
    Kalai-Smorodinsky's moves from (3/4, 3/4) to (1/1.3, 1/1.3): B gains (monotonicity)."""
    small = [(0, 1), (0.75, 0.75), (1, 0)]
    large = [(0, 1), (1, 0.7), (1, 0)]
    assert bargaining.nash_solution(small).shares == pytest.approx([0.75, 0.75])
    assert bargaining.nash_solution(large).shares == pytest.approx([1, 0.7])
    assert bargaining.kalai_smorodinsky(small).shares == pytest.approx([0.75, 0.75])
    assert bargaining.kalai_smorodinsky(large).shares == pytest.approx([1 / 1.3, 1 / 1.3])


# -- Rubinstein, BRW, BSS ------------------------------------------------------------------


def test_rubinstein_split_and_patience():
    """Rubinstein (1982): without breakdown or options the unique SPE gives the first
    proposer (1 - delta_B) / (1 - delta_A delta_B), accepted at once; a more patient side
    gets more (A's share rises with delta_A and falls with delta_B). Checked over a grid."""
    model = load("rubinstein")
    dA_, dB_ = np.linspace(0.5, 0.99, 12), np.linspace(0.5, 0.99, 12)
    g = mesh(deltaA=dA_, deltaB=dB_)
    rows = at(model, **g)
    expected = (1 - g["deltaB"]) / (1 - g["deltaA"] * g["deltaB"])
    assert rows["u_A"] == pytest.approx(expected, abs=1e-12)
    assert np.all(rows["deal"] == 1)
    share = rows["u_A"].reshape(12, 12)
    assert np.all(np.diff(share, axis=0) > 0) and np.all(np.diff(share, axis=1) < 0)
    assert at(model, deltaA=[0.9])["u_A"] == pytest.approx([1 / 1.9])


def test_brw_breakdown_risk_to_zero_gives_the_nash_solution():
    """Binmore, Rubinstein and Wolinsky (1986): with breakdown risk p the only friction, A gets
    d_A + (1 - d_A - d_B) / (2 - p); as p -> 0 this tends to the Nash solution
    d_A + (1 - d_A - d_B) / 2 from the disagreement point, the gap shrinking like p / 4.
    Checked over a grid of disagreement points and p from 0.9 down to 1e-6, against the
    toolkit's nash_solution on u_A + u_B = 1."""
    model = load("rubinstein")
    p = np.geomspace(0.9, 1e-6, 12)
    g = mesh(dA=np.linspace(0, 0.45, 4), dB=np.linspace(0, 0.45, 4), p=p)
    rows = at(model, deltaA=np.ones_like(g["p"]), deltaB=np.ones_like(g["p"]), **g)
    surplus = 1 - g["dA"] - g["dB"]
    assert rows["u_A"] == pytest.approx(g["dA"] + surplus / (2 - g["p"]), abs=1e-9)
    nash = bargaining.nash_solution("1 - u1", (g["dA"], g["dB"]), symbolic=False).shares[0]
    assert rows["nash_A"] == pytest.approx(nash, abs=1e-9)
    gap = np.abs(rows["u_A"] - nash).reshape(16, 12)
    assert np.all(np.diff(gap, axis=1)[surplus.reshape(16, 12)[:, 1:] > 0] < 0)  # shrinks
    assert np.all(gap[:, -1] <= 1e-6)
    assert gap == pytest.approx((surplus * g["p"] / (2 * (2 - g["p"]))).reshape(16, 12), abs=1e-9)


def test_brw_discounting_and_breakdown_limit_is_the_asymmetric_nash_solution():
    """BRW (1986) with both frictions: offers every Delta, breakdown hazard lambda, discount
    rates r_i. As Delta -> 0 the split tends to the asymmetric Nash solution with
    disagreement point lambda d_i / (lambda + r_i) and A's power
    (lambda + r_B) / (2 lambda + r_A + r_B); the gap shrinks in proportion to Delta."""
    model = load("rubinstein")
    lam, rA, rB, dA, dB = 1.0, 0.5, 1.5, 0.2, 0.1
    step = np.geomspace(0.3, 3e-5, 9)
    rows = at(
        model,
        deltaA=np.exp(-rA * step),
        deltaB=np.exp(-rB * step),
        p=1 - np.exp(-lam * step),
        dA=np.full_like(step, dA),
        dB=np.full_like(step, dB),
    )
    dA_, dB_ = lam * dA / (lam + rA), lam * dB / (lam + rB)
    alpha = (lam + rB) / (2 * lam + rA + rB)
    limit = dA_ + alpha * (1 - dA_ - dB_)  # the asymmetric Nash solution on u_A + u_B = 1
    nash = bargaining.nash_solution("1 - u1", (dA_, dB_), alpha, symbolic=False).shares[0]
    assert nash == pytest.approx(limit)
    gap = np.abs(rows["u_A"] - limit)
    assert np.all(np.diff(gap) < 0)
    assert gap / step == pytest.approx(np.full_like(step, gap[-1] / step[-1]), rel=0.2)
    assert gap[-1] < 1e-4


def test_outside_option_principle():
    """Binmore, Shaked and Sutton (1989; Shaked and Sutton 1984): an outside option affects
    the split only if it beats what the player gets by bargaining on, and then the player
    gets exactly the option (it is not added to the bargaining value). With delta = 0.9
    B's bargaining value is 0.9/1.9 = 0.474: wB below it changes nothing, above it B gets wB.
    Checked over a sweep of wB at several discount factors, and against the formula
    x_A = min(1 - wB, max(1 - deltaB (1 - wA), x*)) at a sample of the whole box with p = 0."""
    model = load("rubinstein")
    g = mesh(deltaA=[0.6, 0.8, 0.95], deltaB=[0.6, 0.8, 0.95], wB=np.linspace(0, 0.5, 26))
    rows = at(model, **g)
    bargaining_value = g["deltaB"] * (1 - g["deltaA"]) / (1 - g["deltaA"] * g["deltaB"])
    assert rows["u_B"] == pytest.approx(np.maximum(g["wB"], bargaining_value), abs=1e-12)
    idle = g["wB"] <= bargaining_value
    assert idle.any() and (~idle).any()
    x_star = (1 - g["deltaB"]) / (1 - g["deltaA"] * g["deltaB"])
    assert rows["u_A"][idle] == pytest.approx(x_star[idle], abs=1e-12)
    space = bargain.latin_hypercube(model.params, 200, seed=5).points()
    space = {k: np.asarray(v, float) for k, v in space.items()}
    space["p"] = np.zeros(200)
    space["deltaA"] = np.minimum(space["deltaA"], 0.99)  # no friction at all is refused
    rows = at(model, **space)
    dA_, dB_ = space["deltaA"], space["deltaB"]
    x_star = (1 - dB_) / (1 - dA_ * dB_)
    expected = np.minimum(1 - space["wB"], np.maximum(1 - dB_ * (1 - space["wA"]), x_star))
    assert rows["u_A"] == pytest.approx(expected, abs=1e-12)


# -- Baron-Ferejohn ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 5, 7, 9])
def test_baron_ferejohn_proposer_share_and_minimal_winning_coalition(n):
    """Baron and Ferejohn (1989), closed rule, equal recognition, odd n: the proposer keeps
    1 - delta (n - 1) / (2 n) and gives (n - 1) / 2 partners delta / n each, their
    continuation value, forming a minimal winning coalition (the rest get nothing); the
    proposal passes at once. The proposer's share falls as delta rises, to (n + 1) / (2n)
    at delta = 1. The file (n = 5) is checked as written and with n replaced."""
    text = (FOLDER / "baron-ferejohn.toml").read_text(encoding="utf-8")
    if n != 5:
        players = ", ".join(f'"L{i}"' for i in range(1, n + 1))
        text = re.sub(r"players = \[.*\]", f"players = [{players}]", text)
        text = text.replace("n = 5", f"n = {n}")
    model = bio.loads_model(text, f"baron-ferejohn (n = {n})")
    delta = np.linspace(0, 1, 21)
    rows = at(model, delta=delta)
    assert rows["u_proposer"] == pytest.approx(1 - delta * (n - 1) / (2 * n), abs=1e-12)
    assert rows["u_partner"] == pytest.approx(delta / n, abs=1e-12)
    quota = n // 2 + 1
    coalition = rows["u_proposer"] + (quota - 1) * rows["u_partner"]
    assert coalition == pytest.approx(np.ones_like(delta))  # nothing left for the others
    assert np.all(np.diff(rows["u_proposer"]) < 0)
    assert rows["u_proposer"][-1] == pytest.approx((n + 1) / (2 * n))
    assert np.all(rows["deal"] == 1)
    values = bargaining.baron_ferejohn(n, delta).values  # ex-ante values: 1/n each
    assert values == pytest.approx(np.full((n, len(delta)), 1 / n))
    if n == 5:
        assert rows["proposer_closed_form"] == pytest.approx(rows["u_proposer"])


# -- Fearon (1995) -------------------------------------------------------------------------


def test_fearon_complete_information_peaceful_bargain_in_the_range():
    """Fearon (1995): with complete information (width 0) and costly war there is a
    bargaining range [p - c_A, p + c_B] of splits both prefer to war; A's take-it-or-leave-it
    demand is its top, p + c_B, B accepts, and there is no war. Over a grid of p, c_A, c_B."""
    model = load("fearon-1995")
    g = mesh(p=np.linspace(0.1, 0.6, 6), cA=np.linspace(0.01, 0.2, 5), cB_low=[0, 0.1, 0.2])
    rows = at(model, width=np.zeros_like(g["p"]), **g)
    assert np.all(rows["p_war"] == 0)
    assert rows["demand"] == pytest.approx(g["p"] + g["cB_low"], abs=1e-12)
    assert np.all(rows["range_low"] <= rows["demand"] + 1e-12)
    assert np.all(rows["demand"] <= rows["range_high"] + 1e-12)
    assert np.all(rows["u_A"] >= g["p"] - g["cA"] - 1e-12)  # A prefers the deal to war
    assert np.all(rows["u_B"] >= 1 - g["p"] - g["cB_low"] - 1e-12)  # so does B


def test_fearon_war_has_positive_probability_iff_private_information_is_wide_enough():
    """Fearon's risk-return trade-off: with B's cost uniform on [c_low, c_low + w] A demands
    p + (c_low + w - c_A) / 2 and war comes with probability (w - c_A - c_low) / (2 w) when
    w > c_A + c_low, else A buys peace with every type. So the probability of war is zero
    with complete information (w = 0) and positive iff the private information is wide
    enough, w > c_A + c_low (in Fearon's example, c_low = 0: iff w > c_A). Checked over a
    grid of (w, c_A, c_low, p)."""
    model = load("fearon-1995")
    g = mesh(
        width=np.linspace(0, 0.2, 11),
        cA=[0.005, 0.015, 0.055, 0.13],
        cB_low=[0, 0.025, 0.07],
        p=[0.2, 0.5, 0.6],
    )
    rows = at(model, **g)
    w, cA, low, p = g["width"], g["cA"], g["cB_low"], g["p"]
    war = w > cA + low
    assert war.any() and (~war).any() and (w > 0)[~war].any()  # both regimes, uncertainty too
    safe_w = np.where(w > 0, w, 1)
    expected = np.where(war, (w - cA - low) / (2 * safe_w), 0)
    assert rows["p_war"] == pytest.approx(expected, abs=1e-9)
    assert np.array_equal(rows["p_war"] > 1e-9, war)
    assert np.all(rows["p_war"][w == 0] == 0)
    demand = np.where(war, p + (low + w - cA) / 2, p + low)
    assert rows["demand"] == pytest.approx(demand, abs=1e-9)
    assert rows["p_war_closed_form"] == pytest.approx(expected, abs=1e-12)
    # the trade-off: where A risks war it expects more than the safe demand p + c_low
    assert np.all(rows["u_A"][war] > (p + low)[war])
    # Fearon's example, c_B uniform on [0, c]: P(war) = (c - c_A) / (2c); 0.375 at the defaults
    assert at(model)["p_war"] == pytest.approx([0.375])


def test_fearon_1994_audience_costs_tie_the_challengers_hands():
    """Fearon (1994), complete-information core: a public threat is credible iff fighting
    beats backing down once the audience cost is paid, p stake - c_A > -audience; then a
    target for whom war is worse than conceding concedes, and the challenger threatens
    only if what follows beats the status quo. Over 2,000 random points the equilibrium
    path is exactly this; over the audience cost, the threat starts to work at
    audience = c_A - p stake and keeps working."""
    model = load("fearon-1994")
    rng = np.random.default_rng(81)
    n = 2000
    v = {p.name: rng.uniform(p.low, p.high, n) for p in model.params}
    rows = at(model, **v)
    fight = v["p"] * v["stake"] - v["c_A"]
    fights = fight > -v["audience"]  # back_down is listed first: it wins a tie
    after_resist = (
        np.where(fights, fight, -v["audience"]),
        np.where(fights, -v["p"] * v["stake"] - v["c_B"], 0),
    )
    resists = after_resist[1] >= -v["stake"]  # resist is listed first
    threatened = np.where(resists, after_resist[0], v["stake"])
    threatens = threatened > 0
    margin = np.min(
        np.abs([fight + v["audience"], after_resist[1] + v["stake"], threatened]), axis=0
    )
    clear = margin > 1e-9
    path = np.where(
        ~threatens,
        "status_quo",
        np.where(
            resists,
            np.where(fights, "threaten>resist>fight", "threaten>resist>back_down"),
            "threaten>concede",
        ),
    )
    assert np.array_equal(np.asarray(rows["regime"])[clear], path[clear])
    assert set(path[clear]) >= {"status_quo", "threaten>concede", "threaten>resist>fight"}
    assert "threaten>resist>back_down" not in set(
        path[clear]
    )  # no bluffs with complete information
    works = at(model, audience=np.linspace(0, 1, 101))["threat_works"]
    assert works[0] == 0 and works[-1] == 1 and np.all(np.diff(works) >= 0)
    edge = bargain.threshold(model, "audience", "threat_works", (0, 1))
    assert edge.value == pytest.approx(0.6 - 0.5, abs=1e-6)


def test_repeated_prisoners_dilemma_grim_trigger_iff_delta_reaches_the_critical_value():
    """Friedman (1971), Axelrod (1984): in the infinitely repeated Prisoner's Dilemma grim
    trigger sustains mutual cooperation iff delta >= (T - R) / (T - P), and always
    defecting is always an equilibrium. The critical value comes from the repeated-game
    form (critical_delta), checked here against the formula; over a grid of
    (T, R, P, delta) the equilibrium verdicts follow it."""
    model = load("repeated-prisoners-dilemma")
    T, R, P = (sympy.Symbol(n) for n in "TRP")
    assert sympy.simplify(model.game.critical_delta("grim") - (T - R) / (T - P)) == 0
    g = mesh(T=[4.5, 5, 6], R=[2.5, 3, 3.5], P=[0.5, 1, 1.5], delta=np.linspace(0.05, 0.95, 19))
    rows = at(model, S=np.zeros_like(g["T"]), **g)
    critical = (g["T"] - g["R"]) / (g["T"] - g["P"])
    clear = np.abs(g["delta"] - critical) > 1e-9
    assert np.array_equal((rows["spe_grim"] == 1)[clear], (g["delta"] >= critical)[clear])
    assert np.all(rows["spe_defect"] == 1)
    assert rows["delta_grim"] == pytest.approx(critical, abs=1e-12)
