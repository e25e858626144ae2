# CRM Notebooks — every target works from a fresh clone with Python >= 3.10 and pip.
# Each one calls tools/dev.py, which creates .venv and installs the project first.
PYTHON ?= python3
# Extra arguments for the task, e.g. make lab ARGS="--port 8899 --no-browser"
ARGS ?=

.PHONY: run test lab lab-zh bench setup clean
run:   ## main job: execute every chapter (en + zh), write figures/results, build the site
	$(PYTHON) tools/dev.py run $(ARGS)
test:  ## set up the same way, then run the tests
	$(PYTHON) tools/dev.py test $(ARGS)
lab:   ## JupyterLab on notebooks/ with crmlib importable; make lab ARGS="--port 8899"
	$(PYTHON) tools/dev.py lab $(ARGS)
lab-zh: ## the same with JupyterLab's interface in 中文 (the Chinese edition is notebooks/zh/)
	$(PYTHON) tools/dev.py lab-zh $(ARGS)
bench: ## benchmarks against the reference implementations
	$(PYTHON) tools/dev.py bench $(ARGS)
setup:
	$(PYTHON) tools/dev.py setup
clean:
	rm -rf build
