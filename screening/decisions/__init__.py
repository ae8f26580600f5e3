"""Screening decisions: independent, blinded decisions, the reviewers' queues and agreement statistics."""
