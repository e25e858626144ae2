# CRM Notebooks — every target works from a fresh clone with Python >= 3.10 and pip.
# Each one calls tools/dev.py, which creates .venv and installs the project first.
PYTHON ?= python3

.PHONY: run test lab bench setup clean
run:   ## main job: execute every chapter (en + zh), write figures/results, build the site
	$(PYTHON) tools/dev.py run
test:  ## set up the same way, then run the tests
	$(PYTHON) tools/dev.py test
lab:   ## JupyterLab on notebooks/ with crmlib importable
	$(PYTHON) tools/dev.py lab
bench: ## benchmarks against the reference implementations
	$(PYTHON) tools/dev.py bench
setup:
	$(PYTHON) tools/dev.py setup
clean:
	rm -rf build
