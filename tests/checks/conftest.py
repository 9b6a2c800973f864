from tests.checks.helpers import grader_image_labels, solved_ch10  # noqa: F401  (fixtures)
