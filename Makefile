# The two commands of the README, and the usual developer targets. Each installs what is
# missing (scripts/install-deps) and builds first.
BUILD ?= build
GENERATOR_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=Release
JOBS ?= 2

.PHONY: deps configure build test test-all bench demo clean format

deps:
	@scripts/install-deps

configure: deps
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) $(GENERATOR_FLAGS) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) -LE slow --output-on-failure

test-all: build
	ctest --test-dir $(BUILD) --output-on-failure

bench: deps
	@test -f build-bench/build.ninja || cmake -S . -B build-bench $(GENERATOR_FLAGS) -DRIVULET_BUILD_TESTS=OFF -DRIVULET_BUILD_BENCHMARKS=ON >/dev/null
	@cmake --build build-bench -j $(JOBS)
	build-bench/bench/rivulet_bench --benchmark_min_time=0.2

demo: build
	@examples/demo.sh $(BUILD)/rivulet

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) build-bench
