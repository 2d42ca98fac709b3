/*
 * src/graph/lookup.c
 *	  GraphLookup: find a registered graph by name and read what decides
 *	  whether the adjacency cache may serve this call, all under the
 *	  caller's active snapshot.
 *
 * Every graph call starts here, so the registry and the cache's version
 * and trigger rows are read straight through their indexes (as the
 * catalog code reads catalogs) rather than by an SPI query, whose executor
 * start-up alone cost more than a small traversal.  The snapshot is the
 * caller's, so a registration, version or trigger change is seen exactly
 * when the caller's edge reads see the writes that came with it; cache.c
 * explains why that makes the cache key exact.
 *
 * Each of the three rows (registration, version, cache trigger) is first
 * looked for where this backend last found it: the tuple at that TID is
 * fetched under the caller's snapshot and used when it is visible and
 * still has the key (and, for the trigger, every property) searched for;
 * otherwise the index is searched as before.  The snapshot decides exactly
 * as an index scan would: a registration or version row is unique by its
 * key, so no other row with that key can be visible while the remembered
 * one is.  Of the cache triggers (normally one) the remembered one may be
 * used although the scan would have found another first: any enabled cache
 * trigger row the snapshot sees makes the key exact (cache.c).  This skips
 * three btree descents per call, about a third of the lookup warm and more
 * when a call finds the CPU caches cold.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "graph/graph.h"

/* vecrag.graph_definitions columns */
#define DEF_NATTS 7
#define DEF_NAME 1
#define DEF_EDGE_TABLE 2
#define DEF_SRC 3

/* the cache trigger: BEFORE, statement, INSERT, DELETE, UPDATE, TRUNCATE */
#define CACHE_TRIGGER_TYPE \
	(TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_INSERT | TRIGGER_TYPE_DELETE | \
	 TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_TRUNCATE)

/* where a row was last found: remembered per table and key */
#define MEMO_SIZE 8
#define MEMO_NAME_MAX 128

typedef struct RowMemo
{
	Oid			relid;			/* the table searched (InvalidOid: unused) */
	Oid			key;			/* the graph's edge table, for versions and
								 * triggers */
	char		name[MEMO_NAME_MAX];	/* the graph's name, for definitions */
	ItemPointerData tid;
} RowMemo;

static RowMemo def_memo[MEMO_SIZE];
static RowMemo version_memo[MEMO_SIZE];
static RowMemo trigger_memo[MEMO_SIZE];
static int	memo_next[3];

static HeapTuple FetchByKey(Relation rel, Oid indexoid, Datum key,
							RegProcedure eqproc, Snapshot snapshot);
static HeapTuple FetchRemembered(RowMemo *memo, Relation rel, Oid key,
								 const char *name, Snapshot snapshot);
static void Remember(RowMemo *memo, int *next, Oid relid, Oid key,
					 const char *name, ItemPointer tid);
static bool IsCacheTrigger(HeapTuple tup, TupleDesc desc, Oid relid,
						   Oid funcoid);
static void ReadCacheKey(GraphDef *def, Oid nsp, Snapshot snapshot);

/*
 * The first tuple of rel whose first index column equals key, visible to
 * snapshot, copied into the current context; NULL if none.
 */
static HeapTuple
FetchByKey(Relation rel, Oid indexoid, Datum key, RegProcedure eqproc,
		   Snapshot snapshot)
{
	Relation	index = index_open(indexoid, AccessShareLock);
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tup;

	/* compare as the index does: its collation, not ScanKeyInit's C */
	ScanKeyEntryInitialize(&skey, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], eqproc, key);
	index_close(index, AccessShareLock);
	scan = systable_beginscan(rel, indexoid, true, snapshot, 1, &skey);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	return tup;
}

/* the slot of memo remembering (relid, key, name), or -1 */
static int
MemoFind(const RowMemo *memo, Oid relid, Oid key, const char *name)
{
	for (int i = 0; i < MEMO_SIZE; i++)
		if (memo[i].relid == relid && memo[i].key == key &&
			(name == NULL || strcmp(memo[i].name, name) == 0))
			return i;
	return -1;
}

/*
 * The tuple of rel at the TID remembered under (key, name) in memo, if
 * snapshot sees it, copied into the current context; NULL if nothing is
 * remembered, or the tuple is gone or invisible (the caller checks that it
 * still has the key).  A TID past the end of a table vacuum truncated is
 * not read.
 */
static HeapTuple
FetchRemembered(RowMemo *memo, Relation rel, Oid key, const char *name,
				Snapshot snapshot)
{
	TupleTableSlot *slot;
	HeapTuple	tup = NULL;
	int			i = MemoFind(memo, RelationGetRelid(rel), key, name);

	if (i < 0 ||
		ItemPointerGetBlockNumber(&memo[i].tid) >= RelationGetNumberOfBlocks(rel))
		return NULL;
	slot = table_slot_create(rel, NULL);
	if (table_tuple_fetch_row_version(rel, &memo[i].tid, snapshot, slot))
	{
		bool		should_free;
		HeapTuple	t = ExecFetchSlotHeapTuple(slot, false, &should_free);

		tup = should_free ? t : heap_copytuple(t);
	}
	ExecDropSingleTupleTableSlot(slot);
	return tup;
}

/* Remember tid as where the row of (key, name) in table relid was found. */
static void
Remember(RowMemo *memo, int *next, Oid relid, Oid key, const char *name,
		 ItemPointer tid)
{
	int			i;

	if (name != NULL && strlen(name) >= MEMO_NAME_MAX)
		return;
	i = MemoFind(memo, relid, key, name);
	if (i < 0)
	{
		i = *next;
		*next = (*next + 1) % MEMO_SIZE;
	}
	memo[i].relid = relid;
	memo[i].key = key;
	strlcpy(memo[i].name, name ? name : "", MEMO_NAME_MAX);
	memo[i].tid = *tid;
}

/* Is tup (of pg_trigger) an enabled cache trigger on relid? */
static bool
IsCacheTrigger(HeapTuple tup, TupleDesc desc, Oid relid, Oid funcoid)
{
	Form_pg_trigger trig = (Form_pg_trigger) GETSTRUCT(tup);

	return trig->tgrelid == relid && trig->tgfoid == funcoid &&
		trig->tgenabled == TRIGGER_FIRES_ALWAYS &&
		trig->tgtype == CACHE_TRIGGER_TYPE && trig->tgattr.dim1 == 0 &&
		heap_attisnull(tup, Anum_pg_trigger_tgqual, desc);
}

/*
 * Fill def's cache fields: the table's version row and the xmin of its
 * enabled cache trigger, as snapshot sees them.  The cache stays off when
 * either is missing, when our own transaction wrote either (its edge
 * writes are seen by no other snapshot), or when the table is a logical
 * replication target (apply fires no statement triggers).
 */
static void
ReadCacheKey(GraphDef *def, Oid nsp, Snapshot snapshot)
{
	Oid			versions = get_relname_relid("graph_versions", nsp);
	Oid			funcoid;
	Relation	rel;
	HeapTuple	tup;
	bool		isnull;
	Datum		version;
	TransactionId vxmin;
	TransactionId txmin = InvalidTransactionId;
	ScanKeyData skey;
	SysScanDesc scan;
	CatCList   *subs;
	bool		target;

	def->cacheable = false;
	if (!OidIsValid(versions))
		return;					/* the 0.1.0 SQL: no cache */
	funcoid = LookupFuncName(list_make2(makeString("vecrag"),
										makeString("graph_edges_changed")),
							 0, NULL, true);
	if (!OidIsValid(funcoid))
		return;

	rel = table_open(versions, AccessShareLock);
	if (!OidIsValid(RelationGetPrimaryKeyIndex(rel)))
	{
		table_close(rel, AccessShareLock);
		return;
	}
	tup = FetchRemembered(version_memo, rel, def->relid, NULL, snapshot);
	if (tup != NULL &&
		DatumGetObjectId(heap_getattr(tup, 1, RelationGetDescr(rel), &isnull)) != def->relid)
		tup = NULL;
	if (tup == NULL)
	{
		tup = FetchByKey(rel, RelationGetPrimaryKeyIndex(rel),
						 ObjectIdGetDatum(def->relid), F_OIDEQ, snapshot);
		if (tup == NULL)
		{
			table_close(rel, AccessShareLock);
			return;
		}
		Remember(version_memo, &memo_next[1], versions, def->relid, NULL,
				 &tup->t_self);
	}
	version = heap_getattr(tup, 2, RelationGetDescr(rel), &isnull);
	vxmin = HeapTupleHeaderGetXmin(tup->t_data);
	table_close(rel, AccessShareLock);
	if (isnull || TransactionIdIsCurrentTransactionId(vxmin))
		return;

	/* an enabled cache trigger: the one found last time, else the first */
	rel = table_open(TriggerRelationId, AccessShareLock);
	tup = FetchRemembered(trigger_memo, rel, def->relid, NULL, snapshot);
	if (tup != NULL && IsCacheTrigger(tup, RelationGetDescr(rel), def->relid, funcoid))
		txmin = HeapTupleHeaderGetXmin(tup->t_data);
	else
	{
		ScanKeyInit(&skey, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(def->relid));
		scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, snapshot, 1, &skey);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
			if (IsCacheTrigger(tup, RelationGetDescr(rel), def->relid, funcoid))
			{
				txmin = HeapTupleHeaderGetXmin(tup->t_data);
				Remember(trigger_memo, &memo_next[2], TriggerRelationId,
						 def->relid, NULL, &tup->t_self);
				break;
			}
		systable_endscan(scan);
	}
	table_close(rel, AccessShareLock);
	if (!TransactionIdIsValid(txmin) || TransactionIdIsCurrentTransactionId(txmin))
		return;

	/*
	 * A logical replication target?  Asked of the catalog cache (its key
	 * leads with srrelid, and an empty answer is cached too): no index scan.
	 */
	subs = SearchSysCacheList1(SUBSCRIPTIONRELMAP, ObjectIdGetDatum(def->relid));
	target = subs->n_members > 0;
	ReleaseSysCacheList(subs);
	if (target)
		return;

	def->cacheable = true;
	def->cache_version = DatumGetInt64(version);
	def->cache_trigger_xmin = txmin;
}

/*
 * Look up a registered graph by name and resolve it against the current
 * catalog.  The result is palloc'd in the caller's current context.
 */
GraphDef *
GraphLookup(text *name)
{
	char	   *graphname = text_to_cstring(name);
	Oid			nsp = get_namespace_oid("vecrag", false);
	Oid			defs = get_relname_relid("graph_definitions", nsp);
	Snapshot	snapshot = GetActiveSnapshot();
	Relation	rel;
	HeapTuple	tup;
	char	   *cols[5];
	Oid			relid;
	bool		isnull;
	int			i;
	GraphDef   *def;

	if (!OidIsValid(defs))
		elog(ERROR, "vecrag.graph_definitions does not exist");
	rel = table_open(defs, AccessShareLock);
	if (RelationGetDescr(rel)->natts < DEF_NATTS ||
		!OidIsValid(RelationGetPrimaryKeyIndex(rel)))
		elog(ERROR, "vecrag.graph_definitions is not as the extension created it");
	tup = FetchRemembered(def_memo, rel, InvalidOid, graphname, snapshot);
	if (tup != NULL)
	{
		Datum		d = heap_getattr(tup, DEF_NAME, RelationGetDescr(rel), &isnull);

		if (isnull || strcmp(TextDatumGetCString(d), graphname) != 0)
			tup = NULL;
	}
	if (tup == NULL)
	{
		tup = FetchByKey(rel, RelationGetPrimaryKeyIndex(rel), PointerGetDatum(name),
						 F_TEXTEQ, snapshot);
		if (tup != NULL)
			Remember(def_memo, &memo_next[0], defs, InvalidOid, graphname,
					 &tup->t_self);
	}
	if (tup == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("graph \"%s\" does not exist", graphname),
				 errhint("Register it with vecrag.create_graph; vecrag.graphs lists the registered graphs.")));
	relid = DatumGetObjectId(heap_getattr(tup, DEF_EDGE_TABLE, RelationGetDescr(rel), &isnull));
	for (i = 0; i < 5; i++)
	{
		Datum		d = heap_getattr(tup, DEF_SRC + i, RelationGetDescr(rel), &isnull);

		cols[i] = isnull ? NULL : pstrdup(NameStr(*DatumGetName(d)));
	}
	table_close(rel, AccessShareLock);
	def = GraphResolve(graphname, true, relid, cols[0], cols[1], cols[2], cols[3], cols[4]);

	/*
	 * Row-level security: edges are then read through SPI, so that the
	 * planner applies the policies (rls.c), and never from or into the
	 * shared cache.
	 */
	def->rls = check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED;
	if (!def->rls)
		ReadCacheKey(def, nsp, snapshot);
	return def;
}
