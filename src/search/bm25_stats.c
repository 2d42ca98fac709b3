/*
 * src/search/bm25_stats.c
 *	  Reading a BM25 index's metadata and corpus statistics: which tables
 *	  hold it, the document count and average length, and a term's document
 *	  frequency, all summed from delta rows under the caller's snapshot (see
 *	  search.h for why deltas).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "funcapi.h"
#include "catalog/pg_class.h"
#include "catalog/pg_am.h"
#include "executor/tuptable.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "search/search.h"

#define BM25_META_NATTS 7

static const char *const meta_columns[BM25_META_NATTS] = {
	"source", "text_column", "id_column", "config", "postings", "terms", "stats"
};

static void CheckOwner(Oid relid, Oid owner, const char *metaname);
static Oid	FindBtree(Oid relid, int nkeys, int natts, const char *metaname);

static void
NotAnIndex(Relation rel)
{
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("\"%s\" is not a vecrag BM25 index", RelationGetRelationName(rel)),
			 errhint("Create one with vecrag.bm25_create_index(table, text_column, id_column).")));
}

/* every table of the index must belong to the source table's owner */
static void
CheckOwner(Oid relid, Oid owner, const char *metaname)
{
	HeapTuple	tuple;
	Oid			relowner;

	/* lock first: a concurrent DROP then either finished or waits for us */
	LockRelationOid(relid, AccessShareLock);
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("BM25 index \"%s\" refers to a relation that no longer exists", metaname),
				 errhint("Drop it with vecrag.bm25_drop_index and create it again.")));
	relowner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	if (relowner != owner)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("BM25 index \"%s\" and its tables must have the same owner as its source table", metaname)));
}

/*
 * A copy of relid's pg_class row, for the one field a caller needs (the
 * owner, the access method, the relfilenode, which TRUNCATE and rewrites
 * change).  The relation must exist.
 */
FormData_pg_class
SearchClassRow(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	FormData_pg_class row;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	row = *(Form_pg_class) GETSTRUCT(tuple);
	ReleaseSysCache(tuple);
	return row;
}

/*
 * The valid btree on relid whose keys are its first nkeys columns (term, or
 * term and id) with natts columns in all.  Found from the catalog rather
 * than stored, so a restored dump (indexes built after the data) works.
 */
static Oid
FindBtree(Oid relid, int nkeys, int natts, const char *metaname)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		Form_pg_index form;
		bool		match;

		if (!HeapTupleIsValid(tuple))
			continue;
		form = (Form_pg_index) GETSTRUCT(tuple);
		match = form->indisvalid && form->indnkeyatts == nkeys && form->indnatts == natts &&
			SearchClassRow(indexoid).relam == BTREE_AM_OID;
		for (int i = 0; match && i < natts; i++)
			match = form->indkey.values[i] == i + 1;
		ReleaseSysCache(tuple);
		if (match)
		{
			found = indexoid;
			break;
		}
	}
	list_free(indexes);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(found))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("BM25 index \"%s\" is missing the btree index of table %s", metaname,
						get_rel_name(relid)),
				 errhint("Drop it with vecrag.bm25_drop_index and create it again.")));
	return found;
}

/*
 * Read the one metadata row of the index named by meta, check that its
 * tables belong together and that the caller may read the source columns.
 * Fields are palloc'd in the current context.
 */
void
Bm25OpenIndex(Oid meta, Bm25Index *index)
{
	Relation	rel;
	TupleDesc	desc;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		found = false;
	Oid			owner;
	const char *cols[2];
	AttrNumber	textatt;
	AttrNumber	idatt;
	char	   *metaname;

	SearchLockRelation(meta, AccessShareLock);
	rel = table_open(meta, AccessShareLock);
	desc = RelationGetDescr(rel);
	owner = rel->rd_rel->relowner;
	metaname = RelationGetRelationName(rel);

	if (rel->rd_rel->relkind != RELKIND_RELATION || desc->natts != BM25_META_NATTS)
		NotAnIndex(rel);
	for (int i = 0; i < BM25_META_NATTS; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), meta_columns[i]) != 0)
			NotAnIndex(rel);

	memset(index, 0, sizeof(Bm25Index));
	index->meta = meta;
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		if (found)
			NotAnIndex(rel);
		found = true;
		slot_getallattrs(slot);
		for (int i = 0; i < BM25_META_NATTS; i++)
			if (slot->tts_isnull[i] && i != 3)
				NotAnIndex(rel);
		index->source = DatumGetObjectId(slot->tts_values[0]);
		index->text_column = pstrdup(NameStr(*DatumGetName(slot->tts_values[1])));
		index->id_column = pstrdup(NameStr(*DatumGetName(slot->tts_values[2])));
		index->config = slot->tts_isnull[3] ? InvalidOid : DatumGetObjectId(slot->tts_values[3]);
		index->postings = DatumGetObjectId(slot->tts_values[4]);
		index->terms = DatumGetObjectId(slot->tts_values[5]);
		index->stats = DatumGetObjectId(slot->tts_values[6]);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	if (!found)
		NotAnIndex(rel);

	CheckOwner(index->source, owner, metaname);
	CheckOwner(index->postings, owner, metaname);
	CheckOwner(index->terms, owner, metaname);
	CheckOwner(index->stats, owner, metaname);
	index->postings_index = FindBtree(index->postings, 2, 4, metaname);
	index->terms_index = FindBtree(index->terms, 1, 1, metaname);

	/*
	 * The columns by attribute number, under their current names (the
	 * metadata row keeps the names given at creation): see bm25_columns.c
	 */
	if (Bm25IndexColumns(meta, index->source, &textatt, &idatt))
	{
		index->text_column = get_attname(index->source, textatt, false);
		index->id_column = get_attname(index->source, idatt, false);
	}
	else
	{
		textatt = get_attnum(index->source, index->text_column);
		idatt = get_attnum(index->source, index->id_column);
	}
	if (textatt == InvalidAttrNumber || idatt == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("BM25 index \"%s\" refers to a column that table %s no longer has", metaname,
						get_rel_name(index->source)),
				 errhint("Drop it with vecrag.bm25_drop_index and create it again.")));
	index->source_is_tsvector = get_atttype(index->source, textatt) == TSVECTOROID;

	cols[0] = index->text_column;
	cols[1] = index->id_column;
	SearchCheckTableAccess(index->source, cols, 2);
	table_close(rel, AccessShareLock);
}

/*
 * The BM25 index on source: its maintenance triggers carry the arguments
 * ('vecrag_bm25', '<qualified metadata table name>').  Errors when there is
 * none or more than one.
 */
Oid
Bm25FindIndex(Oid source)
{
	Relation	rel;
	TriggerDesc *trigdesc;
	Oid			found = InvalidOid;
	const char *resolved = NULL;

	SearchLockRelation(source, AccessShareLock);
	rel = table_open(source, AccessShareLock);
	trigdesc = rel->trigdesc;

	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
	{
		Trigger    *trig = &trigdesc->triggers[i];
		Oid			meta;

		if (trig->tgnargs != 2 || strcmp(trig->tgargs[0], "vecrag_bm25") != 0)
			continue;
		/* an index has seven triggers with the same argument: resolve it once */
		if (resolved != NULL && strcmp(resolved, trig->tgargs[1]) == 0)
			continue;
		resolved = trig->tgargs[1];
		meta = DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(trig->tgargs[1])));
		if (OidIsValid(found) && found != meta)
			ereport(ERROR,
					(errcode(ERRCODE_AMBIGUOUS_PARAMETER),
					 errmsg("table %s has more than one BM25 index", RelationGetRelationName(rel)),
					 errhint("Name the one to use with bm25_index => '...'.")));
		found = meta;
	}
	if (!OidIsValid(found))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table %s has no BM25 index", RelationGetRelationName(rel)),
				 errhint("Create one with vecrag.bm25_create_index('%s', text_column, id_column).",
						 RelationGetRelationName(rel))));
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Whether rel's tuples in slot carry a TID and an inserting transaction
 * that tell versions apart (heap); else no version can be recorded.
 */
static bool
VersionableSlot(Relation rel, TupleTableSlot *slot)
{
	return rel->rd_rel->relam == HEAP_TABLE_AM_OID && TTS_IS_BUFFERTUPLE(slot);
}

/*
 * Append the heap tuple in slot (TID, inserting transaction) to the
 * version rows *rows (*nrows used of *cap, grown by doubling).
 */
static void
AppendVersionRow(Bm25StatsRow **rows, int *nrows, int *cap, TupleTableSlot *slot)
{
	HeapTuple	tuple = ((BufferHeapTupleTableSlot *) slot)->base.tuple;

	if (*nrows == *cap)
	{
		*cap = *cap == 0 ? 4 : *cap * 2;
		*rows = *rows == NULL ? palloc(sizeof(Bm25StatsRow) * *cap)
			: repalloc(*rows, sizeof(Bm25StatsRow) * *cap);
	}
	(*rows)[*nrows].tid = tuple->t_self;
	(*rows)[*nrows].xmin = HeapTupleHeaderGetRawXmin(tuple->t_data);
	(*nrows)++;
}

/*
 * Document count and average document length, summed from the delta rows;
 * with version != NULL also which delta rows the snapshot sees (the
 * postings cache's version, bm25_cache.c).
 */
void
Bm25CorpusStats(Bm25Index *index, Snapshot snapshot, int64 *ndocs, double *avgdl,
				Bm25StatsVersion *version)
{
	Relation	rel = table_open(index->stats, AccessShareLock);
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	int64		n = 0;
	int64		len = 0;
	int			cap = 0;

	if (version != NULL)
	{
		memset(version, 0, sizeof(Bm25StatsVersion));
		version->valid = VersionableSlot(rel, slot);
		version->stats_file = rel->rd_rel->relfilenode;
		version->postings_file = SearchClassRow(index->postings).relfilenode;
		version->terms_file = SearchClassRow(index->terms).relfilenode;
		cap = 16;
		version->rows = palloc(sizeof(Bm25StatsRow) * cap);
	}
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull1,
					isnull2;
		Datum		dn = slot_getattr(slot, 1, &isnull1);
		Datum		dl = slot_getattr(slot, 2, &isnull2);

		CHECK_FOR_INTERRUPTS();
		if (!isnull1)
			n += DatumGetInt64(dn);
		if (!isnull2)
			len += DatumGetInt64(dl);
		if (version != NULL && version->valid)
			AppendVersionRow(&version->rows, &version->nrows, &cap, slot);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	*ndocs = n;
	*avgdl = n > 0 ? (double) len / (double) n : 0.0;
}

/*
 * Document frequency of one term: the sum of its delta rows; with version
 * != NULL also which delta rows the snapshot sees (the postings cache's
 * per-term version, bm25_cache.c), palloc'd in the current context.
 */
int64
Bm25DocumentFrequency(Relation terms, Relation terms_index, Snapshot snapshot,
					  const char *term, int len, Bm25TermVersion *version)
{
	ScanKeyData key;
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(terms, NULL);
	text	   *value = cstring_to_text_with_len(term, len);
	int64		df = 0;
	int			cap = 0;

	if (version != NULL)
	{
		version->nrows = VersionableSlot(terms, slot) ? 0 : -1;
		version->rows = NULL;
	}

	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   C_COLLATION_OID, F_TEXTEQ, PointerGetDatum(value));
	scan = index_beginscan(terms, terms_index, snapshot, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, 2, &isnull);

		CHECK_FOR_INTERRUPTS();
		if (!isnull)
			df += DatumGetInt64(d);
		if (version != NULL && version->nrows >= 0)
			AppendVersionRow(&version->rows, &version->nrows, &cap, slot);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	pfree(value);
	return df;
}

/*
 * vecrag.bm25_index_info(bm25_index regclass) returns (source, text_column,
 * id_column, config, documents, avg_length) as of the caller's snapshot.
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_index_info);
Datum
vecrag_bm25_index_info(PG_FUNCTION_ARGS)
{
	Bm25Index	index;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	int64		ndocs;
	double		avgdl;

	Bm25OpenIndex(PG_GETARG_OID(0), &index);
	Bm25CorpusStats(&index, GetActiveSnapshot(), &ndocs, &avgdl, NULL);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = ObjectIdGetDatum(index.source);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(index.text_column));
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(index.id_column));
	values[3] = ObjectIdGetDatum(index.config);
	nulls[3] = !OidIsValid(index.config);
	values[4] = Int64GetDatum(ndocs);
	values[5] = Float8GetDatum(avgdl);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
