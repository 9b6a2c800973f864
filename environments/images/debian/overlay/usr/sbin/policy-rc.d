#!/bin/sh
# container-labs: there is no init system in a container, so package scripts must
# not start services while an image is built (101 = action forbidden by policy).
exit 101
