"""ch10's Kubernetes steps: planned, listed by `lab check ch10` as not available yet.
They arrive with the Kubernetes labs (kind provider and cluster snapshot)."""

from grader.checks import pending

WHY = "not available yet: comes with the Kubernetes labs (kind cluster provider)"

PENDING = (
    pending("ch10.pod.running", "Pod user-service runs user, mysql and redis, all ready",
            points=3, layer="live", reason=WHY),
    pending("ch10.deployment.ready", "Deployment user-service has 3/3 ready replicas",
            points=3, layer="live", reason=WHY),
    pending("ch10.rollout.revision", "A pod-template change makes a new rollout revision",
            points=2, layer="behaviour", reason=WHY),
    pending("ch10.frontend.serves", "The frontend image serves / and /login", points=2,
            layer="behaviour", reason=WHY),
    pending("ch10.backend.endpoints", "Service backend in k8sdemo has endpoints", points=2,
            layer="live", reason=WHY),
    pending("ch10.kubectl.answers", "kubectl questions answered", points=2, layer="static",
            reason=WHY),
    pending("ch10.labels.answers", "Label and selector questions answered", points=2,
            layer="static", reason=WHY),
    pending("ch10.echoserver.echoes", "The echo server answers with the request path",
            points=2, layer="behaviour", reason=WHY),
    pending("ch10.architecture.answers", "Architecture questions answered", points=2,
            layer="static", reason=WHY),
)
