"""Conflicts: discussion, consensus and escalation to the adjudicator when reviewers disagree."""
