# The two commands of the README: `make` (set up, build, generate, audit) and `make test`.
SWIFT ?= swift
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/synthaudit

.PHONY: all deps build data test bench clean

all: deps build data

deps:
	./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product synthaudit

# The default datasets, regenerated from scratch.
data: build
	$(RELEASE_BIN) generate saas --force
	$(RELEASE_BIN) generate creators --force

# Every test: unit tests, end-to-end tests against the release binary.
test: build
	SYNTHAUDIT_BIN=$(RELEASE_BIN) $(SWIFT) test

bench: deps
	./scripts/bench/run.sh

clean:
	rm -rf .build data
