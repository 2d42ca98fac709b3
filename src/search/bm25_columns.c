/*
 * src/search/bm25_columns.c
 *	  Which columns of its source table a BM25 index covers, by attribute
 *	  number rather than by name, so that the index follows ALTER TABLE ...
 *	  RENAME COLUMN as PostgreSQL's own indexes do; and the row accessors
 *	  through which its maintenance function reads those columns in the
 *	  one statement after a rename that finds it still naming the old
 *	  columns (it then makes itself again under the new names).
 *
 *	  The index's _apply_update row trigger is declared AFTER UPDATE OF
 *	  <text column>, <id column>: its tgattr holds the two attribute
 *	  numbers, in that order, which a rename leaves alone and which pg_dump
 *	  prints as the current names (so a restore, where dropped columns no
 *	  longer take attribute numbers, resolves them again).  The metadata
 *	  table's text_column and id_column (the names at creation or at the
 *	  last remake of the maintenance function) serve only an index whose
 *	  trigger is gone (dropped by hand, or with a column dropped with
 *	  CASCADE, or one created under 0.1.0 that ALTER EXTENSION UPDATE could
 *	  not convert).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

#include "search/search.h"

/* whether trigger argument arg (a qualified table name) names meta */
static bool
NamesRelation(const char *arg, Oid meta)
{
	List	   *names = textToQualifiedNameList(cstring_to_text(arg));

	return RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true) == meta;
}

/*
 * The attribute numbers of the text and id columns of index meta on
 * source, from its _apply_update trigger; false when it has none.
 */
bool
Bm25IndexColumns(Oid meta, Oid source, AttrNumber *textatt, AttrNumber *idatt)
{
	Relation	rel = table_open(source, AccessShareLock);
	TriggerDesc *trigdesc = rel->trigdesc;
	bool		found = false;

	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
	{
		Trigger    *trig = &trigdesc->triggers[i];

		if (trig->tgnargs == 2 && trig->tgnattr == 2 &&
			TRIGGER_FOR_ROW(trig->tgtype) && TRIGGER_FOR_UPDATE(trig->tgtype) &&
			strcmp(trig->tgargs[0], "vecrag_bm25") == 0 && NamesRelation(trig->tgargs[1], meta))
		{
			*textatt = trig->tgattr[0];
			*idatt = trig->tgattr[1];
			found = true;
			break;
		}
	}
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * vecrag.bm25_index_columns(source regclass, bm25_index regclass) returns
 * int2[]: {text column, id column} by attribute number, for the
 * maintenance function.
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_index_columns);
Datum
vecrag_bm25_index_columns(PG_FUNCTION_ARGS)
{
	Oid			source = PG_GETARG_OID(0);
	Oid			meta = PG_GETARG_OID(1);
	AttrNumber	textatt;
	AttrNumber	idatt;
	Datum		elems[2];

	SearchLockRelation(source, AccessShareLock);
	if (!Bm25IndexColumns(meta, source, &textatt, &idatt))
	{
		/* the trigger was dropped: by the names given at creation */
		Bm25Index	index;

		Bm25OpenIndex(meta, &index);
		textatt = get_attnum(index.source, index.text_column);
		idatt = get_attnum(index.source, index.id_column);
	}
	elems[0] = Int16GetDatum(textatt);
	elems[1] = Int16GetDatum(idatt);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, 2, INT2OID, sizeof(int16), true, TYPALIGN_SHORT));
}

/*
 * vecrag.bm25_index_column_names(source regclass, bm25_index regclass)
 * returns name[]: {text column, id column} under their current names; the
 * maintenance function compares them with the names it was made with.
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_index_column_names);
Datum
vecrag_bm25_index_column_names(PG_FUNCTION_ARGS)
{
	Oid			source = PG_GETARG_OID(0);
	Oid			meta = PG_GETARG_OID(1);
	AttrNumber	textatt;
	AttrNumber	idatt;
	Datum		elems[2];

	SearchLockRelation(source, AccessShareLock);
	if (Bm25IndexColumns(meta, source, &textatt, &idatt))
	{
		elems[0] = DirectFunctionCall1(namein, CStringGetDatum(get_attname(source, textatt, false)));
		elems[1] = DirectFunctionCall1(namein, CStringGetDatum(get_attname(source, idatt, false)));
	}
	else
	{
		Bm25Index	index;

		Bm25OpenIndex(meta, &index);
		elems[0] = DirectFunctionCall1(namein, CStringGetDatum(index.text_column));
		elems[1] = DirectFunctionCall1(namein, CStringGetDatum(index.id_column));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, 2, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR));
}

/*
 * Column attnum of the row in argument 0 (a table row: NEW, OLD or a
 * transition table's), which must have one of the types in types.
 */
static Datum
RowColumn(FunctionCallInfo fcinfo, const Oid *types, int ntypes, const char *what, bool *isnull,
		  Oid *type)
{
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(0);
	AttrNumber	attnum = PG_GETARG_INT16(1);
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(row),
											  HeapTupleHeaderGetTypMod(row));
	HeapTupleData tuple;
	Form_pg_attribute attr;
	bool		typeok = false;
	Datum		value;

	if (attnum < 1 || attnum > desc->natts || TupleDescAttr(desc, attnum - 1)->attisdropped)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("row has no column %d", attnum)));
	attr = TupleDescAttr(desc, attnum - 1);
	for (int i = 0; i < ntypes; i++)
		typeok |= attr->atttypid == types[i];
	if (!typeok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column %d (\"%s\") of the row has type %s, not %s", attnum,
						NameStr(attr->attname), format_type_be(attr->atttypid), what)));
	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	value = heap_getattr(&tuple, attnum, desc, isnull);
	*type = attr->atttypid;
	ReleaseTupleDesc(desc);
	return value;
}

/* vecrag.bm25_row_id(row record, id_column int2) returns bigint */
PG_FUNCTION_INFO_V1(vecrag_bm25_row_id);
Datum
vecrag_bm25_row_id(PG_FUNCTION_ARGS)
{
	static const Oid types[] = {INT2OID, INT4OID, INT8OID};
	bool		isnull;
	Oid			type;
	Datum		value = RowColumn(fcinfo, types, lengthof(types), "smallint, integer or bigint", &isnull,
								  &type);

	if (isnull)
		PG_RETURN_NULL();
	if (type == INT2OID)
		PG_RETURN_INT64(DatumGetInt16(value));
	if (type == INT4OID)
		PG_RETURN_INT64(DatumGetInt32(value));
	PG_RETURN_DATUM(value);
}

/* vecrag.bm25_row_text(row record, text_column int2) returns text */
PG_FUNCTION_INFO_V1(vecrag_bm25_row_text);
Datum
vecrag_bm25_row_text(PG_FUNCTION_ARGS)
{
	static const Oid types[] = {TEXTOID, VARCHAROID};
	bool		isnull;
	Oid			type;
	Datum		value = RowColumn(fcinfo, types, lengthof(types), "text or character varying", &isnull,
								  &type);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}

/* vecrag.bm25_row_tsvector(row record, text_column int2) returns tsvector */
PG_FUNCTION_INFO_V1(vecrag_bm25_row_tsvector);
Datum
vecrag_bm25_row_tsvector(PG_FUNCTION_ARGS)
{
	static const Oid types[] = {TSVECTOROID};
	bool		isnull;
	Oid			type;
	Datum		value = RowColumn(fcinfo, types, lengthof(types), "tsvector", &isnull, &type);

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}
