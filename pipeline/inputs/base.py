"""What every source offers the runs and the watcher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.records import Delivery


class Input(Protocol):
    spec: str  # as the user gave it

    def poll(self) -> list[Delivery]:
        """What arrived since the last poll (at first, all there is); the ledger says which
        of these deliveries are done already."""
        ...

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """``deliveries`` are committed to the output (or were done before): never again."""
        ...

    def close(self) -> None: ...
