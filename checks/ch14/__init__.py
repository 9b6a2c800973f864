"""ch14: zero-downtime deployments, configs and secrets on Docker Swarm."""
