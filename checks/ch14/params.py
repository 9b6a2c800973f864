"""Parameters of the ch14 behaviour checks, from `lab check --param` / `--lab-param`."""


def behaviour_params(config) -> dict:
    """``--lab-param update_delay=2`` (seconds between batches of the grader's own
    updates: short in CI, what is checked stays the same) and ``update_timeout=240``."""
    given = dict(p.split("=", 1) for p in config.getoption("--lab-param") if "=" in p)

    def number(key, default):
        try:
            return float(given.get(key, default))
        except ValueError:
            raise AssertionError(f"--lab-param {key} must be a number of seconds") from None
    return {"update_delay": number("update_delay", 2), "timeout": number("update_timeout", 240)}
