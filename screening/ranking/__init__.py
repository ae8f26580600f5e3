"""Relevance ranking: the pure model and stopping estimate, and the service that trains per reviewer."""
