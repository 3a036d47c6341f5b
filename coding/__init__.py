"""Coding-round workspace: test suites for coding questions and a sandbox that runs
candidate code against them.

``coding.suites`` reads ``rubrics/code/<question-id>/``; ``coding.sandbox`` runs a solution in
a separate, namespaced, resource-limited process (``coding.launcher`` + ``coding.harness``) and
returns a ``coding.result.CodeRunResult``. See docs/sandbox.md.
"""
