"""Connecting to a cluster: the kubeconfig is read, the server proven to answer, and
every way that fails is one LabError line. Against the API mock (tests/kubemock)."""

import socket
import time

import pytest
import yaml

from grader.errors import LabError
from grader.kube import client
from grader.state.kube import TARGET_VERSION
from tests.kubemock import certificates, write_kubeconfig
from tests.kubemock.objects import pod


def one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and text, text
    assert err.value.code == 2
    return text


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


def test_answers_and_remembers_where_it_points(kube_mock):
    mock = kube_mock([pod("web")])
    api = client.api_client(mock.kubeconfig)
    assert mock.requests == [("GET", "/version")]
    assert client.describe(api) == f"the cluster of context mock at {mock.url}"
    assert client.server_version(api) == f"v{TARGET_VERSION}.0"
    assert mock.requests == [("GET", "/version")]  # remembered, not asked again


def test_kubeconfig_from_the_environment(kube_mock, monkeypatch):
    mock = kube_mock()
    monkeypatch.setenv("KUBECONFIG", mock.kubeconfig)
    assert client.describe(client.api_client()).startswith("the cluster of context mock")
    assert client.kubeconfig_path() == mock.kubeconfig
    assert client.kubeconfig_path("/x/config") == "/x/config"


def test_kubeconfig_list_in_the_environment(kube_mock, monkeypatch, tmp_path):
    mock = kube_mock()
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path}/absent:{mock.kubeconfig}")
    assert client.current_context() == ("mock", "ch15")
    client.api_client()


def test_no_kubeconfig(tmp_path, monkeypatch):
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(LabError) as err:
        client.api_client()
    assert one_line(err).startswith("no kubeconfig at ~/.kube/config: run `lab env up")
    with pytest.raises(LabError) as err:
        client.api_client(tmp_path / "nope.yaml")
    assert f"no kubeconfig at {tmp_path}/nope.yaml" in one_line(err)


def test_unknown_context(kube_mock):
    mock = kube_mock()
    with pytest.raises(LabError) as err:
        client.api_client(mock.kubeconfig, context="kind-ch15")
    assert one_line(err) == f"no context 'kind-ch15' in the kubeconfig {mock.kubeconfig} (contexts: mock)"
    assert mock.requests == []


def test_no_current_context_but_one_given(kube_mock, tmp_path):
    mock = kube_mock()
    doc = yaml.safe_load(open(mock.kubeconfig))
    del doc["current-context"]
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(LabError) as err:
        client.api_client(path)
    assert "has no current context: pass --context" in one_line(err)
    assert "(contexts: mock)" in str(err.value)
    client.api_client(path, context="mock")


def test_kubeconfig_that_is_not_yaml(tmp_path):
    path = tmp_path / "config"
    path.write_text("clusters: [\n  - {name: x\n")
    with pytest.raises(LabError) as err:
        client.api_client(path)
    assert one_line(err).startswith(f"the kubeconfig {path} cannot be read")


def test_unreachable_server(tmp_path, closed_port):
    path = write_kubeconfig(tmp_path / "config", f"https://127.0.0.1:{closed_port}",
                            context="kind-ch15")
    started = time.monotonic()
    with pytest.raises(LabError) as err:
        client.api_client(path)
    assert one_line(err).startswith(f"the cluster of context kind-ch15 at https://127.0.0.1:"
                                    f"{closed_port} does not answer (ConnectionRefused)")
    assert time.monotonic() - started < 2  # no retries


def test_server_that_never_answers(tmp_path):
    with socket.socket() as listener:  # accepts connections (backlog), never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        path = write_kubeconfig(tmp_path / "config", url)
        started = time.monotonic()
        with pytest.raises(LabError) as err:
            client.api_client(path, timeout=0.5)
        took = time.monotonic() - started
    assert "does not answer (no answer within 0.5 s)" in one_line(err)
    assert took < 2


def test_expired_credentials(kube_mock, tmp_path):
    mock = kube_mock()
    path = write_kubeconfig(tmp_path / "config", mock.url, token="expired")
    with pytest.raises(LabError) as err:
        client.api_client(path)
    text = one_line(err)
    assert text.startswith(f"the cluster of context mock at {mock.url} refused the "
                           "credentials of the kubeconfig (401 Unauthorized)")
    assert "kind export kubeconfig" in text


def test_no_credentials_at_all(kube_mock, tmp_path):
    mock = kube_mock()
    path = write_kubeconfig(tmp_path / "config", mock.url, token=None)
    with pytest.raises(LabError) as err:
        client.api_client(path)
    assert "(401 Unauthorized)" in one_line(err)


def test_tls_failure(kube_mock, tmp_path):
    mock = kube_mock()
    path = write_kubeconfig(tmp_path / "config", mock.url,
                            ca=certificates().other_ca.read_bytes())
    with pytest.raises(LabError) as err:
        client.api_client(path)
    text = one_line(err)
    assert text.startswith(f"the cluster of context mock at {mock.url}: TLS failed (")
    assert "certificate verify failed" in text
    assert mock.requests == []


def test_current_context_reads_no_server(kube_mock, tmp_path):
    mock = kube_mock()
    assert client.current_context(mock.kubeconfig) == ("mock", "ch15")
    path = write_kubeconfig(tmp_path / "config", mock.url, namespace=None, context="kind-x")
    assert client.current_context(path) == ("kind-x", "default")
    assert mock.requests == []


def test_namespace_exists(kube_mock):
    mock = kube_mock([pod("web")])
    api = client.api_client(mock.kubeconfig)
    assert client.namespace_exists(api, "ch15")
    assert client.namespace_exists(api, "default")
    assert not client.namespace_exists(api, "nope")


def test_namespace_read_forbidden(kube_mock):
    mock = kube_mock()
    mock.handler["get /api/v1/namespaces/secret"] << 403 << {
        "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden",
        "message": 'namespaces "secret" is forbidden: User "student" cannot get resource',
        "code": 403}
    api = client.api_client(mock.kubeconfig)
    with pytest.raises(LabError) as err:
        client.namespace_exists(api, "secret")
    assert one_line(err) == (f"the cluster of context mock at {mock.url}: the credentials may "
                             'not read namespace secret (403 Forbidden: namespaces "secret" is '
                             'forbidden: User "student" cannot get resource)')


def test_the_first_file_setting_current_context_wins(kube_mock, tmp_path, monkeypatch):
    mock = kube_mock()
    first = write_kubeconfig(tmp_path / "first", mock.url, context="first")
    second = write_kubeconfig(tmp_path / "second", mock.url, context="second")
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    assert client.current_context() == ("first", "ch15")  # as kubectl reads it
    assert client.describe(client.api_client()).startswith("the cluster of context first")
    assert client.describe(client.api_client(context="second")).startswith(
        "the cluster of context second")
