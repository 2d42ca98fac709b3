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
 * A writer of result rows.  Each row is formed once, straight into the
 * chunk the tuplestore keeps: the writer's slot is a virtual slot whose
 * copy_minimal_tuple forms the row, and tuplestore_puttupleslot asks for
 * that copy in the tuplestore's memory context.  Forming rows in a buffer
 * of our own and handing them to tuplestore_puttuple, which copies them
 * again, cost a palloc, a memcpy and two calls more per row: about half of
 * a row's cost on our side.  tuplestore_putvalues would form the row in
 * place too, but through the general heap_form_minimal_tuple, whose size
 * and fill passes cost more than the copy.  The caller may also build
 * varlena values in the writer's scratch buffer (GraphRowScratch), so
 * arrays need no palloc per row either.
 *
 * Rows without varlena values (traverse with_paths => false) have the same
 * layout as long as the same columns are NULL: that layout is computed
 * once (GraphRowFixedLayout), as the whole row with its values zero, and
 * each such row is then that row copied with its values stored at known
 * offsets (GraphRowPutFixed).  Rows with varlena values reuse the same
 * layout of their header and values while their nulls stay the same.
 */
typedef struct GraphRowSlot
{
	VirtualTupleTableSlot base;
	GraphRowWriter *writer;
} GraphRowSlot;

static TupleTableSlotOps row_slot_ops;
static bool row_slot_ops_ready = false;

static MinimalTuple FormRow(TupleTableSlot *slot);

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
	if (!row_slot_ops_ready)
	{
		/* a virtual slot, but for the copy the tuplestore keeps */
		row_slot_ops = TTSOpsVirtual;
		row_slot_ops.base_slot_size = sizeof(GraphRowSlot);
		row_slot_ops.copy_minimal_tuple = FormRow;
		row_slot_ops_ready = true;
	}
	writer->store = store;
	writer->desc = desc;
	writer->natts = desc->natts;
	writer->slot = MakeSingleTupleTableSlot(desc, &row_slot_ops);
	((GraphRowSlot *) writer->slot)->writer = writer;
	/* never read as a virtual tuple: only its copy is asked for */
	ExecStoreVirtualTuple(writer->slot);
	writer->attlen = palloc(sizeof(int16) * natts);
	writer->attalign = palloc(sizeof(char) * natts);
	writer->attbyval = palloc(sizeof(bool) * natts);
	for (i = 0; i < desc->natts; i++)
	{
		writer->attlen[i] = TupleDescAttr(desc, i)->attlen;
		writer->attalign[i] = TupleDescAttr(desc, i)->attalign;
		writer->attbyval[i] = TupleDescAttr(desc, i)->attbyval;
	}
	writer->scratch_cap = 1024;
	writer->scratch = palloc(writer->scratch_cap);
	writer->layout_nulls = palloc(sizeof(bool) * natts);
	writer->layout_att = palloc(sizeof(int) * natts);
	writer->layout_off = palloc(sizeof(uint32) * natts);
	writer->layout_kind = palloc(sizeof(int16) * natts);
	writer->layout_align = palloc(sizeof(uint8) * natts);
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
 * Compute the layout of rows with these nulls: the header with its null
 * bitmap, and the values that are not NULL with their length and
 * alignment, in column order (for FormVarying).  When none is a varlena,
 * every such row has the same size and offsets: then also the whole row
 * with its values zero and each value's offset, listed 8-byte values
 * first, then 4-byte ones, then the rest (for FormFixed), and return true;
 * false when rows with these nulls vary in size.
 */
bool
GraphRowFixedLayout(GraphRowWriter *writer, const bool *nulls)
{
	int			natts = writer->natts;
	bool		hasnull = false;
	bool		varying = false;
	Size		hoff,
				off = 0;
	MinimalTuple row;
	int			i,
				pass;

	writer->layout_count = 0;
	for (i = 0; i < natts; i++)
	{
		int			j = writer->layout_count;

		if (nulls[i])
		{
			hasnull = true;
			continue;
		}
		if (writer->attlen[i] < 0)
			varying = true;
		writer->layout_att[j] = i;
		writer->layout_kind[j] = writer->attlen[i];
		writer->layout_align[j] = att_align_nominal(1, writer->attalign[i]) - 1;
		writer->layout_count++;
	}
	hoff = SizeofMinimalTupleHeader;
	if (hasnull)
		hoff += BITMAPLEN(natts);
	hoff = MAXALIGN(hoff);
	writer->layout_hoff = hoff;

	/* the header, and for fixed rows the whole row, values zero */
	if (!varying)
	{
		/* the values' offsets, then listed by kind: 8-byte, 4-byte, the rest */
		writer->layout_count = 0;
		writer->layout_n8 = 0;
		writer->layout_n4 = 0;
		for (pass = 0; pass < 3; pass++)
		{
			off = 0;
			for (i = 0; i < natts; i++)
			{
				int16		kind = writer->attlen[i];
				int			j = writer->layout_count;

				if (nulls[i])
					continue;
				off = att_align_nominal(off, writer->attalign[i]);
				/* byval lengths as they are, by-reference ones negated */
				if (!writer->attbyval[i])
					kind = -kind;
				if (pass == (kind == 8 ? 0 : kind == 4 ? 1 : 2))
				{
					writer->layout_att[j] = i;
					writer->layout_kind[j] = kind;
					writer->layout_off[j] = hoff + off;
					writer->layout_count++;
					if (pass == 0)
						writer->layout_n8++;
					else if (pass == 1)
						writer->layout_n4++;
				}
				off += writer->attlen[i];
			}
		}
	}
	writer->layout_len = hoff + off;
	writer->layout_words = MAXALIGN(writer->layout_len) / sizeof(uint64);
	if (writer->layout_row != NULL)
		pfree(writer->layout_row);
	writer->layout_row = palloc0(sizeof(uint64) * Max(writer->layout_words, 1));
	row = (MinimalTuple) writer->layout_row;
	row->t_len = writer->layout_len;
	if (hasnull)
	{
		for (i = 0; i < natts; i++)
			if (!nulls[i])
				row->t_bits[i >> 3] |= (1 << (i & 7));
		row->t_infomask |= HEAP_HASNULL;
	}
	/* HeapTupleHeaderSetNatts on a zeroed header */
	row->t_infomask2 = natts;
	row->t_hoff = hoff + MINIMAL_TUPLE_OFFSET;
	memcpy(writer->layout_nulls, nulls, sizeof(bool) * natts);
	writer->layout_known = true;
	writer->layout_valid = !varying;
	return !varying;
}

/* Append one row whose nulls are those GraphRowFixedLayout was given. */
void
GraphRowPutFixed(GraphRowWriter *writer, const Datum *values)
{
	Assert(writer->layout_valid);
	writer->values = values;
	writer->fixed = true;
	tuplestore_puttupleslot(writer->store, writer->slot);
}

/*
 * The row of GraphRowPutFixed, in the current memory context: the layout's
 * row, then the values at their offsets.
 */
static MinimalTuple
FormFixed(GraphRowWriter *writer)
{
	/* in locals: stores into the row could alias the writer's fields */
	Size		size = sizeof(uint64) * writer->layout_words;
	char	   *row = palloc(size);
	const Datum *values = writer->values;
	const int  *att = writer->layout_att;
	const uint32 *off = writer->layout_off;
	int			n8 = writer->layout_n8,
				n4 = writer->layout_n4,
				count = writer->layout_count;
	int			j;

	memcpy(row, writer->layout_row, size);
	/* values of 8 bytes first, then of 4, then the rest */
	for (j = 0; j < n8; j++)
		store_att_byval(row + off[j], values[att[j]], 8);
	for (; j < n8 + n4; j++)
		store_att_byval(row + off[j], values[att[j]], 4);
	for (; j < count; j++)
	{
		int16		kind = writer->layout_kind[j];

		if (kind > 0)
			store_att_byval(row + off[j], values[att[j]], kind);
		else
			memcpy(row + off[j], DatumGetPointer(values[att[j]]), -kind);
	}
	return (MinimalTuple) row;
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
	if (!writer->layout_known ||
		memcmp(nulls, writer->layout_nulls, sizeof(bool) * writer->natts) != 0)
		GraphRowFixedLayout(writer, nulls);
	writer->values = values;
	writer->fixed = writer->layout_valid;
	tuplestore_puttupleslot(writer->store, writer->slot);
}

/*
 * The row of GraphRowPut with its own size, in the current memory context:
 * the size of the values, aligned as heap_fill_tuple aligns them, then the
 * layout's header and the values, with zeros in the alignment padding.
 */
static MinimalTuple
FormVarying(GraphRowWriter *writer)
{
	const Datum *values = writer->values;
	const int  *att = writer->layout_att;
	const int16 *kind = writer->layout_kind;
	const uint8 *align = writer->layout_align;
	int			count = writer->layout_count;
	Size		hoff = writer->layout_hoff,
				len,
				off;
	MinimalTuple tuple;
	char	   *row;
	uint16		infomask = 0;
	int			j;

	off = hoff;
	for (j = 0; j < count; j++)
	{
		if (kind[j] == -1)
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(values[att[j]]);

			if (VARATT_IS_EXTERNAL(v))
				elog(ERROR, "graph result value must not be toasted");
			if (!VARATT_IS_SHORT(v))
				off = (off + align[j]) & ~(Size) align[j];
			off += VARSIZE_ANY(v);
		}
		else
			off = ((off + align[j]) & ~(Size) align[j]) + kind[j];
	}
	len = off;
	row = palloc(len);
	memcpy(row, writer->layout_row, hoff);

	off = hoff;
	for (j = 0; j < count; j++)
	{
		Datum		value = values[att[j]];

		if (kind[j] == -1)
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(value);
			Size		size = VARSIZE_ANY(v);

			infomask |= HEAP_HASVARWIDTH;
			if (!VARATT_IS_SHORT(v))
				for (; (off & align[j]) != 0; off++)
					row[off] = 0;
			memcpy(row + off, v, size);
			off += size;
			continue;
		}
		for (; (off & align[j]) != 0; off++)
			row[off] = 0;
		if (writer->attbyval[att[j]])
			store_att_byval(row + off, value, kind[j]);
		else
			memcpy(row + off, DatumGetPointer(value), kind[j]);
		off += kind[j];
	}
	Assert(off == len);
	tuple = (MinimalTuple) row;
	tuple->t_len = len;
	tuple->t_infomask |= infomask;
	return tuple;
}

/* The slot's copy_minimal_tuple: the row being put, formed in place. */
static MinimalTuple
FormRow(TupleTableSlot *slot)
{
	GraphRowWriter *writer = ((GraphRowSlot *) slot)->writer;

	return writer->fixed ? FormFixed(writer) : FormVarying(writer);
}

void
GraphRowWriterFree(GraphRowWriter *writer)
{
	ExecDropSingleTupleTableSlot(writer->slot);
	pfree(writer->scratch);
	pfree(writer->attlen);
	pfree(writer->attalign);
	pfree(writer->attbyval);
	pfree(writer->layout_nulls);
	pfree(writer->layout_att);
	pfree(writer->layout_off);
	pfree(writer->layout_kind);
	pfree(writer->layout_align);
	if (writer->layout_row != NULL)
		pfree(writer->layout_row);
	pfree(writer);
}
