"""Google Cloud Pub/Sub: ``pubsub://projects/PROJECT/subscriptions/SUBSCRIPTION``.

A message is one story's bytes (optional attributes ``uri``, the name it goes by in
``source.uri``, and ``format``, a parser name), or a Cloud Storage notification
(``eventType=OBJECT_FINALIZE`` with ``bucketId`` and ``objectId``), whose object is read
from ``gs://BUCKET/OBJECT`` (the gcp extra). Other notification events name no new story and
are acknowledged at once.

Messages are pulled synchronously and acknowledged only after their items are committed to
the output, so a crash means redelivery, never loss; a redelivered message is known to the
ledger by its id and is not read twice. Messages pulled and not committed when the watcher
stops are handed back at once. While a batch runs, the messages' acknowledgement
deadline is extended to ``ACK_DEADLINE_SECONDS``. Against the emulator, set
``PUBSUB_EMULATOR_HOST``; the client library reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.errors import ConfigError, SourceError
from pipeline.records import Delivery

SCHEME = "pubsub"
FINALIZE = "OBJECT_FINALIZE"
ACK_DEADLINE_SECONDS = 120
MAX_MESSAGES = 500
# How long a pull waits for messages when there are none: short, since the watcher polls
# again during a batch's linger and between batches.
PULL_TIMEOUT_SECONDS = 1.0
_SUBSCRIPTION = re.compile(r"pubsub://(projects/[^/]+/subscriptions/[^/]+)")


class PubSubInput:
    """Pulls messages from one subscription."""

    def __init__(self, spec: str, *, output: str) -> None:
        del output  # messages cannot lie inside the output
        self.spec = spec
        match = _SUBSCRIPTION.fullmatch(spec)
        if match is None:
            raise ConfigError(
                f"--input {spec}: expected pubsub://projects/PROJECT/subscriptions/SUBSCRIPTION"
            )
        self._subscription = match.group(1)
        try:
            from google.cloud import pubsub_v1
        except ImportError as error:
            raise ConfigError(
                f"--input {spec}: Pub/Sub needs the gcp extra: pip install 'wire-ingest[gcp]'"
            ) from error
        self._client = pubsub_v1.SubscriberClient()
        self._ack_ids: dict[str, str] = {}  # Delivery.key -> the ack id of its last pull

    def poll(self) -> list[Delivery]:
        from google.api_core import exceptions

        try:
            response = self._client.pull(
                request={"subscription": self._subscription, "max_messages": MAX_MESSAGES},
                timeout=PULL_TIMEOUT_SECONDS,
                retry=None,
            )
        except exceptions.DeadlineExceeded:
            return []
        except exceptions.GoogleAPICallError as error:
            raise SourceError(f"--input {self.spec}: cannot pull: {error}") from error
        if not response.received_messages:
            return []
        deliveries, ignored = [], []
        for received in response.received_messages:
            delivery = self._delivery(received.message)
            if delivery is None:
                ignored.append(received.ack_id)
                continue
            self._ack_ids[delivery.key] = received.ack_id
            deliveries.append(delivery)
        leased = [self._ack_ids[delivery.key] for delivery in deliveries]
        self._per_request(
            self._client.modify_ack_deadline, leased, ack_deadline_seconds=ACK_DEADLINE_SECONDS
        )
        self._acknowledge(ignored)
        return deliveries

    def _delivery(self, message: Any) -> Delivery | None:
        attributes = dict(message.attributes)
        key = f"pubsub:{self._subscription}|{message.message_id}"
        if "eventType" in attributes:  # a Cloud Storage notification
            if attributes["eventType"] != FINALIZE:
                return None
            uri = f"gs://{attributes.get('bucketId', '')}/{attributes.get('objectId', '')}"
            return Delivery(uri, key=key)
        uri = attributes.get("uri") or f"{self.spec}#{message.message_id}"
        return Delivery(uri, key=key, data=bytes(message.data), format=attributes.get("format"))

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        self._acknowledge([self._ack_ids.pop(d.key) for d in deliveries if d.key in self._ack_ids])

    def _acknowledge(self, ack_ids: list[str]) -> None:
        self._per_request(self._client.acknowledge, ack_ids)

    def _per_request(self, call: Any, ack_ids: list[str], **fields: Any) -> None:
        """``call`` for the ack ids, at most MAX_MESSAGES a request (the service's limit)."""
        for start in range(0, len(ack_ids), MAX_MESSAGES):
            chunk = ack_ids[start : start + MAX_MESSAGES]
            call(request={"subscription": self._subscription, "ack_ids": chunk, **fields})

    def close(self) -> None:
        """Hands back the messages pulled and not committed (a stop between polls), so that
        Pub/Sub delivers them again at once instead of after their deadline."""
        outstanding = list(self._ack_ids.values())
        self._per_request(self._client.modify_ack_deadline, outstanding, ack_deadline_seconds=0)
        self._client.close()
