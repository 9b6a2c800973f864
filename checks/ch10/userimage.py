"""What ch10.dockerfile and ch10.multistage both ask of the user image: it runs."""

from checks.ch10.names import USER_PORT
from grader.checkkit import throwaway, wait_http


def serves_health(client, image: str, labels: dict) -> None:
    """Start ``image`` (labelled, removed afterwards) and assert /healthz answers ok."""
    with throwaway(client, image, labels=labels, port=USER_PORT) as (ctr, port):
        reply = wait_http(f"http://127.0.0.1:{port}/healthz", timeout=15, container=ctr)
    assert reply.body.strip().lower().startswith("ok"), f"/healthz said {reply.body[:80]!r}"
