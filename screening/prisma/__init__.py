"""PRISMA 2020: counts from the database, the flow's numbers and the diagram drawn from them."""
