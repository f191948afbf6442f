# Entry points of the pack. The README's two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Notebook kernels run in their own folder: the data path must be absolute.
export CNN_COURSE_DATA := $(abspath $(or $(CNN_COURSE_DATA),../shared/data))
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup demo test lint format release validate clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[tf,grading,test]"
	touch $@

# System tools: bubblewrap sandboxes each graded kernel, chromium renders pages in tests.
# Installed only when missing (apt, as root or through sudo); elsewhere, said and skipped.
setup: $(BIN)/.installed  ## create .venv with the package, TensorFlow, nbgrader and test tools
	@if ! command -v bwrap >/dev/null || ! command -v chromium >/dev/null; then \
	  if command -v apt-get >/dev/null; then \
	    sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    $$sudo apt-get update -q && $$sudo apt-get install -y -q bubblewrap chromium; \
	  else \
	    echo "setup: install bubblewrap and chromium with this system's package manager" >&2; \
	  fi; \
	fi

demo: setup  ## the pack's main job: verify data, regenerate the student notebooks, grade the demo class
	$(BIN)/cnn-course data verify
	$(BIN)/cnn-course release
	$(BIN)/cnn-course validate --no-execute
	$(BIN)/cnn-course demo-class build/demo-class
	$(BIN)/cnn-course grade build/demo-class --assignment 02_mnist --out build/demo-grades

# Two test processes (pytest-xdist): most of a test's time is single-threaded start-up
# (Python, TensorFlow, nbgrader, kernels), so two share the two cores well.
test: setup lint  ## lint, then every test except the slow ones (notebooks included)
	$(BIN)/pytest -n 2 --durations=25

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

release: setup
	$(BIN)/cnn-course release

validate: setup
	$(BIN)/cnn-course validate

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
