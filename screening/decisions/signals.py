"""What screening decisions tell the stages after them.

Conflicts and full text connect to these in their own modules; decisions imports neither.
Each is sent inside the transaction that holds the record's status row, so a receiver's
writes commit or roll back with the decision.
"""

from __future__ import annotations

from django.dispatch import Signal

# The reviewers disagree on a record: record=Record, stage=Stage.
disagreement_found = Signal()

# A record reached a final outcome: record=Record, stage=Stage, outcome=Outcome, and by=the
# person whose ruling made it final (None when the reviewers' own decisions agreed).
record_resolved = Signal()

# A lead re-opened a resolved record: record=Record, stage=Stage, was_included=bool.
record_reopened = Signal()
