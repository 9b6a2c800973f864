"""ch16 checks: deploy, probe, update (rolling and blue-green) and secure the pets
application on Kubernetes."""
