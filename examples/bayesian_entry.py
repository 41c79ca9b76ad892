"""Does private information about U.S. resolve invite escalation?

A Bayesian entry-deterrence game (Fudenberg and Tirole 1991, section 6.1) in
``bayesian_entry.toml``: the U.S. reinforces its forces in the Gulf or stays
put, at no cost if it is ready and at a cost if it is stretched (probability
p, known only to the U.S.); Iran escalates or holds at the same time. The
script lists every Bayesian Nash equilibrium as the prior p rises, and finds
the prior above which escalation becomes an equilibrium outcome.

Run: python examples/bayesian_entry.py
"""

from __future__ import annotations

from pathlib import Path

import bargain

if __name__ == "__main__":
    model = bargain.load_model(Path(__file__).with_name("bayesian_entry.toml"))
    result = bargain.sweep(model, {"p": [0.2, 0.4, 0.6, 0.8, 1.0]}, progress=False)
    frame = result.to_frame(long=True)
    table = frame[["p", "regime", "p_US_stretched_reinforce", "escalation", "u_US", "u_Iran"]]
    table.columns = ["p", "equilibrium", "P(stretched reinforces)", "P(escalate)", "u_US", "u_Iran"]
    print("Bayesian Nash equilibria by the probability p that the U.S. is stretched:")
    print(table.round(3).to_string(index=False))
    flip = bargain.threshold(model, "p", "n_equilibria", (0.2, 0.8))
    print(f"\nEscalation becomes an equilibrium above p = {flip.value:.4f} (by hand: 1/2).")
