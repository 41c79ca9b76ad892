"""Parameterized game trees: decision, chance and terminal nodes.

Nodes are added by id; the first node added is the root. Chance
probabilities and terminal payoffs are formulas of the declared parameters,
compiled once, so a batch of N points becomes arrays of N values per node and
the subgame-perfect equilibrium is found for all of them by one backward
induction (:mod:`bargain.solvers.backward`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from bargain import formula
from bargain.algebra import Derivation
from bargain.checks import describe, key, labels, same_keys
from bargain.errors import ModelError, TieError, did_you_mean
from bargain.params import Param, ParamSpace, batch_size, point_text
from bargain.solvers.backward import (
    TIE_BREAKS,
    Gathered,
    TieFound,
    plan_value,
    reduced_plans,
    subgame_perfect,
    terminal_tolerance,
)
from bargain.solvers.workspace import Workspace
from bargain.vocabulary import ident

from ..extensive import ExtensiveForm
from ..form import CHUNK_SIZE, GameForm, Option, as_is
from ..normal import NormalFormGame
from ..qre_budget import Deadline
from ..qre_options import lam_option, lam_per_player, max_steps_option, seconds_option
from ..signaling import SignalingGame
from ..spec import SpecReader
from .compiled import CompiledTree
from .derive import derive_spe
from .extensive import tree_form
from .pbe import PerfectBayesianBatch, SenderReceiver, sender_receiver
from .quantal import QuantalBatchSolution, branch_lam, quantal_batch, quantal_branch
from .solution import SubgamePerfect, TreeBatchSolution

if TYPE_CHECKING:
    import pandas as pd

#: Points per chunk, so that the node arrays of a chunk stay in cache ...
CHUNK_POINTS = 1 << 14
#: ... and, for trees of over 128 nodes, fewer: the values of all nodes of a chunk
#: hold at most this many floats per player (a workspace of about 16 MB per player).
CHUNK_FLOATS = 1 << 21
#: Most nodes a game tree in a model file may have.
MAX_NODES = 10_000
#: Solution concepts: subgame-perfect equilibrium (backward induction; Nash
#: equilibria in subgames with imperfect information), perfect Bayesian
#: equilibrium (trees of the sender-receiver shape, see :mod:`.pbe`) or agent
#: logit quantal response equilibrium (:mod:`.quantal`).
CONCEPTS = ("spe", "pbe", "qre")
#: The options of each concept (``chunk_size`` serves all).
CONCEPT_OPTIONS = {
    "spe": ("tie_break",),
    "pbe": ("refine", "mixed"),
    "qre": ("lam", "max_steps", "seconds"),
}
#: The keys of each kind of node in a model file.
NODE_KEYS = {"decision": ("player", "moves"), "chance": ("branches",), "terminal": ("payoffs",)}


class GameTree(GameForm):
    """A game in extensive form whose probabilities and payoffs may be formulas.

    Examples
    --------
    The U.S. offers relief for rollback or keeps up pressure; Iran accepts or
    rejects the offer:

    >>> tree = GameTree(["US", "Iran"], params=[Param("relief", 0.4, 0, 1)])
    >>> tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "breakdown"})
    >>> tree.terminal("deal", {"US": "1 - relief", "Iran": "relief"})
    >>> tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
    >>> tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})
    >>> result = tree.solve(relief=0.4)
    >>> result.path
    (('offer', 'propose'), ('answer', 'accept'))
    >>> result.payoffs
    {'US': 0.6, 'Iran': 0.4}
    """

    form = "tree"
    noun = "game trees"
    options = MappingProxyType(
        {
            "concept": Option(
                "spe", CONCEPTS, help="spe, pbe for sender-receiver trees, or qre (agent QRE)"
            ),
            "tie_break": Option(
                "first", TIE_BREAKS, help="first, all or raise; spe", only=("concept", ("spe",))
            ),
            "refine": Option(
                *SignalingGame.options["refine"][:2],
                help="none, intuitive, d1; pbe",
                only=("concept", ("pbe",)),
            ),
            "mixed": Option(
                *SignalingGame.options["mixed"][:2],
                help="semi-separating, none; pbe",
                only=("concept", ("pbe",)),
            ),
            "lam": Option(
                None,
                check=lam_option,
                help="logit precision, or {player: lam}; qre",
                only=("concept", ("qre",)),
            ),
            "max_steps": Option(
                None,
                check=max_steps_option,
                help="path-following steps per chunk; qre",
                only=("concept", ("qre",)),
            ),
            "seconds": Option(
                None,
                check=seconds_option,
                help="path-following seconds per call; qre",
                only=("concept", ("qre",)),
            ),
            "chunk_size": CHUNK_SIZE,
        }
    )
    outcome_noun = "terminal node"
    option_hints = MappingProxyType(
        {
            "method": "game trees take no method: they are solved by concept ("
            + ", ".join(CONCEPTS[:-1])
            + f", or {CONCEPTS[-1]} for the agent QRE)"
        }
    )

    def __init__(self, players: Sequence[str], params: Iterable[Param] | ParamSpace = ()) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels(players, "players")
        self.nodes: dict[Hashable, dict[str, Any]] = {}
        self._compiled: CompiledTree | None = None
        self._signaling: SenderReceiver | None = None

    # -- building -----------------------------------------------------------

    def decision(
        self,
        id: Hashable,
        player: str,
        moves: Mapping[str, Hashable],
        infoset: Hashable | None = None,
    ) -> None:
        """Add a decision node of ``player`` with moves (label -> child id)."""
        where = self._new(id, "decision")
        if player not in self.players:
            raise ModelError(
                f"{where}: unknown player {player!r}{did_you_mean(str(player), self.players)}; "
                f"players: {', '.join(self.players)}"
            )
        if not isinstance(moves, Mapping) or not moves:
            raise ModelError(f"{where}: expected at least one move (a mapping label -> child id)")
        for label in moves:
            if not isinstance(label, str) or not label:
                raise ModelError(f"{where}: move labels must be non-empty strings, got {label!r}")
        self.nodes[id] = {
            "kind": "decision",
            "player": player,
            "moves": dict(moves),
            "infoset": infoset,
        }

    def chance(self, id: Hashable, branches: Mapping[str, tuple[Any, Hashable]]) -> None:
        """Add a chance node: branches label -> (probability formula, child id)."""
        where = self._new(id, "chance")
        if not isinstance(branches, Mapping) or not branches:
            raise ModelError(f"{where}: expected at least one branch (label -> (prob, child))")
        probs, moves = {}, {}
        for label, branch in branches.items():
            if not isinstance(branch, tuple | list) or len(branch) != 2:
                raise ModelError(
                    f"{where}: branch {label!r}: expected (probability, child id), got {branch!r}"
                )
            probs[label] = formula.as_expr(branch[0], self.params, f"{where}.branches[{label!r}]")
            moves[label] = branch[1]
        self.nodes[id] = {"kind": "chance", "moves": moves, "probs": probs}

    def terminal(self, id: Hashable, payoffs: Mapping[str, Any]) -> None:
        """Add a terminal node with one payoff (number or formula) per player."""
        where = self._new(id, "terminal")
        same_keys(payoffs, self.players, f"{where}.payoffs")
        exprs = {
            p: formula.as_expr(payoffs[p], self.params, f"{where}.payoffs[{p!r}]")
            for p in self.players
        }
        self.nodes[id] = {"kind": "terminal", "payoffs": exprs}

    def _new(self, id: Hashable, kind: str) -> str:
        where = f"node {id!r}"
        if not isinstance(id, str | int) or isinstance(id, bool):
            raise ModelError(f"{where}: node ids must be strings or integers")
        if id in self.nodes:
            raise ModelError(
                f"{where}: duplicate node id (already a {self.nodes[id]['kind']} node)"
            )
        self._compiled = self._signaling = None
        return where

    # -- structure ----------------------------------------------------------

    @property
    def root(self) -> Hashable:
        if not self.nodes:
            raise ModelError("the tree has no nodes")
        return next(iter(self.nodes))

    def validate(self) -> None:
        """Check the tree; raise ModelError naming the node at fault."""
        self._compile()

    def _compile(self) -> CompiledTree:
        if self._compiled is None:
            self._compiled = CompiledTree(self.nodes, self.players, self.params)
        return self._compiled

    # -- solving ------------------------------------------------------------

    def solve(self, tie_break: str | None = None, **values: Any) -> Any:
        """The equilibria at one point (``solve_batch`` of one): a :class:`TreeSolution`,
        with ``concept="pbe"`` a :class:`~bargain.games.signaling.SignalingSolution`, with
        ``concept="qre"`` a :class:`~bargain.games.tree.quantal.QuantalSolution`."""
        return super().solve(**values, **({"tie_break": tie_break} if tie_break else {}))

    def solve_batch(
        self, points: Mapping[str, Any], tie_break: str | None = None, **options: Any
    ) -> TreeBatchSolution | PerfectBayesianBatch | QuantalBatchSolution:
        """Equilibria at N points, ``points`` a mapping name -> N values.

        Options: ``concept`` -- "spe" (the default) for subgame-perfect
        equilibria, "pbe" for the perfect Bayesian equilibria of a tree of the
        sender-receiver shape (:mod:`.pbe`; with ``refine`` and ``mixed`` as a
        signaling game takes them), "qre" for the agent logit quantal response
        equilibrium on the principal branch (:mod:`.quantal`; ``lam`` a number or
        a mapping player -> number, ``max_steps`` path-following steps per chunk,
        ``seconds`` per call: points they leave unreached get no row and a
        warning). ``tie_break`` (spe) -- "first" takes the first best move in
        declaration order, "all" reports every pure SPE (a point may then have
        several rows), "raise" raises on a tie; ties are flagged per point either
        way. ``chunk_size`` -- points solved at once (memory stays bounded).
        """
        options = self._checked(options, tie_break)
        if options.get("concept") == "pbe":
            read = self.as_sender_receiver()
            batch = read.game.solve_batch(points, **_without(options, "concept"))
            return PerfectBayesianBatch(batch, read.terminals, self.outcome_members())
        if options.get("concept") == "qre":
            if options.get("lam") is None:
                raise ModelError(
                    "concept='qre' needs the option lam: the logit precision, a number >= 0 "
                    "(0: uniform play; large: near a Nash equilibrium) or a mapping "
                    "player -> number"
                )
            return quantal_batch(
                self._compile(),
                self.params.bind_batch(points),
                lam_per_player(options["lam"], self.players),
                _deadline(options),
                options.get("chunk_size"),
            )
        tie_break = options.get("tie_break", "first")
        compiled = self._compile()
        bound = self.params.bind_batch(points)
        n = batch_size(bound)
        size = options.get("chunk_size") or min(
            CHUNK_POINTS, max(1, CHUNK_FLOATS // len(compiled.ids))
        )
        gathered, work, spans = Gathered(n), Workspace.of_thread(), []
        try:
            for start in range(0, n, size):
                part = {k: v[start : start + size] for k, v in bound.items()}
                m = min(size, n - start)
                probs, payoffs = compiled.evaluate(part, m, work)
                tol = terminal_tolerance(payoffs)
                if tol.unresolved.any():
                    raise compiled.unresolved_error(payoffs, tol.unresolved, part)
                # Payoffs of extreme magnitude are solved in units that cannot overflow;
                # the kernel gives values and regret back in the user's, player by player.
                scale = tol.scale if (tol.scale != 1).any() else None
                if scale is not None:
                    payoffs = {t: value / scale for t, value in payoffs.items()}
                try:
                    chunk = subgame_perfect(
                        compiled.structure, probs, payoffs, m, tie_break, tol.atol, work, scale
                    )
                except TieFound as exc:
                    raise self._tie_error(compiled, exc, part) from None
                gathered.add(chunk, start)
                spans.append(tol.user_span)
        finally:
            work.release()
        result = TreeBatchSolution(
            compiled, gathered.arrays(), bound, np.concatenate(spans, axis=1).T
        )
        result.warn_empty("a subgame with imperfect information has no equilibrium found")
        return result

    def _checked(self, options: Mapping[str, Any], tie_break: str | None) -> dict[str, Any]:
        """The options, checked, including that each belongs to the concept asked for."""
        options = self.check_options({**options, **({"tie_break": tie_break} if tie_break else {})})
        concept = options.get("concept", "spe")
        for other, names in CONCEPT_OPTIONS.items():
            for name in names:
                if other != concept and name in options:
                    raise ModelError(
                        f"option {name!r}: applies to concept={other!r}, not {concept!r}"
                    )
        return options

    def qre_branch(
        self, lam: Sequence[float], weights: float | Mapping[str, float] = 1.0, **values: Any
    ) -> pd.DataFrame:
        """The principal branch of the agent QRE at one point, one row per lam.

        ``lam`` is an increasing sequence of numbers >= 0; player p's lam is
        ``lam * weights[p]`` (``weights`` a number or a mapping player -> number);
        ``values`` the parameter values, and optionally ``max_steps``, ``seconds``
        (values of lam the budget leaves unreached get no row and a warning).
        Columns: ``lam``, the measures of ``concept="qre"`` rows, ``regime``.
        """
        names = set(self.params.names)
        options = {k: values.pop(k) for k in list(values) if k in self.options and k not in names}
        options = self._checked({**options, "concept": "qre"}, None)
        bound = self.params.bind_batch({k: [v] for k, v in values.items()})
        grid, w = branch_lam(lam, weights, self.players)
        return quantal_branch(
            self._compile(), bound, grid, w, _deadline(options), options.get("chunk_size")
        )

    def as_sender_receiver(self) -> SenderReceiver:
        """The tree as a signaling game (``.game``), if it has the sender-receiver shape
        (:data:`~bargain.games.tree.pbe.SHAPE`); a one-line ModelError otherwise."""
        if self._signaling is None:
            self._compile()  # the tree itself is valid
            self._signaling = sender_receiver(
                self.nodes, self.players, self.params, self.outcome_members()
            )
        return self._signaling

    def _tie_error(
        self, compiled: CompiledTree, exc: TieFound, part: Mapping[str, np.ndarray]
    ) -> TieError:
        node = compiled.ids[exc.node]
        moves = [list(self.nodes[node]["moves"])[j] for j in exc.moves]
        return TieError(
            f"node {node!r}: {self.nodes[node]['player']} is indifferent between moves "
            f"{moves} at {point_text(part, exc.point)} (tie_break='raise')"
        )

    def derive(self, **options: Any) -> Derivation:
        """The subgame-perfect equilibrium in closed form, one case per regime
        (:mod:`.derive`); for ``concept="spe"`` and ``tie_break`` "first" or "raise"."""
        options = self._checked(options, None)
        if options.get("concept") in ("pbe", "qre"):
            raise ModelError(
                "closed forms are for tie_break='first' or 'raise' and concept='spe', "
                f"not concept={options['concept']!r}: solve "
                + (
                    "perfect Bayesian equilibria"
                    if options["concept"] == "pbe"
                    else "quantal response equilibria"
                )
                + " numerically"
            )
        return derive_spe(self._compile(), options.get("tie_break", "first"))

    def extensive_form(self, equilibrium: Any, values: Mapping[str, float]) -> ExtensiveForm:
        """The tree at the point ``values`` with the choices of ``equilibrium``, a
        subgame-perfect one (:mod:`.extensive`); a perfect Bayesian equilibrium of
        ``concept="pbe"`` is refused."""
        if equilibrium is not None and not isinstance(equilibrium, SubgamePerfect):
            raise ModelError(
                "a game tree is drawn with a subgame-perfect equilibrium, not a perfect "
                "Bayesian one (concept='pbe') or a quantal response equilibrium "
                "(concept='qre'): draw it with concept='spe' "
                "(model.with_options(concept='spe')), or write it as a signaling game"
            )
        return tree_form(self._compile(), equilibrium, values)

    # -- measures -----------------------------------------------------------

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """With ``concept="pbe"``, the signaling game's (``n_pbe``); with ``concept="qre"``,
        ``fallback`` (1 where the point's path left the shared grid of lam for arc-length
        continuation, else 0); none otherwise."""
        concept = self._checked(options, None).get("concept")
        if concept == "pbe":
            return self.as_sender_receiver().game.point_measures()
        return ("fallback",) if concept == "qre" else ()

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<player>``, ``reach_<terminal>``, ``p_<node>_<move>``, ``regret``,
        ``n_equilibria``; with ``concept="qre"`` also ``fallback``; with ``concept="pbe"``
        the signaling game's measures and ``reach_<terminal>``."""
        reach = [f"reach_{ident(t)}" for t in self.outcome_members()]
        if self._checked(options, None).get("concept") == "pbe":
            *names, count = self.as_sender_receiver().game.measure_names()
            return [*names, *reach, count]
        names = [f"u_{ident(p)}" for p in self.players]
        names += reach
        names += [
            f"p_{ident(node)}_{ident(move)}"
            for node, spec in self.nodes.items()
            if spec["kind"] == "decision"
            for move in spec["moves"]
        ]
        if self._checked(options, None).get("concept") == "qre":
            return [*names, "regret", "fallback", "n_equilibria"]
        return [*names, "regret", "n_equilibria"]

    def outcome_members(self) -> tuple[Hashable, ...]:
        """The terminal nodes, in declaration order."""
        return tuple(n for n, spec in self.nodes.items() if spec["kind"] == "terminal")

    def to_gambit(
        self,
        path: str | os.PathLike[str],
        values: Mapping[str, Any] | None = None,
        title: str = "",
    ) -> Path:
        """Write the tree at ``values`` (defaults for the rest) to a Gambit file: ``.efg``,
        or its reduced normal form to ``.nfg`` (:mod:`bargain.games.gambit_writer`)."""
        from ..gambit_writer import write_table, write_tree

        if Path(path).suffix.lower() == ".nfg":
            return write_table(self.to_normal_form(), path, values, title)
        return write_tree(self, path, values, title)

    def to_normal_form(self) -> NormalFormGame:
        """The reduced normal form: one strategy per reduced plan, expected payoffs.

        Plans are labelled by their moves in order of the player's information
        sets, ``*`` where the player's own earlier moves exclude the set. The
        expected payoffs are written as the sums of products they are, not
        simplified, so that each has the domain of the formulas it is made of.
        """
        compiled = self._compile()
        tree = compiled.structure
        plans = reduced_plans(tree, tree.root)
        plans = [p or [{}] for p in plans]
        labels = [[compiled.plan_label(p, plan) for plan in plans[p]] for p in range(len(plans))]
        payoffs = np.empty((len(self.players), *map(len, plans)), dtype=object)
        zero = sympy.Matrix.zeros(len(self.players), 1)
        for index in product(*(range(len(p)) for p in plans)):
            chosen: dict[int, int] = {}
            for p, k in enumerate(index):
                chosen.update(plans[p][k])
            value = plan_value(
                tree,
                tree.root,
                chosen,
                leaf=compiled.symbolic_payoff,
                chance=compiled.symbolic_probs,
                zero=zero,
                mix=_expected,
            )
            for p in range(len(self.players)):
                payoffs[(p, *index)] = value[p]
        return NormalFormGame(
            self.players,
            labels,
            {player: payoffs[i].tolist() for i, player in enumerate(self.players)},
            params=self.params,
        )

    # -- model files --------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        nodes = []
        for i, (node, spec) in enumerate(self.nodes.items()):
            path = f"game.nodes[{i}]"
            table: dict[str, Any] = {"id": name(node, f"{path}.id"), "kind": spec["kind"]}
            if spec["kind"] == "decision":
                table["player"] = spec["player"]
                table["moves"] = {
                    m: name(c, key(f"{path}.moves", m)) for m, c in spec["moves"].items()
                }
                if spec["infoset"] is not None:
                    table["infoset"] = name(spec["infoset"], f"{path}.infoset")
            elif spec["kind"] == "chance":
                table["branches"] = {
                    label: [
                        render(spec["probs"][label]),
                        name(child, key(f"{path}.branches", label)),
                    ]
                    for label, child in spec["moves"].items()
                }
            else:
                table["payoffs"] = {p: render(v) for p, v in spec["payoffs"].items()}
            nodes.append(table)
        return {"form": self.form, "players": list(self.players), "nodes": nodes}

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> GameTree:
        table = reader.table(table, "game", ["form", "players", "nodes"])
        players = reader.labels(table["players"], "game.players")
        nodes = reader.array(table["nodes"], "game.nodes")
        if not nodes:
            raise reader.error("game.nodes", "expected at least one node")
        if len(nodes) > MAX_NODES:
            raise reader.error(
                "game.nodes", f"{len(nodes)} nodes is above the limit of {MAX_NODES}"
            )
        ids: dict[Any, int] = {}
        for i, node in enumerate(nodes):
            path = f"game.nodes[{i}]"
            node = reader.table(node, path, ["id", "kind"], None)
            reader.string(node["kind"], f"{path}.kind", NODE_KEYS)
            node_id = reader.node_id(node["id"], f"{path}.id")
            if node_id in ids:
                raise reader.error(
                    f"{path}.id", f"duplicate node id {node_id!r} (also game.nodes[{ids[node_id]}])"
                )
            ids[node_id] = i
        with reader.located("game"):
            tree = cls(players, params)
        for i, node in enumerate(nodes):
            _NodeReader(reader, tree, ids).add(node, f"game.nodes[{i}]")
        with reader.located("game.nodes"):
            tree.solve_batch({})  # checks the tree, its probabilities and payoffs at the defaults
        return tree

    def __repr__(self) -> str:
        kinds = [n["kind"] for n in self.nodes.values()]
        counts = ", ".join(f"{kinds.count(k)} {k}" for k in ("decision", "chance", "terminal"))
        return f"GameTree(players={list(self.players)}, {counts})"


def _expected(parts: list[tuple[sympy.Expr, sympy.Matrix]]) -> sympy.Matrix:
    """Each player's expected payoff over a chance node's branches, as written:
    sympy would simplify ``p * x / x`` to ``p``, undefined at ``x = 0`` no more."""
    terms = [(p, value) for p, value in parts if not value.is_zero_matrix]
    if not terms:
        return parts[0][1]
    return sympy.Matrix(
        [
            sympy.Add(
                *(sympy.Mul(p, value[i], evaluate=False) for p, value in terms), evaluate=False
            )
            for i in range(terms[0][1].rows)
        ]
    )


class _NodeReader:
    """Adds the nodes of a model file's ``[[game.nodes]]`` to a tree, checking each key."""

    def __init__(self, reader: SpecReader, tree: GameTree, ids: Mapping[Any, int]) -> None:
        self.reader, self.tree, self.ids = reader, tree, ids

    def add(self, node: dict[str, Any], path: str) -> None:
        kind = node["kind"]
        optional = ["infoset"] if kind == "decision" else []
        self.reader.table(node, path, ["id", "kind", *NODE_KEYS[kind]], optional)
        with_kind = {"decision": self.decision, "chance": self.chance, "terminal": self.terminal}
        with_kind[kind](node, path)

    def child(self, value: object, path: str) -> str | int:
        child = self.reader.node_id(value, path)
        if child not in self.ids:
            same = [node for node in self.ids if str(node) == str(child)]
            if same:  # 1 and "1" are different ids
                kind = "an integer" if isinstance(same[0], int) else "a string"
                raise self.reader.error(
                    path,
                    f"unknown node id {child!r}: the node's id is {kind}, {same[0]!r}; "
                    "write it the same way",
                )
            hint = did_you_mean(str(child), map(str, self.ids))
            raise self.reader.error(path, f"unknown node id {child!r}{hint}")
        return child

    def decision(self, node: dict[str, Any], path: str) -> None:
        reader = self.reader
        player = reader.string(node["player"], f"{path}.player", self.tree.players)
        moves = reader.table(node["moves"], f"{path}.moves", optional=None)
        if not moves:
            raise reader.error(f"{path}.moves", "expected at least one move")
        moves = {m: self.child(c, key(f"{path}.moves", m)) for m, c in moves.items()}
        infoset = node.get("infoset")
        if infoset is not None:
            reader.node_id(infoset, f"{path}.infoset")
        with reader.located(path):
            self.tree.decision(node["id"], player, moves, infoset)

    def chance(self, node: dict[str, Any], path: str) -> None:
        reader = self.reader
        branches = reader.table(node["branches"], f"{path}.branches", optional=None)
        if not branches:
            raise reader.error(f"{path}.branches", "expected at least one branch")
        checked = {}
        for label, branch in branches.items():
            where = key(f"{path}.branches", label)
            if not isinstance(branch, list) or len(branch) != 2:
                got = f"an array of {len(branch)}" if isinstance(branch, list) else None
                raise reader.error(
                    where, f"expected [probability, child id], got {got or describe(branch)}"
                )
            prob, child = branch
            checked[label] = (
                reader.formula(prob, f"{where}[0]", self.tree.params),
                self.child(child, f"{where}[1]"),
            )
        with reader.located(path):
            self.tree.chance(node["id"], checked)

    def terminal(self, node: dict[str, Any], path: str) -> None:
        reader = self.reader
        given = reader.table(node["payoffs"], f"{path}.payoffs", self.tree.players, what="player")
        payoffs = {
            p: reader.formula(v, key(f"{path}.payoffs", p), self.tree.params)
            for p, v in given.items()
        }
        with reader.located(path):
            self.tree.terminal(node["id"], payoffs)


def _deadline(options: Mapping[str, Any]) -> Deadline:
    """The path-following budget of ``concept="qre"`` among the options: ``max_steps``
    per chunk, ``seconds`` for the call."""
    return Deadline(options.get("max_steps"), options.get("seconds"))


def _without(options: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k != name}
