"""De-duplication: the pure matching engine and the service that writes clusters and the review queue."""
