"""The web application: the REST API under ``/api/v1`` and the Chinese web pages, one process."""
