"""``python -m grader.cli``: the same as ``lab``."""

from grader.cli import main

main()
