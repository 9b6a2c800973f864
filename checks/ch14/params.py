"""Parameters of the ch14 behaviour checks, from `lab check --param` / `--lab-param`."""

from grader.errors import LabError


def behaviour_params(config) -> dict:
    """``--lab-param update_delay=2`` (seconds between batches of the grader's own
    updates: short in CI, what is checked stays the same), ``update_timeout=240`` (how
    long the grader waits for one of its updates to end) and ``settle_timeout=60``
    (after swarm reports a rollback done, how long for every task to run the previous
    image again). A value that is not a number is the grader's input: an error."""
    given = dict(p.split("=", 1) for p in config.getoption("--lab-param") if "=" in p)

    def number(key, default):
        try:
            return float(given.get(key, default))
        except ValueError:
            raise LabError(f"--param {key} must be a number of seconds") from None
    return {"update_delay": number("update_delay", 2), "timeout": number("update_timeout", 240),
            "settle": number("settle_timeout", 60)}
