"""ch15: introduction to Kubernetes (architecture, pods, volumes, ReplicaSets, Services, Ingress)."""
