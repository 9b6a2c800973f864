"""container-labs grader: environments, notebook execution, checks and reports."""

__version__ = "0.1.0"
