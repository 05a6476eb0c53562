from pathlib import Path

import pytest
from pydantic import ValidationError

from recapqa.settings import Settings


def test_environment_variables_configure_every_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECAPQA_CORPUS_DIR", str(tmp_path / "notes"))
    monkeypatch.setenv("RECAPQA_TOP_K", "9")
    monkeypatch.setenv("RECAPQA_MODE", "extractive")
    monkeypatch.setenv("RECAPQA_CORS_ORIGINS", '["http://localhost:3000"]')
    settings = Settings()
    assert settings.corpus_dir == tmp_path / "notes"
    assert (settings.top_k, settings.mode) == (9, "extractive")
    assert settings.cors_origins == ["http://localhost:3000"]
    assert not settings.llm_configured


def test_openai_variables_are_honoured_but_recapqa_ones_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    settings = Settings()
    assert settings.llm_configured and settings.llm_base_url == "http://127.0.0.1:9/v1"
    assert settings.llm_api_key == "sk-openai"
    monkeypatch.setenv("RECAPQA_LLM_BASE_URL", "http://127.0.0.1:8/v1")
    assert Settings().llm_base_url == "http://127.0.0.1:8/v1"


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECAPQA_TOP_K", "0")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("RECAPQA_TOP_K", "5")
    monkeypatch.setenv("RECAPQA_MODE", "psychic")
    with pytest.raises(ValidationError):
        Settings()
