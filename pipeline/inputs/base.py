"""What every source offers the runs and the watcher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.records import Delivery


class Input(Protocol):
    spec: str  # as the user gave it

    def poll(self) -> list[Delivery]:
        """What is there now that may be new; the ledger says which deliveries are done."""
        ...

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """``deliveries`` are committed to the output (or were done before): never again."""
        ...

    def close(self) -> None: ...
