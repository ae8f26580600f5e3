"""Full text: retrieval of reports, their eligibility assessment and the studies they belong to."""
