"""Per-chapter checks: pytest modules declared with ``grader.checks.check``."""
