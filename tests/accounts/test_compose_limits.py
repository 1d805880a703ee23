"""The compose file's web server carries the request limits the application enforces."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parent.parent.parent / "docker-compose.yml"


def test_the_web_service_passes_the_body_limit_and_bounds_the_request_head():
    compose = yaml.safe_load(COMPOSE.read_text())
    web = compose["services"]["web"]
    command = " ".join(web["command"])
    assert "--limit-request-line 8190" in command and "--limit-request-field_size 8190" in command
    environment = {**compose["x-app"]["environment"], **web["environment"]}
    assert environment["MAX_REQUEST_BYTES"] == "${MAX_REQUEST_BYTES:-67108864}"
