"""Kubernetes: everything that talks to a cluster or reads what is sent to one.

:mod:`grader.kube.client` connects through the official client (proving the server
answers, every failure one LabError line) and is the one place the ``kubernetes``
package is imported from; :mod:`grader.kube.collect` reads a namespace once, one LIST
per kind, into a :class:`grader.state.kube.KubeState`. The other modules of this folder
say in their docstrings what they do. Importing the package imports none of them.
"""
