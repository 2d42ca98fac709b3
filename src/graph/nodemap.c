/*
 * src/graph/nodemap.c
 *	  A hash map from node id (int64) to a dense int32 index, built on
 *	  lib/simplehash.h in a caller-given memory context: the visited set of
 *	  traversals and the id mapping of the whole-graph algorithms.  Freeing
 *	  the context frees the map, so it costs nothing to reset.
 */
#include "postgres.h"

#include "graph/graph.h"

typedef struct NodeEntry
{
	int64		id;
	int32		index;
	char		status;
} NodeEntry;

/* the 64-bit finalizer of MurmurHash3: every bit of the id affects the hash */
static inline uint32
HashNodeId(int64 id)
{
	uint64		h = (uint64) id;

	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32) h;
}

#define SH_PREFIX		nodehash
#define SH_ELEMENT_TYPE NodeEntry
#define SH_KEY_TYPE		int64
#define SH_KEY			id
#define SH_HASH_KEY(tb, key) HashNodeId(key)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

struct GraphNodeMap
{
	nodehash_hash *hash;
};

/* A map with room for size entries before it grows. */
GraphNodeMap *
GraphNodeMapCreate(MemoryContext cxt, uint32 size)
{
	GraphNodeMap *map = MemoryContextAlloc(cxt, sizeof(GraphNodeMap));

	map->hash = nodehash_create(cxt, Max(size, 16), NULL);
	return map;
}

/* The index of id, or -1 when it is not in the map. */
int32
GraphNodeMapLookup(GraphNodeMap *map, int64 id)
{
	NodeEntry  *entry = nodehash_lookup(map->hash, id);

	return entry ? entry->index : -1;
}

/*
 * Insert id with index unless present; returns the index it has in the map
 * and sets *found when it was already there.
 */
int32
GraphNodeMapInsert(GraphNodeMap *map, int64 id, int32 index, bool *found)
{
	NodeEntry  *entry = nodehash_insert(map->hash, id, found);

	if (!*found)
		entry->index = index;
	return entry->index;
}

uint32
GraphNodeMapCount(GraphNodeMap *map)
{
	return map->hash->members;
}
