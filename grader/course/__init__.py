"""Class grading, the course side: an nbgrader course folder (``layout``), releases
(``release``), answer keys kept in the course (``keys``), answers graded outside the
student's kernel (``answers``), locked cells restored (``locked``), the gradebook
(``record``) and feedback and exports (``reports``). Pure functions on files: no engine.

nbgrader is imported inside functions only (it pulls in jsonschema, about two seconds).
"""
