import pytest

from grader import chapters, images, providers
from grader.errors import LabError


@pytest.mark.engine
def test_interrupted_env_up_takes_back_what_it_created(engine, monkeypatch):
    ch = chapters.get("ch10")
    prov = providers.for_chapter(ch, engine)
    prov.down()
    assert prov.status().network is None

    def interrupted(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(images, "missing", lambda specs, client: specs[:1])
    monkeypatch.setattr(images, "build", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prov.up(progress=False)
    assert prov.status().network is None
    monkeypatch.undo()
    assert any("network" in line for line in prov.up(progress=False))
    assert prov.up(progress=False) == []  # idempotent
    assert prov.status().network == "ch10-lab"


def test_unknown_provider_is_a_clear_error():
    ch = chapters.Chapter("chX", "x", provider="nomad")
    with pytest.raises(LabError, match="nomad"):
        providers.for_chapter(ch)


def test_provider_choice_is_remembered_and_forgotten(tmp_path, monkeypatch):
    from grader import chapters, providers
    from grader.errors import LabError
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    ch14 = chapters.get("ch14")
    assert type(providers.for_chapter(ch14)).name == "swarm"
    providers.choose(ch14, "swarm-dind")
    assert type(providers.for_chapter(ch14)).name == "swarm-dind"
    providers.choose(ch14, None)
    assert type(providers.for_chapter(ch14)).name == "swarm"
    import pytest
    with pytest.raises(LabError, match="runs on swarm or swarm-dind"):
        providers.choose(ch14, "docker")
