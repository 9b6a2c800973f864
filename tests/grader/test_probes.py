"""Looks into images are made once per image ID (the ID is a digest of the content)."""

import io
import tarfile

from grader import probes


class FakeApi:
    """The few engine calls image_holds/image_files make, counted."""

    def __init__(self, layers: dict[str, bytes], files: dict[str, bytes]):
        self.layers, self.files, self.calls = layers, files, []

    def get_image(self, image, chunk_size):
        self.calls.append(("get_image", image))
        data = self.layers[image]
        return [data[i:i + 7] for i in range(0, len(data), 7)]  # values cross chunks

    def inspect_image(self, ref):
        self.calls.append(("inspect_image", ref))
        return {"Id": {"app:v1": "sha256:aaa"}[ref]}

    def create_container(self, image, command, labels):
        self.calls.append(("create_container", image))
        return {"Id": f"ctr-{image}"}

    def get_archive(self, cid, path):
        self.calls.append(("get_archive", cid))
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            data = self.files[cid]
            info = tarfile.TarInfo("init.sql")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return [buf.getvalue()], {}

    def remove_container(self, cid, force, v):
        self.calls.append(("remove_container", cid))


class FakeClient:
    def __init__(self, api):
        self.api = api


def test_image_holds_scans_an_image_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    api = FakeApi({"sha256:aaa": b"layer one ... s3cret-value ... layer two",
                   "sha256:bbb": b"nothing here"}, {})
    client = FakeClient(api)
    values = {"db-password": "s3cret-value", "api-key": "absent"}
    assert probes.image_holds(client, "sha256:aaa", values) == ["db-password"]
    assert probes.image_holds(client, "sha256:aaa", values) == ["db-password"]
    assert [c for c in api.calls if c[0] == "get_image"] == [("get_image", "sha256:aaa")]
    # another image, other values: scanned again
    assert probes.image_holds(client, "sha256:bbb", values) == []
    assert probes.image_holds(client, "sha256:aaa", {"api-key": "layer two"}) == ["api-key"]
    assert len([c for c in api.calls if c[0] == "get_image"]) == 3
    # a tag is resolved to its ID first: the same scan as by ID
    assert probes.image_holds(client, "app:v1", values) == ["db-password"]
    assert len([c for c in api.calls if c[0] == "get_image"]) == 3
    # the values looked for are not written in clear
    written = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert "s3cret-value" not in written and "layer two" not in written


def test_image_files_copied_once_and_a_missing_cache_is_only_slower(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    api = FakeApi({}, {"ctr-sha256:aaa": b"CREATE TABLE users;"})
    client = FakeClient(api)
    want = {"/docker-entrypoint-initdb.d/init.sql": "CREATE TABLE users;"}
    for _ in range(2):
        assert probes.image_files(client, "sha256:aaa", "/docker-entrypoint-initdb.d/init.sql",
                                  labels={}) == want
    assert [c[0] for c in api.calls] == ["create_container", "get_archive", "remove_container"]
    (tmp_path / "ro").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ro"))
    for _ in range(2):
        assert probes.image_files(client, "sha256:aaa", "/docker-entrypoint-initdb.d/init.sql",
                                  labels={}) == want
    assert [c[0] for c in api.calls].count("create_container") == 3
