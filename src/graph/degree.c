/*
 * src/graph/degree.c
 *	  Counting the edges of many nodes at once by walking the leaf pages of
 *	  a covering btree index: the degrees vecrag.traverse reports for the
 *	  nodes it did not expand.
 *
 * Design note.  A btree scan with key = ANY(ids) descends from the root
 * once per id (PostgreSQL before 17), and the last frontier of a traversal
 * is most of its nodes: counting their degrees that way took more than the
 * traversal itself.  Here the ids are sorted and each leaf page is read
 * once for every id it holds: a descent (_bt_search, as btree's own scans)
 * finds the page of the first id not yet counted, the ids that follow on
 * that page are counted from it, and an id whose entries continue past the
 * page follows the right-link.  Only counts are needed, so nothing is
 * copied but the heap TIDs of matching entries.
 *
 * Results are those of the index scan: the entries of a page are taken
 * under its share lock (the right-link saved with them, as btree does, so
 * a concurrent split moves only entries already seen or invisible to the
 * snapshot), then checked for visibility without it, as index-only scans
 * do: the visibility map's all-visible bit, else the heap tuple.  Entries
 * whose other end (or edge) is NULL, or whose relation the filter rejects,
 * are not counted, as the reader skips them.  Only for an index of
 * integer_ops with ascending NULLS LAST order whose first column is the
 * key and which covers the columns checked (GraphReaderCount decides).
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "core/compat.h"
#include "core/int_datum.h"
#include "graph/graph.h"

/* a matching entry taken from a page: which key, which heap tuple */
typedef struct CountEntry
{
	int32		key;
	ItemPointerData tid;
} CountEntry;

typedef struct CountWalk
{
	const GraphCountSpec *spec;
	TupleDesc	itupdesc;
	Oid			keytype;
	bool		skip_dead;
	CountEntry *entries;
	int			nentries;
	int			capacity;
} CountWalk;

static int64 EntryKey(CountWalk *walk, IndexTuple itup, bool *isnull);
static OffsetNumber FirstAtLeast(CountWalk *walk, Page page, OffsetNumber low,
								 OffsetNumber maxoff, int64 key);
static bool EntryPasses(CountWalk *walk, IndexTuple itup);
static void AddEntry(CountWalk *walk, int32 key, ItemPointer tid);

/* The first (key) column of a leaf entry as int64; NULL sorts last. */
static int64
EntryKey(CountWalk *walk, IndexTuple itup, bool *isnull)
{
	Datum		d = index_getattr(itup, 1, walk->itupdesc, isnull);

	return *isnull ? 0 : IntDatumGetInt64(d, walk->keytype);
}

/* The offset of the first entry of page[low..maxoff] >= key, or maxoff + 1. */
static OffsetNumber
FirstAtLeast(CountWalk *walk, Page page, OffsetNumber low, OffsetNumber maxoff,
			 int64 key)
{
	OffsetNumber high = maxoff + 1;

	while (low < high)
	{
		OffsetNumber mid = low + (high - low) / 2;
		bool		isnull;
		int64		v = EntryKey(walk, (IndexTuple) PageGetItem(page, PageGetItemId(page, mid)), &isnull);

		if (!isnull && v < key)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/* Would the reader return this entry's edge (other end, relation)? */
static bool
EntryPasses(CountWalk *walk, IndexTuple itup)
{
	const GraphCountSpec *spec = walk->spec;
	bool		isnull;
	Datum		d;

	if (spec->check_att != InvalidAttrNumber)
	{
		(void) index_getattr(itup, spec->check_att, walk->itupdesc, &isnull);
		if (isnull)
			return false;
	}
	if (spec->filter == NULL)
		return true;
	d = index_getattr(itup, spec->relation_att, walk->itupdesc, &isnull);
	if (isnull)
		return GraphRelationMatches(spec->filter, NULL, -1);
	else
	{
		struct varlena *t = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
		bool		match = GraphRelationMatches(spec->filter, VARDATA_ANY(t),
												 VARSIZE_ANY_EXHDR(t));

		if ((Pointer) t != DatumGetPointer(d))
			pfree(t);
		return match;
	}
}

static void
AddEntry(CountWalk *walk, int32 key, ItemPointer tid)
{
	if (walk->nentries == walk->capacity)
	{
		walk->capacity *= 2;
		walk->entries = repalloc(walk->entries, sizeof(CountEntry) * walk->capacity);
	}
	walk->entries[walk->nentries].key = key;
	walk->entries[walk->nentries].tid = *tid;
	walk->nentries++;
}

/*
 * Add to counts[i] the number of edges visible to the active snapshot
 * whose key is keys[i]; keys ascending and distinct.
 */
void
GraphIndexCount(const GraphCountSpec *spec, const int64 *keys, int nkeys,
				int32 *counts)
{
	Relation	index = spec->index;
	Relation	heap = spec->heap;
	Snapshot	snapshot = GetActiveSnapshot();
	CountWalk	walk;
	BTScanInsert ikey;
	IndexFetchTableData *fetch;
	TupleTableSlot *slot;
	Buffer		vmbuffer = InvalidBuffer;
	BlockNumber next = InvalidBlockNumber;	/* the page to go on with, or descend */
	int			ki = 0;

	if (nkeys <= 0)
		return;
	walk.spec = spec;
	walk.itupdesc = RelationGetDescr(index);
	walk.keytype = TupleDescAttr(walk.itupdesc, 0)->atttypid;
	walk.skip_dead = !TransactionStartedDuringRecovery();
	walk.capacity = 256;
	walk.nentries = 0;
	walk.entries = palloc(sizeof(CountEntry) * walk.capacity);

	/* the insertion key of a descent: first column = the key, as int8 */
	ikey = palloc0(sizeof(BTScanInsertData));
	_bt_metaversion(index, &ikey->heapkeyspace, &ikey->allequalimage);
	ikey->keysz = 1;
	ScanKeyEntryInitialize(&ikey->scankeys[0], 0, 1, BTEqualStrategyNumber,
						   INT8OID, InvalidOid,
						   get_opfamily_proc(index->rd_opfamily[0],
											 index->rd_opcintype[0], INT8OID,
											 BTORDER_PROC),
						   Int64GetDatum(0));
	fetch = table_index_fetch_begin(heap);
	slot = table_slot_create(heap, NULL);

	while (ki < nkeys)
	{
		Buffer		buf;
		Page		page;
		BTPageOpaque opaque;
		OffsetNumber off,
					maxoff;
		bool		rightmost;
		int64		hikey = 0;
		BlockNumber right;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (next != InvalidBlockNumber)
		{
			/* the entries of keys[ki] continue on the right sibling */
			buf = ReadBuffer(index, next);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			_bt_checkpage(index, buf);
			page = BufferGetPage(buf);
			VecTestForOldSnapshot(snapshot, index, page);
			opaque = (BTPageOpaque) PageGetSpecialPointer(page);
			if (P_IGNORE(opaque))
			{
				/* deleted or half-dead: what it held is further right */
				next = opaque->btpo_next;
				UnlockReleaseBuffer(buf);
				if (next == P_NONE)
					break;
				continue;
			}
			off = P_FIRSTDATAKEY(opaque);
		}
		else
		{
			BTStack		stack;

			ikey->scankeys[0].sk_argument = Int64GetDatum(keys[ki]);
			stack = VecBtSearch(index, heap, ikey, &buf, snapshot);
			_bt_freestack(stack);
			if (!BufferIsValid(buf))
				break;			/* the index is empty */
			page = BufferGetPage(buf);
			opaque = (BTPageOpaque) PageGetSpecialPointer(page);
			off = P_FIRSTDATAKEY(opaque);
		}
		PredicateLockPage(index, BufferGetBlockNumber(buf), snapshot);
		maxoff = PageGetMaxOffsetNumber(page);
		rightmost = P_RIGHTMOST(opaque);
		if (!rightmost)
		{
			bool		isnull;

			hikey = EntryKey(&walk, (IndexTuple) PageGetItem(page, PageGetItemId(page, P_HIKEY)), &isnull);
			if (isnull)
				hikey = PG_INT64_MAX;	/* only NULLs follow: no key is beyond */
		}
		right = opaque->btpo_next;
		next = InvalidBlockNumber;

		/* take the entries of every key this page holds */
		walk.nentries = 0;
		while (ki < nkeys)
		{
			int64		key = keys[ki];

			if (!rightmost && key > hikey)
				break;			/* on a page further right: descend */
			off = FirstAtLeast(&walk, page, off, maxoff, key);
			for (; off <= maxoff; off++)
			{
				ItemId		iid = PageGetItemId(page, off);
				IndexTuple	itup = (IndexTuple) PageGetItem(page, iid);
				bool		isnull;
				int64		v = EntryKey(&walk, itup, &isnull);

				if (isnull || v > key)
					break;
				if (v < key)
					continue;
				if (walk.skip_dead && ItemIdIsDead(iid))
					continue;
				if (!EntryPasses(&walk, itup))
					continue;
				if (BTreeTupleIsPosting(itup))
				{
					int			n = BTreeTupleGetNPosting(itup);

					for (i = 0; i < n; i++)
						AddEntry(&walk, ki, BTreeTupleGetPostingN(itup, i));
				}
				else
					AddEntry(&walk, ki, &itup->t_tid);
			}
			if (off > maxoff && !rightmost && key == hikey)
			{
				next = right;	/* its entries may go on to the right */
				break;
			}
			ki++;
		}
		UnlockReleaseBuffer(buf);

		/* which of them the snapshot sees, as an index-only scan decides */
		for (i = 0; i < walk.nentries; i++)
		{
			ItemPointer tid = &walk.entries[i].tid;
			BlockNumber blk = ItemPointerGetBlockNumber(tid);

			if (VM_ALL_VISIBLE(heap, blk, &vmbuffer))
				PredicateLockPage(heap, blk, snapshot);
			else
			{
				bool		call_again = false;
				bool		all_dead = false;

				if (!table_index_fetch_tuple(fetch, tid, snapshot, slot,
											 &call_again, &all_dead))
					continue;
				ExecClearTuple(slot);
			}
			counts[walk.entries[i].key]++;
		}
	}
	if (BufferIsValid(vmbuffer))
		ReleaseBuffer(vmbuffer);
	ExecDropSingleTupleTableSlot(slot);
	table_index_fetch_end(fetch);
	pfree(walk.entries);
	pfree(ikey);
}
