"""Sources: where deliveries come from, chosen by the scheme the user types.

A source is one small class with ``poll() -> list[Delivery]`` (what arrived since the last
poll, at first all there is: the ledger decides what is new), ``ack(deliveries)`` (called
once their items are committed to the output) and ``close()``. ``INPUTS`` maps a URL scheme
to its class; a plain path, a glob or any other Beam filesystem (``gs://``) is a folder. A
new source is one module and one entry here; the pipeline between source and sink does not
change.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.inputs.base import Input
from pipeline.inputs.folder import FolderInput
from pipeline.inputs.kafka import SCHEME as KAFKA_SCHEME
from pipeline.inputs.kafka import KafkaInput
from pipeline.inputs.pubsub import SCHEME as PUBSUB_SCHEME
from pipeline.inputs.pubsub import PubSubInput

INPUTS: dict[str, Callable[..., Input]] = {PUBSUB_SCHEME: PubSubInput, KAFKA_SCHEME: KafkaInput}


def open_input(spec: str, *, output: str) -> Input:
    """The source for ``spec`` (``pubsub://...``, ``kafka://...``, a folder, a glob).

    Args:
        output: the output folder, never read as input even when it lies inside a watched one.

    Raises:
        ConfigError: a spec its source cannot use (bad syntax, missing client library).
    """
    scheme = spec.split("://", 1)[0] if "://" in spec else ""
    return INPUTS.get(scheme, FolderInput)(spec, output=output)


__all__ = ["INPUTS", "FolderInput", "Input", "KafkaInput", "PubSubInput", "open_input"]
