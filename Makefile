# SPDX-License-Identifier: Apache-2.0
# Tocsin: one non-recursive Makefile. Objects go to build/<flavor>/, binaries to bin/.
#   make            release build (bin/tocsin-evaluator, bin/tocsin-notifier, bin/tocsin)
#   make test       AddressSanitizer + UBSan build, then every test suite (test/run.sh)
#   make demo       both daemons on loopback with examples/demo configs
#   make bench      benchmarks against the real peers
#   make conformance, make fuzz, make format, make format-check, make install PREFIX=...
# Missing Debian packages are installed automatically when run as root (mk/deps.sh).

.DEFAULT_GOAL := all
SHELL := /bin/bash
PREFIX ?= /usr/local
SAN ?= 0
WERROR ?= -Werror

BUILDROOT ?= build
ifeq ($(SAN),1)
B := $(BUILDROOT)/san
OPT := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
B := $(BUILDROOT)/rel
OPT := -O2 -g
SANFLAGS :=
endif

BUILD_DEPS := build-essential libevent-dev libcurl4-openssl-dev libjansson-dev libyaml-dev \
	libprotobuf-c-dev protobuf-c-compiler libsnappy-dev libpcre2-dev libssl-dev pkg-config
TEST_DEPS := clang libclang-rt-14-dev clang-format curl jq openssl python3 python3-aiosmtpd procps \
	prometheus prometheus-alertmanager

# pkg-config runs when a recipe needs it (recursive variables), i.e. after deps are installed.
PKGS := libevent libevent_pthreads libcurl jansson yaml-0.1 libprotobuf-c libpcre2-8 openssl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lsnappy -lpthread -lm

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
REVISION := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wvla -Wimplicit-fallthrough
CPPFLAGS_ALL = -I. -I$(B)/gen -D_DEFAULT_SOURCE -DTOCSIN_VERSION='"$(VERSION)"' \
	-DTOCSIN_REVISION='"$(REVISION)"' $(PKG_CFLAGS)
CFLAGS_ALL = -std=c17 $(OPT) $(SANFLAGS) $(WARN) $(WERROR) -MMD -MP $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

src = $(shell find $(1) -name '*.c' 2>/dev/null | sort)
COMMON_SRC := $(call src,common)
EVAL_SRC := $(filter-out evaluator/main.c,$(call src,evaluator))
NOTIF_SRC := $(filter-out notifier/main.c,$(call src,notifier))
CLI_SRC := $(filter-out cli/main.c,$(call src,cli))
PROTO_FILES := $(wildcard proto/*.proto)
PROTO_C := $(patsubst %.proto,$(B)/gen/%.pb-c.c,$(PROTO_FILES))
PROTO_H := $(PROTO_C:.c=.h)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC))
EVAL_OBJ := $(call obj,$(EVAL_SRC))
NOTIF_OBJ := $(call obj,$(NOTIF_SRC))
CLI_OBJ := $(call obj,$(CLI_SRC))
PROTO_OBJ := $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(PROTO_C))

# Objects that print the version or revision are rebuilt when either changes (a stamp file that
# is rewritten only when its content differs).
REV_STAMP := $(B)/revision.stamp
$(shell mkdir -p $(B) && (echo '$(VERSION) $(REVISION)' | cmp -s - $(REV_STAMP) 2>/dev/null || \
	echo '$(VERSION) $(REVISION)' >$(REV_STAMP)))
REV_USERS := $(call obj,$(shell grep -rlE 'TOCSIN_(REVISION|VERSION)' common evaluator notifier cli \
	--include=*.c 2>/dev/null))
$(REV_USERS): $(REV_STAMP)

LIB_COMMON := $(B)/lib/libtocsin_common.a
LIB_PROTO := $(B)/lib/libtocsin_proto.a
LIB_EVAL := $(B)/lib/libtocsin_eval.a
LIB_NOTIF := $(B)/lib/libtocsin_notif.a
LIB_CLI := $(B)/lib/libtocsin_cli.a
ALL_LIBS := $(LIB_CLI) $(LIB_EVAL) $(LIB_NOTIF) $(LIB_PROTO) $(LIB_COMMON)

PROGS := tocsin-evaluator tocsin-notifier tocsin
BINS := $(addprefix $(B)/bin/,$(PROGS))

UNIT_SRC := $(call src,test/unit)
UNIT_BINS := $(patsubst %.c,$(B)/%,$(UNIT_SRC))
TOOL_SRC := $(call src,test/conformance) $(call src,test/bench) $(call src,test/tools)
TOOL_BINS := $(patsubst %.c,$(B)/%,$(TOOL_SRC))
FUZZ_SRC := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst test/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_LIBFUZZER := $(patsubst test/fuzz/%.c,build/libfuzzer/%,$(FUZZ_SRC))
HARNESS_OBJ := $(B)/obj/test/harness.o
REPLAY_OBJ := $(B)/obj/test/fuzz/replay.o

DEPS_STAMP := build/.deps-ok
TEST_DEPS_STAMP := build/.test-deps-ok

# keep generated protobuf sources and headers (editors and grep want them)
.SECONDARY: $(PROTO_C) $(PROTO_H)

.PHONY: all test test-build conformance bench demo fuzz install format format-check clean deps
.SUFFIXES:

all: $(BINS)
ifeq ($(SAN),0)
	@mkdir -p bin && for p in $(PROGS); do ln -sf ../$(B)/bin/$$p bin/$$p; done
endif

deps: $(DEPS_STAMP)
$(DEPS_STAMP): mk/deps.sh
	@mk/deps.sh $(BUILD_DEPS)
	@mkdir -p build && touch $@
$(TEST_DEPS_STAMP): mk/deps.sh | $(DEPS_STAMP)
	@mk/deps.sh $(TEST_DEPS)
	@mkdir -p build && touch $@

$(B)/gen/%.pb-c.c $(B)/gen/%.pb-c.h: %.proto | $(DEPS_STAMP)
	@mkdir -p $(B)/gen
	protoc-c --c_out=$(B)/gen $<

$(B)/obj/gen/%.o: $(B)/gen/%.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 $(OPT) $(SANFLAGS) -w $(CPPFLAGS_ALL) -c $< -o $@

$(B)/obj/%.o: %.c | $(DEPS_STAMP) $(PROTO_H)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(B)/lib/%.a:
	@mkdir -p $(dir $@)
	@rm -f $@
	@ar rcs $@ $^ $(if $^,,$(B)/obj/empty.o)

$(LIB_COMMON): $(COMMON_OBJ)
$(LIB_PROTO): $(PROTO_OBJ)
$(LIB_EVAL): $(EVAL_OBJ)
$(LIB_NOTIF): $(NOTIF_OBJ)
$(LIB_CLI): $(CLI_OBJ)
$(ALL_LIBS): | $(B)/obj/empty.o
$(B)/obj/empty.o:
	@mkdir -p $(dir $@)
	echo 'extern int tocsin_empty_unit; int tocsin_empty_unit;' | $(CC) -x c -c - -o $@

LINK = @echo "  LD $@"; $(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)
$(B)/bin/tocsin-evaluator: $(B)/obj/evaluator/main.o $(LIB_EVAL) $(LIB_PROTO) $(LIB_COMMON)
	@mkdir -p $(dir $@)
	$(LINK)
$(B)/bin/tocsin-notifier: $(B)/obj/notifier/main.o $(LIB_NOTIF) $(LIB_COMMON)
	@mkdir -p $(dir $@)
	$(LINK)
$(B)/bin/tocsin: $(B)/obj/cli/main.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)

$(B)/test/%: $(B)/obj/test/%.o $(HARNESS_OBJ) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)
$(B)/fuzz/%: $(B)/obj/test/fuzz/%.o $(REPLAY_OBJ) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(LINK)

test-build: $(BINS) $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_REPLAY)

# make test: sanitizer build of everything, then every suite; closing line "N passed, M failed".
test: $(TEST_DEPS_STAMP)
	@$(MAKE) --no-print-directory SAN=1 test-build
	@test/run.sh $(BUILDROOT)/san

conformance: $(TEST_DEPS_STAMP)
	@$(MAKE) --no-print-directory SAN=0 all $(B)/test/conformance/promql_runner
	@test/run.sh build/rel conformance

bench: $(TEST_DEPS_STAMP)
	@$(MAKE) --no-print-directory SAN=0 all test-build
	@test/bench/run.sh build/rel

demo: all
	@$(MAKE) --no-print-directory SAN=0 $(BUILDROOT)/rel/test/tools/rw_encode >/dev/null
	@examples/demo/run.sh

# Real libFuzzer binaries (clang); `make fuzz FUZZ_TIME=60` runs each for FUZZ_TIME seconds.
FUZZ_TIME ?= 30
build/libfuzzer/%: test/fuzz/%.c $(COMMON_SRC) $(EVAL_SRC) $(NOTIF_SRC) $(CLI_SRC) | $(TEST_DEPS_STAMP) $(PROTO_H)
	@mkdir -p $(dir $@)
	clang -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS_ALL) -w -o $@ $< \
		$(COMMON_SRC) $(EVAL_SRC) $(NOTIF_SRC) $(CLI_SRC) $(PROTO_C) $(PKG_LIBS)
fuzz: $(FUZZ_LIBFUZZER)
	@for f in $(FUZZ_LIBFUZZER); do n=$$(basename $$f); mkdir -p build/fuzz-corpus/$$n; \
		echo "fuzzing $$n for $(FUZZ_TIME)s"; \
		$$f -max_total_time=$(FUZZ_TIME) build/fuzz-corpus/$$n test/fuzz/corpus/$$n || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tocsin
	for p in $(PROGS); do install -m 0755 $(B)/bin/$$p $(DESTDIR)$(PREFIX)/bin/$$p; done
	cp -r examples rules docs $(DESTDIR)$(PREFIX)/share/tocsin/

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check: | $(TEST_DEPS_STAMP)
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
