"""Pages of identification and screening, one module per part of the workflow."""
