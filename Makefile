# mailmold — see README.md. `make run` starts the main job on the bundled workspace;
# `make test` runs every test; `make bench` the benchmarks; `make fuzz` every fuzz target.
GO        ?= go
BIN       := bin/mailmold
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
PKGS      := ./...

.PHONY: run build test test-race bench fuzz vet clean

build:
	$(GO) build -o $(BIN) ./cmd/mailmold

run: build
	./$(BIN) preview

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

test-race:
	$(GO) test -race -count=1 ./engine/... ./cmd/... ./preview/...

bench:
	$(GO) test -run=NONE -bench=. -benchmem -benchtime=$(BENCHTIME) $(PKGS)

# fuzz runs every fuzz target for FUZZTIME each (go test allows one target per run); see
# .ci/fuzz-one for the one Go toolchain flake it does not count as a finding.
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    .ci/fuzz-one $$pkg $$f $(FUZZTIME); \
	  done; \
	done

vet:
	$(GO) vet $(PKGS)

clean:
	rm -rf bin
