"""Model-file text shared by the tests: the middle of an interim-deal tree model.

From ``[params.detect]`` through the game's nodes to the ``deal`` outcome set.
"""

DEAL_TREE = """\
[params.detect]
default = 0.5
low = 0
high = 1

[game]
form = "tree"
players = ["US", "Iran"]

[[game.nodes]]
id = "offer"
kind = "decision"
player = "US"
moves = { propose = "answer", pressure = "standoff" }

[[game.nodes]]
id = "answer"
kind = "decision"
player = "Iran"
moves = { accept = "comply", reject = "breakdown" }

[[game.nodes]]
id = "comply"
kind = "decision"
player = "Iran"
moves = { keep = "kept", cheat = "inspect" }

[[game.nodes]]
id = "inspect"
kind = "chance"
branches = { caught = ["detect", "snapback"], missed = ["1 - detect", "cheated"] }

[[game.nodes]]
id = "kept"
kind = "terminal"
payoffs = { US = "1 - relief", Iran = "relief" }

[[game.nodes]]
id = "snapback"
kind = "terminal"
payoffs = { US = -0.2, Iran = -0.5 }

[[game.nodes]]
id = "cheated"
kind = "terminal"
payoffs = { US = "-relief", Iran = "relief + 0.3" }

[[game.nodes]]
id = "breakdown"
kind = "terminal"
payoffs = { US = 0.1, Iran = 0.1 }

[[game.nodes]]
id = "standoff"
kind = "terminal"
payoffs = { US = 0.2, Iran = 0.1 }

[outcomes]
deal = ["kept", "cheated", "snapback"]
"""
