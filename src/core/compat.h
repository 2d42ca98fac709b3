/*
 * src/core/compat.h
 *	  The one place for PG_VERSION_NUM tests, so the rest of vecrag builds
 *	  unchanged on PostgreSQL 13 to 17.
 */
#ifndef VECRAG_COMPAT_H
#define VECRAG_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 130000
#error "vecrag requires PostgreSQL 13 or later"
#endif

/* PostgreSQL 16 moved the varlena macros (SET_VARSIZE, VARDATA, ...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * Index access methods.  aminsert gained indexUnchanged in PostgreSQL 14;
 * tuplesort_begin_* took bool randomAccess before 15 and int sortopt since.
 */
#if PG_VERSION_NUM >= 140000
#define VEC_AMINSERT_INDEX_UNCHANGED_ARG	bool indexUnchanged,
#else
#define VEC_AMINSERT_INDEX_UNCHANGED_ARG
#endif
#if PG_VERSION_NUM >= 150000
#define VEC_TUPLESORT_NONE	TUPLESORT_NONE
#else
#define VEC_TUPLESORT_NONE	false
#endif

/* IndexAmRoutine gained amadjustmembers in PostgreSQL 14 */
#if PG_VERSION_NUM >= 140000
#define VecSetAmAdjustMembers(amroutine, fn)	((amroutine)->amadjustmembers = (fn))
#else
#define VecSetAmAdjustMembers(amroutine, fn)	((void) (amroutine))
#endif

/* strtoi64 (c.h) arrived in PostgreSQL 15 */
#ifndef strtoi64
#define strtoi64(str, endptr, base)	((int64) strtoll((str), (endptr), (base)))
#endif

/*
 * Custom GUC prefixes: MarkGUCPrefixReserved (15+) replaced
 * EmitWarningsOnPlaceholders, which only warns.
 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix)	EmitWarningsOnPlaceholders(prefix)
#endif

/* A relation's current file: rd_node became rd_locator in PostgreSQL 16 */
#if PG_VERSION_NUM >= 160000
#define VecRelFileNumber(rel)	((Oid) (rel)->rd_locator.relNumber)
#else
#define VecRelFileNumber(rel)	((Oid) (rel)->rd_node.relNode)
#endif

/*
 * Pin block blkno of rel's main fork through buffer buf if it still holds
 * that block (ReadRecentBuffer, PostgreSQL 14+; it took a RelFileLocator
 * from 16); false otherwise, and always before 14.
 */
#if PG_VERSION_NUM >= 160000
#define VecReadRecentBuffer(rel, blkno, buf) \
	ReadRecentBuffer((rel)->rd_locator, MAIN_FORKNUM, (blkno), (buf))
#elif PG_VERSION_NUM >= 140000
#define VecReadRecentBuffer(rel, blkno, buf) \
	ReadRecentBuffer((rel)->rd_node, MAIN_FORKNUM, (blkno), (buf))
#else
#define VecReadRecentBuffer(rel, blkno, buf) \
	((void) (rel), (void) (blkno), (void) (buf), false)
#endif

/*
 * btree internals read by the graph's degree counter: _bt_search gained
 * the heap relation in PostgreSQL 16 and lost the snapshot in 17, which
 * dropped old_snapshot_threshold and with it TestForOldSnapshot.  Callers
 * include access/nbtree.h and storage/bufmgr.h.
 */
#if PG_VERSION_NUM >= 170000
#define VecBtSearch(index, heap, key, bufP, snapshot) \
	_bt_search((index), (heap), (key), (bufP), BT_READ)
#elif PG_VERSION_NUM >= 160000
#define VecBtSearch(index, heap, key, bufP, snapshot) \
	_bt_search((index), (heap), (key), (bufP), BT_READ, (snapshot))
#else
#define VecBtSearch(index, heap, key, bufP, snapshot) \
	_bt_search((index), (key), (bufP), BT_READ, (snapshot))
#endif
#if PG_VERSION_NUM >= 170000
#define VecTestForOldSnapshot(snapshot, rel, page)	((void) 0)
#else
#define VecTestForOldSnapshot(snapshot, rel, page) \
	TestForOldSnapshot((snapshot), (rel), (page))
#endif

/*
 * Release the CachedPlan SPI_plan_get_cached_plan returned for a saved
 * plan (held by the current resource owner; a flag before PostgreSQL 14)
 */
#if PG_VERSION_NUM >= 140000
#define VecReleaseSPICachedPlan(cplan)	ReleaseCachedPlan((cplan), CurrentResourceOwner)
#else
#define VecReleaseSPICachedPlan(cplan)	ReleaseCachedPlan((cplan), true)
#endif

#endif							/* VECRAG_COMPAT_H */
