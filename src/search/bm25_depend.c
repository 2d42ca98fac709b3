/*
 * src/search/bm25_depend.c
 *	  vecrag.bm25_record_dependencies: tie a BM25 index's side objects to
 *	  its source table and to the extension in pg_depend, so that
 *
 *	  - DROP TABLE of the source drops the index (metadata table 'a' on the
 *		source; the _postings, _terms and _stats tables and the maintenance
 *		function 'a' on the metadata table), like a btree index;
 *	  - DROP TABLE of the metadata table drops the whole index (the
 *		triggers depend 'a' on it too);
 *	  - DROP TABLE of one of the three side tables is refused without
 *		CASCADE (the maintenance function depends 'n' on each), and with
 *		CASCADE removes the function and its triggers, so the source table
 *		stays writable and bm25_drop_index cleans up the rest;
 *	  - DROP EXTENSION vecrag is refused while BM25 indexes exist (their
 *		metadata tables depend 'n' on the extension) and with CASCADE drops
 *		them;
 *	  - DROP COLUMN and ALTER COLUMN ... TYPE of the indexed text or id
 *		column are refused (the triggers depend 'n' on both columns, as a
 *		column-list trigger's do); DROP COLUMN ... CASCADE removes the
 *		triggers, so the table stays writable, and bm25_search then says
 *		the index refers to a missing column.
 *
 *	  pg_dump does not carry such records, so a restored index gets them
 *	  again from its maintenance function at its first write (or from a call
 *	  to this function); so does a maintenance function made again after a
 *	  column rename (CREATE OR REPLACE FUNCTION drops its records).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "search/search.h"

/* the four statement and three replica row triggers of an index */
#define BM25_TRIGGERS	7

/* whether meta already depends on a table (its source) with deptype 'a' */
static bool
HasSourceDependency(Oid meta)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	ScanKeyInit(&keys[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(meta));
	scan = systable_beginscan(depend, DependDependerIndexId, true, NULL, 2, keys);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->refclassid == RelationRelationId && dep->deptype == DEPENDENCY_AUTO)
		{
			found = true;
			break;
		}
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return found;
}

/*
 * whether a function (the maintenance function) depends on meta with
 * deptype 'a': CREATE OR REPLACE FUNCTION, which makes it again after a
 * column rename, drops its dependencies
 */
static bool
HasFunctionDependency(Oid meta)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	ScanKeyInit(&keys[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(meta));
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 2, keys);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->classid == ProcedureRelationId && dep->deptype == DEPENDENCY_AUTO)
		{
			found = true;
			break;
		}
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return found;
}

/*
 * The maintenance function of index meta and its triggers on the source
 * (up to 7); returns the number of triggers.
 */
static int
IndexTriggers(Oid meta, Oid source, Oid *function, Oid *triggers)
{
	Relation	rel = table_open(source, AccessShareLock);
	TriggerDesc *trigdesc = rel->trigdesc;
	int			n = 0;

	*function = InvalidOid;
	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers && n < BM25_TRIGGERS; i++)
	{
		Trigger    *trig = &trigdesc->triggers[i];

		if (trig->tgnargs == 2 && strcmp(trig->tgargs[0], "vecrag_bm25") == 0 &&
			DatumGetObjectId(DirectFunctionCall1(regclassin, CStringGetDatum(trig->tgargs[1]))) == meta)
		{
			*function = trig->tgfoid;
			triggers[n++] = trig->tgoid;
		}
	}
	table_close(rel, AccessShareLock);
	return n;
}

/* (re)record one dependency of the given type */
static void
Depend(Oid classid, Oid objid, Oid refclassid, Oid refobjid, DependencyType type)
{
	ObjectAddress depender;
	ObjectAddress referenced;

	deleteDependencyRecordsForSpecific(classid, objid, type, refclassid, refobjid);
	ObjectAddressSet(depender, classid, objid);
	ObjectAddressSet(referenced, refclassid, refobjid);
	recordDependencyOn(&depender, &referenced, type);
}

/* (re)record that object depends 'n' on columns of rel */
static void
DependOnColumns(Oid classid, Oid objid, Oid rel, const AttrNumber *attnums, int n)
{
	ObjectAddress depender;

	deleteDependencyRecordsForSpecific(classid, objid, DEPENDENCY_NORMAL, RelationRelationId, rel);
	ObjectAddressSet(depender, classid, objid);
	for (int i = 0; i < n; i++)
	{
		ObjectAddress referenced;

		ObjectAddressSubSet(referenced, RelationRelationId, rel, attnums[i]);
		recordDependencyOn(&depender, &referenced, DEPENDENCY_NORMAL);
	}
}

/*
 * vecrag.bm25_record_dependencies(bm25_index regclass) returns void.
 * Idempotent; cheap when the records exist (two pg_depend lookups).
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_record_dependencies);
Datum
vecrag_bm25_record_dependencies(PG_FUNCTION_ARGS)
{
	Oid			meta = PG_GETARG_OID(0);
	Bm25Index	index;
	Oid			owner;
	Oid			function;
	Oid			extension;
	Oid			parts[3];
	Oid			triggers[BM25_TRIGGERS];
	int			ntriggers;
	AttrNumber	columns[2];

	SearchLockRelation(meta, AccessShareLock);
	if (HasSourceDependency(meta) && HasFunctionDependency(meta))
		PG_RETURN_VOID();
	Bm25OpenIndex(meta, &index);
	owner = SearchClassRow(meta).relowner;
	if (!has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of BM25 index %s", get_rel_name(meta))));

	parts[0] = index.postings;
	parts[1] = index.terms;
	parts[2] = index.stats;
	Depend(RelationRelationId, meta, RelationRelationId, index.source, DEPENDENCY_AUTO);
	for (int i = 0; i < lengthof(parts); i++)
		Depend(RelationRelationId, parts[i], RelationRelationId, meta, DEPENDENCY_AUTO);
	ntriggers = IndexTriggers(meta, index.source, &function, triggers);
	columns[0] = get_attnum(index.source, index.text_column);
	columns[1] = get_attnum(index.source, index.id_column);
	for (int i = 0; i < ntriggers; i++)
	{
		Depend(TriggerRelationId, triggers[i], RelationRelationId, meta, DEPENDENCY_AUTO);
		DependOnColumns(TriggerRelationId, triggers[i], index.source, columns, lengthof(columns));
	}
	if (OidIsValid(function))
	{
		Depend(ProcedureRelationId, function, RelationRelationId, meta, DEPENDENCY_AUTO);
		for (int i = 0; i < lengthof(parts); i++)
			Depend(ProcedureRelationId, function, RelationRelationId, parts[i], DEPENDENCY_NORMAL);
	}
	extension = get_extension_oid("vecrag", true);
	if (OidIsValid(extension))
		Depend(RelationRelationId, meta, ExtensionRelationId, extension, DEPENDENCY_NORMAL);
	PG_RETURN_VOID();
}
