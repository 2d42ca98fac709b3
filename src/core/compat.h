/*
 * src/core/compat.h
 *	  The one place for PG_VERSION_NUM tests, so the rest of vecrag builds
 *	  unchanged on PostgreSQL 13 to 17.
 */
#ifndef VECRAG_COMPAT_H
#define VECRAG_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 130000
#error "vecrag requires PostgreSQL 13 or later"
#endif

#endif							/* VECRAG_COMPAT_H */
