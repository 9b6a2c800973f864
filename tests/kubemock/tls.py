"""The mock's https: a CA and a server certificate made with the openssl command, and
kubeconfigs that point at a server and trust a CA. kubectl sends no bearer token over
plain http (kubernetes/kubectl#744), and real API servers speak https only."""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

import aiohttp.test_utils
import attrs
import yaml

CONTEXT = "mock"
NAMESPACE = "ch15"
TOKEN = "mock-token"


@attrs.frozen
class Certificates:
    """A CA, a server certificate for 127.0.0.1 signed by it, and a CA that signed nothing
    (a kubeconfig trusting it fails TLS verification)."""

    ca: Path
    cert: Path
    key: Path
    other_ca: Path


_CERTS: Certificates | None = None
_CERTS_DIR: tempfile.TemporaryDirectory | None = None


def certificates() -> Certificates:
    """Made once per process (about 30 ms)."""
    global _CERTS, _CERTS_DIR
    if _CERTS is not None:
        return _CERTS
    if shutil.which("openssl") is None:
        raise RuntimeError("the mock API server needs the openssl command for its "
                           "certificates (apt-get install openssl), or KubeMock(tls=False)")
    _CERTS_DIR = tempfile.TemporaryDirectory(prefix="kubemock-tls-")
    d = Path(_CERTS_DIR.name)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    for name in ("ca", "other-ca"):
        run("req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.crt",
            "-days", "30", "-subj", f"/CN=kubemock {name}")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                               "basicConstraints=CA:FALSE\n"
                               "keyUsage=critical,digitalSignature,keyEncipherment\n"
                               "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "30", "-extfile", "ext.cnf")
    _CERTS = Certificates(d / "ca.crt", d / "server.crt", d / "server.key", d / "other-ca.crt")
    return _CERTS


class TLSTestServer(aiohttp.test_utils.RawTestServer):
    """aiohttp's raw test server on https (kmock's Server starts it without options)."""

    async def start_server(self, loop=None, **kwargs):
        certs = certificates()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.cert, certs.key)
        return await super().start_server(loop, ssl=context, **kwargs)


def write_kubeconfig(path: Path | str, server: str, *, token: str | None = TOKEN,
                     context: str = CONTEXT, namespace: str | None = NAMESPACE,
                     ca: bytes | None = None) -> str:
    """A kubeconfig file with one context ``context`` → ``server``, authenticated by
    ``token``, trusting the PEM certificate ``ca`` (https default: the mock's CA)."""
    ctx: dict = {"cluster": context, "user": context}
    if namespace:
        ctx["namespace"] = namespace
    cluster: dict = {"server": server}
    if server.startswith("https:"):
        ca = ca if ca is not None else certificates().ca.read_bytes()
        cluster["certificate-authority-data"] = base64.b64encode(ca).decode()
    doc = {"apiVersion": "v1", "kind": "Config", "preferences": {},
           "clusters": [{"name": context, "cluster": cluster}],
           "users": [{"name": context, "user": {"token": token} if token else {}}],
           "contexts": [{"name": context, "context": ctx}],
           "current-context": context}
    Path(path).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return str(path)
