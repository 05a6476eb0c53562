"""HTTP edge: FastAPI app, routes, schemas and the web chat page. Nothing in the core imports it."""

from recapqa.api.app import create_app

__all__ = ["create_app"]
