"""The real-time push (实时推送) as use cases: who is told, the outbox, delivery, statistics.

The use cases live in modules by what they hold — :mod:`.common` (limits, which department),
:mod:`.events` (who is told, the producers), :mod:`.subscriptions`, :mod:`.inbox` (reading,
acknowledging, the audit of reads), :mod:`.webhooks` and :mod:`.stats` — and this module
re-exports their public functions, so the API, the pages and the CLI import one name.

浙政办发〔2017〕75号 二(二)5: "实现个人信用信息和信用评价结果实时推送，以及应用情况的实时监控、统计、汇总".
A department's business system is told at once when the credit of a subject it deals with
changes, so that a measure is applied — or lifted — without waiting for the next check.

**Who is told.** A department is told about a subject when it subscribed to it (explicitly, by
code: :func:`subscribe`) or when one of its officials checked the subject within the last
``push_watch_days`` days. The second is derived from ``checks`` when an event happens
(:func:`_targets`), never written at check time, so the checks stay as they are.

**Producing messages (transactional outbox).** Every producer is one ``INSERT … SELECT`` from
the change (``list_entry_events``, ``records``) joined to the departments to tell, in the same
transaction as the change: a listing that rolls back leaves no message, and a committed one
always has its messages. The payload is built by the database (``json_object`` on SQLite,
``jsonb_build_object`` on PostgreSQL) with the policy's Chinese labels and the measures the
change triggers folded in as ``CASE`` expressions, so the work does not grow with the number of
subjects. Personal identifiers stay out of the payload: a message names its subject by id, and
the name and code are added, masked, when a message is read (:func:`subjects_of`).

- lists: :func:`on_list_events` is a :mod:`xinyong.lists.hooks` hook, run after
  ``lists.service.refresh`` (new listings, activations, removals and expiry), ``include`` and
  ``remove``; an inclusion or activation is ``list_included``, a removal of an entry that had
  been in force ``list_removed``. Proposed listings (拟列入, still in the notice period) and
  withdrawn ones are not pushed: no measure applies to them.
- records: :func:`on_import` is a :mod:`xinyong.records.hooks` hook, registered after the
  lists' own (``xinyong/push/__init__.py``): a new shown dishonest or honest record of the
  batch is ``record_added``, a record the batch changed (a new version) ``record_status``.
  :func:`on_records_changed` does the same for records changed elsewhere (objection, repair).

Each message carries ``origin`` — the change it comes from — and is only written when the
department has none from that origin yet, so a change seen by two transactions (see
:mod:`xinyong.lists.hooks`) is still told once.

**Delivering.** The pull API reads a department's messages after an id and marks them
delivered; the event stream does the same as they arrive; the webhook deliverer
(:func:`deliver_once`) POSTs them, signed with HMAC-SM3 over the body, and backs off
exponentially on failure. A department acknowledges what it has applied (:func:`ack`).
"""

from __future__ import annotations

from xinyong.push.common import (
    CHUNK,
    MAX_CODES,
    MAX_PAGE,
    PURPOSE,
    PUSH_ROLES,
    SECRET_CONTEXT,
    SIGNATURE_HEADER,
    department_of,
    departments_in,
)
from xinyong.push.events import (
    SUBJECT_KINDS,
    list_measures,
    on_import,
    on_list_events,
    on_records_changed,
    record_measures,
)
from xinyong.push.inbox import (
    CHANNEL_NAMES,
    SubjectShown,
    ack,
    deliver,
    latest,
    log_reads,
    message_dict,
    messages,
    subjects_of,
    unacked_count,
)
from xinyong.push.stats import PushStats, statistics, statistics_xlsx
from xinyong.push.subscriptions import (
    CODE_HEADERS,
    SubscribeResult,
    UnsubscribeResult,
    read_codes,
    subscribe,
    subscriptions,
    unsubscribe,
)
from xinyong.push.webhooks import (
    Delivery,
    Poster,
    deliver_once,
    endpoint_of,
    http_post,
    set_endpoint,
    sign,
    verify_signature,
)

__all__ = [
    "CHANNEL_NAMES", "CHUNK", "CODE_HEADERS", "MAX_CODES", "MAX_PAGE", "PURPOSE", "PUSH_ROLES", "SECRET_CONTEXT",
    "SIGNATURE_HEADER", "SUBJECT_KINDS", "Delivery", "Poster", "PushStats", "SubjectShown", "SubscribeResult",
    "UnsubscribeResult", "ack", "deliver", "deliver_once", "department_of", "departments_in", "endpoint_of",
    "http_post", "latest", "list_measures", "log_reads", "message_dict", "messages", "on_import", "on_list_events",
    "on_records_changed", "read_codes", "record_measures", "set_endpoint", "sign", "statistics", "statistics_xlsx",
    "subjects_of", "subscribe", "subscriptions", "unacked_count", "unsubscribe", "verify_signature",
]
