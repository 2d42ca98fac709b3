/*
 * src/core/sorted_find.h
 *	  Finding a key in an ascending array of int64 ids by binary search:
 *	  graph node numbering (cache and CSR) and BM25 posting lists share it.
 */
#ifndef VECRAG_SORTED_FIND_H
#define VECRAG_SORTED_FIND_H

#include "postgres.h"

/* the position of key in the ascending array a[0..n), or -1 when absent */
static inline int64
SortedFindInt64(const int64 *a, int64 n, int64 key)
{
	int64		lo = 0;
	int64		hi = n;

	/* the first element >= key is in [lo, hi] (hi = n: none) */
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == key ? lo : -1;
}

#endif							/* VECRAG_SORTED_FIND_H */
