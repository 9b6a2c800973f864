"""Check runs load grader.plugin explicitly (``lab check``) or through its pytest11
entry point (``pytest checks/ch10``)."""
