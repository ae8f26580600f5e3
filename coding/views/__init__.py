"""Pages of the coding stage, one module per part: codebook, coding, proposals, extraction."""
