import io
import json
import logging

from django.http import HttpResponse
from django.test import RequestFactory

from csgrants.ops.logging import JsonFormatter, RequestIdFilter
from csgrants.ops.middleware import RequestIdMiddleware


def capture_logs():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    return stream, handler


def run_request(headers=None):
    stream, handler = capture_logs()
    logging.getLogger().addHandler(handler)
    seen = {}

    def view(request):
        seen["id"] = request.request_id
        logging.getLogger("csgrants.applications").warning("inside", extra={"reference": "CS-1"})
        return HttpResponse("ok", status=201)

    try:
        response = RequestIdMiddleware(view)(RequestFactory().get("/x", headers=headers or {}))
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return response, seen["id"], lines


def test_incoming_request_id_is_kept_and_returned_and_logged():
    response, request_id, lines = run_request({"X-Request-ID": "lb-4711.a"})
    assert request_id == "lb-4711.a"
    assert response["X-Request-ID"] == "lb-4711.a"
    inside = next(line for line in lines if line["message"] == "inside")
    assert inside["request_id"] == "lb-4711.a"
    assert inside["reference"] == "CS-1"
    assert inside["level"] == "WARNING"
    access = next(line for line in lines if line["logger"] == "csgrants.request")
    assert access["status"] == 201
    assert access["method"] == "GET"
    assert access["path"] == "/x"
    assert access["request_id"] == "lb-4711.a"
    assert access["duration_ms"] >= 0


def test_missing_or_unsafe_request_id_is_replaced():
    response, request_id, _ = run_request({"X-Request-ID": "bad id\nwith newline"})
    assert request_id != "bad id\nwith newline"
    assert len(request_id) == 32
    assert response["X-Request-ID"] == request_id
    _, other_id, _ = run_request()
    assert other_id not in (request_id, "-")


def test_log_record_outside_a_request_has_a_dash():
    stream, handler = capture_logs()
    logger = logging.getLogger("csgrants.worker-test")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue().strip())
    assert entry["request_id"] == "-"
    assert "ValueError: boom" in entry["exception"]


def test_full_stack_response_carries_request_id(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    assert response["X-Request-ID"] == "probe-1"
