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
	/*
	 * A function scan passes the row type it expects, built from our OUT
	 * parameters: take it rather than build it again from pg_proc.
	 */
	if (rsinfo->expectedDesc != NULL)
		*tupdesc = rsinfo->expectedDesc;
	else if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
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
 *
 * Rows without varlena values (traverse with_paths => false) have the same
 * layout as long as the same columns are NULL: that layout is computed
 * once (GraphRowFixedLayout) and each such row is then its header copied
 * and its values stored at known offsets (GraphRowPutFixed).
 */
GraphRowWriter *
GraphRowWriterCreate(Tuplestorestate *store, TupleDesc desc)
{
	GraphRowWriter *writer = palloc0(sizeof(GraphRowWriter));
	int			natts = Max(desc->natts, 1);
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
	writer->natts = desc->natts;
	writer->attlen = palloc(sizeof(int16) * natts);
	writer->attalign = palloc(sizeof(char) * natts);
	writer->attbyval = palloc(sizeof(bool) * natts);
	writer->nullbits = palloc(BITMAPLEN(natts));
	for (i = 0; i < desc->natts; i++)
	{
		writer->attlen[i] = TupleDescAttr(desc, i)->attlen;
		writer->attalign[i] = TupleDescAttr(desc, i)->attalign;
		writer->attbyval[i] = TupleDescAttr(desc, i)->attbyval;
	}
	writer->cap = 1024;
	writer->buf = palloc(writer->cap);
	writer->scratch_cap = 1024;
	writer->scratch = palloc(writer->scratch_cap);
	writer->layout_nulls = palloc(sizeof(bool) * natts);
	writer->layout_att = palloc(sizeof(int) * natts);
	writer->layout_off = palloc(sizeof(uint32) * natts);
	writer->layout_head = palloc(MAXALIGN(SizeofMinimalTupleHeader + BITMAPLEN(natts)));
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

/* Make the buffer hold len bytes. */
static inline void
Reserve(GraphRowWriter *writer, Size len)
{
	if (len > writer->cap)
	{
		writer->cap = Max(len, 2 * writer->cap);
		pfree(writer->buf);
		writer->buf = palloc(writer->cap);
	}
}

/*
 * Copy the minimal tuple in the buffer into the tuplestore.  The tuplestore
 * copies heap tuples by their minimal part, as ExecStoreMinimalTuple also
 * presents one, so no slot is needed in between.
 */
static inline void
Put(GraphRowWriter *writer, Size len)
{
	HeapTupleData htup;

	htup.t_len = len + MINIMAL_TUPLE_OFFSET;
	htup.t_data = (HeapTupleHeader) (writer->buf - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&htup.t_self);
	htup.t_tableOid = InvalidOid;
	tuplestore_puttuple(writer->store, &htup);
}

/*
 * Compute the layout of rows with these nulls for GraphRowPutFixed, or
 * return false when a value is a varlena (its size varies from row to
 * row): GraphRowPut then forms every row on its own.
 */
bool
GraphRowFixedLayout(GraphRowWriter *writer, const bool *nulls)
{
	int			natts = writer->natts;
	bool		hasnull = false;
	Size		hoff,
				off = 0;
	MinimalTuple head;
	int			i;

	for (i = 0; i < natts; i++)
	{
		if (nulls[i])
		{
			hasnull = true;
			continue;
		}
		if (writer->attlen[i] < 0)
		{
			/* remember that rows with these nulls have no fixed layout */
			memcpy(writer->layout_nulls, nulls, sizeof(bool) * natts);
			writer->layout_known = true;
			writer->layout_valid = false;
			return false;
		}
	}
	writer->layout_count = 0;
	for (i = 0; i < natts; i++)
	{
		if (nulls[i])
			continue;
		off = att_align_nominal(off, writer->attalign[i]);
		writer->layout_att[writer->layout_count] = i;
		writer->layout_off[writer->layout_count++] = off;
		off += writer->attlen[i];
	}
	hoff = SizeofMinimalTupleHeader;
	if (hasnull)
		hoff += BITMAPLEN(natts);
	hoff = MAXALIGN(hoff);
	head = (MinimalTuple) writer->layout_head;
	memset(head, 0, hoff);
	head->t_len = hoff + off;
	if (hasnull)
	{
		for (i = 0; i < natts; i++)
			if (!nulls[i])
				head->t_bits[i >> 3] |= (1 << (i & 7));
		head->t_infomask |= HEAP_HASNULL;
	}
	/* HeapTupleHeaderSetNatts on a zeroed header */
	head->t_infomask2 = natts;
	head->t_hoff = hoff + MINIMAL_TUPLE_OFFSET;
	writer->layout_hoff = hoff;
	writer->layout_len = hoff + off;
	memcpy(writer->layout_nulls, nulls, sizeof(bool) * natts);
	writer->layout_known = true;
	writer->layout_valid = true;
	Reserve(writer, MAXALIGN(writer->layout_len));
	return true;
}

/* Append one row whose nulls are those GraphRowFixedLayout was given. */
void
GraphRowPutFixed(GraphRowWriter *writer, const Datum *values)
{
	/* in locals: stores through data could alias the writer's fields */
	Size		len = writer->layout_len;
	Size		hoff = writer->layout_hoff;
	char	   *data = writer->buf + hoff;
	int			count = writer->layout_count;
	const int  *att = writer->layout_att;
	const uint32 *off = writer->layout_off;
	const int16 *attlen = writer->attlen;
	const bool *attbyval = writer->attbyval;
	Size		w;
	int			j;

	Assert(writer->layout_valid && writer->cap >= MAXALIGN(len));

	/*
	 * The header, then zeros up to the next MAXALIGN boundary, a word at a
	 * time: rows are a few words, less than a call of memcpy and memset
	 * costs.
	 */
	for (w = 0; w < hoff; w += sizeof(uint64))
		*(uint64 *) (writer->buf + w) = *(const uint64 *) (writer->layout_head + w);
	for (w = 0; w < len - hoff; w += sizeof(uint64))
		*(uint64 *) (data + w) = 0;
	for (j = 0; j < count; j++)
	{
		int			i = att[j];
		char	   *p = data + off[j];

		/* store_att_byval, with the length known to be a byval one */
		if (!attbyval[i])
			memcpy(p, DatumGetPointer(values[i]), attlen[i]);
		else if (attlen[i] == sizeof(Datum))
			memcpy(p, &values[i], sizeof(Datum));
		else
			store_att_byval(p, values[i], attlen[i]);
	}
	Put(writer, len);
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
	int			natts = writer->natts;
	const int16 *attlen = writer->attlen;
	const char *attalign = writer->attalign;
	bits8	   *nullbits = writer->nullbits;
	bool		hasnull = false;
	Size		hoff,
				len,
				off;
	MinimalTuple tuple;
	char	   *data;
	uint16		infomask = 0;
	int			i;

	if (writer->layout_known)
	{
		for (i = 0; i < natts; i++)
			if (nulls[i] != writer->layout_nulls[i])
				break;
		if (i < natts)
			writer->layout_known = false;
	}
	if (writer->layout_known ? writer->layout_valid : GraphRowFixedLayout(writer, nulls))
	{
		GraphRowPutFixed(writer, values);
		return;
	}

	/*
	 * The null bitmap and the size of the data, aligned as heap_fill_tuple
	 * aligns it.  The bitmap is built aside and copied once, not bit by
	 * bit into the freshly zeroed tuple header.
	 */
	off = 0;
	for (i = 0; i < natts; i++)
	{
		if ((i & 7) == 0)
			nullbits[i >> 3] = 0;
		if (nulls[i])
		{
			hasnull = true;
			continue;
		}
		nullbits[i >> 3] |= (1 << (i & 7));
		if (attlen[i] == -1)
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(values[i]);

			if (VARATT_IS_EXTERNAL(v))
				elog(ERROR, "graph result value must not be toasted");
			if (!VARATT_IS_SHORT(v))
				off = att_align_nominal(off, attalign[i]);
			off += VARSIZE_ANY(v);
		}
		else
		{
			off = att_align_nominal(off, attalign[i]);
			off += attlen[i];
		}
	}
	hoff = SizeofMinimalTupleHeader;
	if (hasnull)
		hoff += BITMAPLEN(natts);
	hoff = MAXALIGN(hoff);
	len = hoff + off;
	Reserve(writer, len);
	tuple = (MinimalTuple) writer->buf;
	/* the header and the alignment padding are zeros */
	memset(tuple, 0, len);
	tuple->t_len = len;
	if (hasnull)
	{
		memcpy(tuple->t_bits, nullbits, BITMAPLEN(natts));
		infomask |= HEAP_HASNULL;
	}

	data = (char *) tuple + hoff;
	off = 0;
	for (i = 0; i < natts; i++)
	{
		if (nulls[i])
			continue;
		if (attlen[i] == -1)
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(values[i]);
			Size		size = VARSIZE_ANY(v);

			infomask |= HEAP_HASVARWIDTH;
			if (!VARATT_IS_SHORT(v))
				off = att_align_nominal(off, attalign[i]);
			memcpy(data + off, v, size);
			off += size;
			continue;
		}
		off = att_align_nominal(off, attalign[i]);
		if (writer->attbyval[i])
			store_att_byval(data + off, values[i], attlen[i]);
		else
			memcpy(data + off, DatumGetPointer(values[i]), attlen[i]);
		off += attlen[i];
	}
	Assert(hoff + off == len);
	/* HeapTupleHeaderSetNatts on a zeroed header */
	tuple->t_infomask2 = natts;
	tuple->t_infomask = infomask;
	tuple->t_hoff = hoff + MINIMAL_TUPLE_OFFSET;
	Put(writer, len);
}

void
GraphRowWriterFree(GraphRowWriter *writer)
{
	pfree(writer->buf);
	pfree(writer->scratch);
	pfree(writer->attlen);
	pfree(writer->attalign);
	pfree(writer->attbyval);
	pfree(writer->nullbits);
	pfree(writer->layout_nulls);
	pfree(writer->layout_att);
	pfree(writer->layout_off);
	pfree(writer->layout_head);
	pfree(writer);
}
