"""The names in a signaling game: its two players, the sender's types and messages, the
receiver's actions (every array of the form is indexed in their order)."""

from __future__ import annotations

from typing import NamedTuple


class Labels(NamedTuple):
    """The names in a signaling game: its two players, types, messages and actions."""

    sender: str
    receiver: str
    types: tuple[str, ...]
    messages: tuple[str, ...]
    actions: tuple[str, ...]
