"""Shared by the reliability suite: servers on 127.0.0.1 over copies of the default corpus
and index, and the one check every error reply must pass."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from live_server import live_server
from recapqa.api import create_app
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from reliability.support import API_KEY, copy_of_default


@pytest.fixture(scope="session")
def rel_settings(
    tmp_path_factory: pytest.TempPathFactory, default_settings: Settings, assistant: Assistant
) -> Settings:
    return copy_of_default(tmp_path_factory.mktemp("reliability"), default_settings)  # `assistant` built it


@pytest.fixture(scope="session")
def server(rel_settings: Settings) -> Iterator[str]:
    with live_server(create_app(rel_settings)) as url:
        yield url


@pytest.fixture(scope="session")
def keyed_server(rel_settings: Settings) -> Iterator[str]:
    with live_server(create_app(rel_settings.model_copy(update={"api_key": API_KEY}))) as url:
        yield url
