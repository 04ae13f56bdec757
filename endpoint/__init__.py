"""The submission endpoint: a small ASGI service that receives the site's forms,
stores every submission durably, answers with a receipt number, and forwards
it to the committee. See ``endpoint.app`` and docs in ``endpoint/openapi.yaml``.
"""
