#!/bin/sh
# Remove the pets app: the four objects of pets.yaml, and nothing else (ch16.one-file).
# The claim pets-data-db-0 stays, and with it the data: `kubectl apply -f pets.yaml`
# brings the app back with its database as it was.
set -e
kubectl delete --ignore-not-found svc/web deploy/web svc/db statefulset/db
