/*
 * src/core/int_datum.h
 *	  An integer column's value (smallint, int or bigint) as int64: node
 *	  ids and integer weights of graph edges, the ids of hybrid_search's
 *	  vector candidates.
 */
#ifndef VECRAG_INT_DATUM_H
#define VECRAG_INT_DATUM_H

#include "postgres.h"

#include "catalog/pg_type.h"

/* d, of type INT8OID, INT4OID or INT2OID, as int64 */
static inline int64
IntDatumGetInt64(Datum d, Oid type)
{
	switch (type)
	{
		case INT8OID:
			return DatumGetInt64(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt16(d);
	}
}

#endif							/* VECRAG_INT_DATUM_H */
