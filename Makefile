# Makefile: builds vecrag with PGXS against the PostgreSQL that pg_config names.
# test/run is the one command that builds, installs privately and runs every test.

EXTENSION = vecrag
MODULE_big = vecrag
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/*/*.c)))
PG_CPPFLAGS = -I$(srcdir)/src
# POSIX threads: hybrid_search's compute thread (src/core/compute_thread.c)
PG_CFLAGS = -pthread
SHLIB_LINK = -pthread
# sql/vecrag.sql is the live install script, installed as vecrag--<default_version>.sql;
# released install scripts and the upgrade scripts between versions are installed as they are.
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" vecrag.control)
DATA = $(wildcard sql/vecrag--*.sql)
DATA_built = vecrag--$(EXTVERSION).sql

REGRESS = $(sort $(filter-out vecrag vecrag--%,$(notdir $(basename $(wildcard sql/*.sql)))))
REGRESS_OPTS = --load-extension=vecrag
ISOLATION = $(notdir $(basename $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=vecrag
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

EXTRA_CLEAN = build results regression.diffs regression.out tmp_check log output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

vecrag--$(EXTVERSION).sql: sql/vecrag.sql
	cp $< $@

# Every object depends on every header: a changed struct rebuilds all (PGXS
# tracks header dependencies only when PostgreSQL was configured with them).
$(OBJS): $(wildcard src/*.h src/*/*.h)
