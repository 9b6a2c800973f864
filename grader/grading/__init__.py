"""Class grading (``lab grade``): every submission executed in a sandbox of its own, the
chapter's checks run on what it left, one result per student. See docs/grading.md.

Modules, one job each: :mod:`submissions` (finding them), :mod:`sandbox` (the per-
submission engine: a dind node, its swarm, its images), :mod:`kernel` (the notebook
container and its limits), :mod:`inkernel` (what runs inside that container: papermill
with an engine that goes on after a failed cell), :mod:`cells` (reading the executed
notebooks back), :mod:`checking` (the checks, on the host, against the sandbox),
:mod:`digest` (what identifies an input), :mod:`pipeline` (one submission, start to
end), :mod:`batch` (a class: workers, resume, the course calls), :mod:`leftovers`
(labelled objects of a killed run), :mod:`display` and :mod:`command` (``lab grade``).
"""
