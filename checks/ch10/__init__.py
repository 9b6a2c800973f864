"""ch10 checks: containerise the user service with Docker, then run it on Kubernetes."""
