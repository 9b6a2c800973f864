"""Label keys that mark what belongs to a lab, so tear-down removes exactly that."""

LAB = "org.container-labs.lab"
GRADER = "org.container-labs.grader"
CREATED_BY = "org.container-labs.created-by"
IMAGE = "org.container-labs.image"


def lab_label(chapter: str) -> str:
    """The ``key=value`` form passed to ``docker ... --label``."""
    return f"{LAB}={chapter}"


def lab_labels(chapter: str, created_by: str) -> dict[str, str]:
    """Labels for an object the environment or the grader creates."""
    labels = {LAB: chapter, CREATED_BY: created_by}
    if created_by == "grader":
        labels[GRADER] = "1"
    return labels
