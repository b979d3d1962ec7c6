# The two commands of the README: `make` (set up, build, generate, audit) and `make test`.
SWIFT ?= swift
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/synthaudit

.PHONY: all deps build data golden test bench clean

all: deps build data

deps:
	./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product synthaudit

# The default datasets, regenerated from scratch, and their reports.
data: build
	$(RELEASE_BIN) generate saas --force
	$(RELEASE_BIN) generate creators --force
	$(RELEASE_BIN) audit data/day06_saas_metrics.db --out reports/saas --force
	$(RELEASE_BIN) audit data/creators --out reports/creators --force

# Rewrite the golden reports from the default datasets (review the diff before committing).
golden: data
	$(RELEASE_BIN) audit data/day06_saas_metrics.db --golden golden/saas --update-golden --quiet
	$(RELEASE_BIN) audit data/creators --golden golden/creators --update-golden --quiet

# Every test: unit tests, end-to-end tests against the release binary, and the golden-report
# gate (the end-to-end suite regenerates the default datasets and audits them against golden/).
test: build
	SYNTHAUDIT_BIN=$(RELEASE_BIN) $(SWIFT) test

bench: deps
	./scripts/bench/run.sh

clean:
	rm -rf .build data
