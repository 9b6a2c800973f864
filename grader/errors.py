"""The one error type the CLI turns into a single line and exit code 2."""


class LabError(Exception):
    """A usage or environment problem the user can fix; the message says how.

    The CLI prints ``str(err)`` as one line and exits with ``code`` (2 unless set).
    """

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
