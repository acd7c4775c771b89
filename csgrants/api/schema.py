"""OpenAPI details that drf-spectacular cannot see: the token scheme and the problem responses
every operation can give (RFC 9457, application/problem+json)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "Stable error code, e.g. VALIDATION_ERROR, BUDGET_EXHAUSTED.",
        },
        "errors": {
            "type": "array",
            "description": "For invalid input: which field, and what is wrong with it.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "request_id": {"type": "string"},
    },
}

DESCRIPTIONS = {
    400: "Invalid input (`VALIDATION_ERROR` with `errors`, or `MALFORMED_REQUEST`).",
    401: "No or an invalid token.",
    403: "The user's role may not do this.",
    404: "Not found (also another provider's application).",
    406: "Only JSON answers are offered.",
    409: "`TRANSITION_NOT_ALLOWED`, `BUDGET_EXHAUSTED`, `CONFIRMATION_REQUIRED` (the enterprise has not confirmed what the file declares now), or a request with the same Idempotency-Key still running.",
    415: "The body must be application/json.",
    422: "`IDEMPOTENCY_KEY_REUSED`: the Idempotency-Key was used for another request.",
    429: "Too many requests; see Retry-After.",
    500: "Unexpected error; quote `request_id`.",
    503: "The service is not available.",
}


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "csgrants.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; make a key with `manage.py create_api_user`.",
        }


def add_problem_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS: document the problem answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = [400, 401, 403, 404, 406, 429, 500]
            if method in ("post", "put", "patch"):
                codes.append(415)
            if method == "post" and "/applications/" in path:
                codes += [409, 422]
            if method == "patch" and "/applications/" in path:
                codes.append(409)  # a file that is no longer a draft
            if "/statistics/" in path:
                codes.append(503)
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(
                    str(code), {"description": DESCRIPTIONS[code], "content": problem}
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result
