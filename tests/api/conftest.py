from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from live_server import live_server
from recapqa.api import create_app
from recapqa.pipeline import Assistant
from recapqa.settings import Settings


@pytest.fixture(scope="session")
def api_settings(default_settings: Settings, assistant: Assistant) -> Settings:
    return default_settings  # `assistant` has built the index


@pytest.fixture(scope="session")
def client(api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server_url(api_settings: Settings) -> Iterator[str]:
    with live_server(create_app(api_settings)) as url:
        yield url
