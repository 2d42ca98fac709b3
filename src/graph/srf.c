/*
 * src/graph/srf.c
 *	  Set-returning plumbing shared by the graph functions: a materialized
 *	  result (tuplestore in the query's per-query context) and a row writer
 *	  for functions that return many rows.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "graph/graph.h"

/*
 * Check that the caller accepts a materialized set and return the
 * tuplestore to fill, with the result row descriptor in *tupdesc.
 */
Tuplestorestate *
GraphBeginSRF(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	Tuplestorestate *store;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	*tupdesc = CreateTupleDescCopy(*tupdesc);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = *tupdesc;
	return store;
}

/*
 * A writer of result rows: each row is formed as a minimal tuple in one
 * buffer reused for every row, then copied into the tuplestore (one palloc
 * and one memcpy).  tuplestore_putvalues does the same work through the
 * general heap_form_minimal_tuple, whose size and fill passes were about a
 * fifth of a traversal served from the adjacency cache.  The caller may
 * also build varlena values in the writer's scratch buffer
 * (GraphRowScratch), so arrays need no palloc per row either.
 */
GraphRowWriter *
GraphRowWriterCreate(Tuplestorestate *store, TupleDesc desc)
{
	GraphRowWriter *writer = palloc0(sizeof(GraphRowWriter));
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attlen < 0 && att->attlen != -1)
			elog(ERROR, "graph result column \"%s\" has an unsupported type",
				 NameStr(att->attname));
	}
	writer->store = store;
	writer->desc = desc;
	writer->slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	writer->cap = 1024;
	writer->buf = palloc(writer->cap);
	writer->scratch_cap = 1024;
	writer->scratch = palloc(writer->scratch_cap);
	return writer;
}

/* Room for size bytes of varlena values, valid until the next call. */
char *
GraphRowScratch(GraphRowWriter *writer, Size size)
{
	if (size > writer->scratch_cap)
	{
		writer->scratch_cap = Max(size, 2 * writer->scratch_cap);
		pfree(writer->scratch);
		writer->scratch = palloc(writer->scratch_cap);
	}
	return writer->scratch;
}

/*
 * Append one row.  Varlena values must be plain (not external, not
 * expanded), as the graph functions build them; they are stored with the
 * header they have, so the tuple is the one heap_form_minimal_tuple builds
 * except that it does not shorten 4-byte headers, which every reader of a
 * tuple accepts.
 */
void
GraphRowPut(GraphRowWriter *writer, const Datum *values, const bool *nulls)
{
	TupleDesc	desc = writer->desc;
	int			natts = desc->natts;
	bool		hasnull = false;
	Size		hoff,
				len,
				off;
	MinimalTuple tuple;
	char	   *data;
	bits8	   *bits = NULL;
	uint16		infomask = 0;
	int			i;

	for (i = 0; i < natts; i++)
		hasnull |= nulls[i];
	hoff = SizeofMinimalTupleHeader;
	if (hasnull)
		hoff += BITMAPLEN(natts);
	hoff = MAXALIGN(hoff);

	/* size of the data, aligned as heap_fill_tuple aligns it */
	off = 0;
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (nulls[i])
			continue;
		if (att->attlen == -1)
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(values[i]);

			if (VARATT_IS_EXTERNAL(v))
				elog(ERROR, "graph result value must not be toasted");
			if (!VARATT_IS_SHORT(v))
				off = att_align_nominal(off, att->attalign);
			off += VARSIZE_ANY(v);
		}
		else
		{
			off = att_align_nominal(off, att->attalign);
			off += att->attlen;
		}
	}
	len = hoff + off;
	if (len > writer->cap)
	{
		writer->cap = Max(len, 2 * writer->cap);
		pfree(writer->buf);
		writer->buf = palloc(writer->cap);
	}
	tuple = (MinimalTuple) writer->buf;
	memset(tuple, 0, hoff);
	tuple->t_len = len;
	/* HeapTupleHeaderSetNatts on a zeroed header, without reading it back */
	tuple->t_infomask2 = natts;
	tuple->t_hoff = hoff + MINIMAL_TUPLE_OFFSET;
	if (hasnull)
		bits = tuple->t_bits;

	data = (char *) tuple + hoff;
	off = 0;
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (nulls[i])
		{
			infomask |= HEAP_HASNULL;
			continue;
		}
		if (bits)
			bits[i >> 3] |= (1 << (i & 7));
		if (att->attlen == -1)
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(values[i]);
			Size		size = VARSIZE_ANY(v);

			infomask |= HEAP_HASVARWIDTH;
			if (!VARATT_IS_SHORT(v))
			{
				Size		aligned = att_align_nominal(off, att->attalign);

				memset(data + off, 0, aligned - off);
				off = aligned;
			}
			memcpy(data + off, v, size);
			off += size;
		}
		else
		{
			Size		aligned = att_align_nominal(off, att->attalign);

			memset(data + off, 0, aligned - off);
			off = aligned;
			if (att->attbyval)
				store_att_byval(data + off, values[i], att->attlen);
			else
				memcpy(data + off, DatumGetPointer(values[i]), att->attlen);
			off += att->attlen;
		}
	}
	Assert(hoff + off == len);
	tuple->t_infomask = infomask;
	ExecStoreMinimalTuple(tuple, writer->slot, false);
	tuplestore_puttupleslot(writer->store, writer->slot);
	ExecClearTuple(writer->slot);
}

void
GraphRowWriterFree(GraphRowWriter *writer)
{
	ExecDropSingleTupleTableSlot(writer->slot);
	pfree(writer->buf);
	pfree(writer->scratch);
	pfree(writer);
}
