"""The REST API under /api/v1: schedules, runs and files for other systems, with per-token scopes.

Routes are declared once (routes.Route, registered by the handler modules' decorators); the
dispatcher (app.py) checks the token before reading a body, and the OpenAPI document (openapi.py)
is produced from the same table and pydantic models.
"""
