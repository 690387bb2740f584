# newsdesk: tests and benchmarks. Benchmarks write their tables to

SHELL := bash
.SHELLFLAGS := -o pipefail -c
# bench/results/ (see BENCHMARKS.md for what they measure and the goals).

.PHONY: test bench bench-serve bench-ingest bench-scale bench-load

test:
	go test ./...

bench: bench-serve bench-ingest bench-scale bench-load

bench/results:
	mkdir -p bench/results

bench-serve: | bench/results
	bench/serve.sh | tee bench/results/serve.md

bench-ingest: | bench/results
	bench/ingest.sh | tee bench/results/ingest.md

bench-scale: | bench/results
	bench/scale.sh | tee bench/results/scale.md

bench-load: | bench/results
	bench/load.sh | tee bench/results/load.md
