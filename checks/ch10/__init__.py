"""ch10 checks: containerise the user service with Docker (Kubernetes steps pending)."""
