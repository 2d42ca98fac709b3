/*
 * src/vector/bitvec.h
 *	  Bit-vector distances on PostgreSQL's bit type, shared by the SQL
 *	  functions (bitvec.c), the hnsw kernels (bitvec_hnsw.c) and the scalar
 *	  Hamming kernel of hnsw's 1-bit compact copies.
 */
#ifndef VECRAG_BITVEC_H
#define VECRAG_BITVEC_H

#include "postgres.h"

#include "utils/varbit.h"

#include "core/compat.h"

/* bitvec.c: both arguments have the same length (checked by callers) */
extern uint64 BitHammingBytes(const uint8 *a, const uint8 *b, int nbytes);
extern uint64 BitHammingDistance(const VarBit *a, const VarBit *b);
extern double BitJaccardDistance(const VarBit *a, const VarBit *b);

#endif							/* VECRAG_BITVEC_H */
