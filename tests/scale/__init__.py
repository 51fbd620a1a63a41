"""The two-node deployment test (PostgreSQL, S3, Redis; two web nodes, two workers)."""
