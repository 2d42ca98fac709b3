/*
 * src/core/distance.h
 *	  Distance kernels over float4 arrays.  Each is a function pointer that
 *	  VecDistanceInit() points at the fastest implementation the CPU runs
 *	  (AVX-512, AVX2+FMA, or portable scalar code); the GUC vecrag.simd can
 *	  force one for testing and benchmarks.  Every caller (operators, index
 *	  AMs, search) goes through these pointers.
 */
#ifndef VECRAG_DISTANCE_H
#define VECRAG_DISTANCE_H

/* squared Euclidean distance */
extern float (*VecL2SquaredDistance) (const float *a, const float *b, int dim);
/* inner product (not negated) */
extern float (*VecInnerProduct) (const float *a, const float *b, int dim);
/* sum of absolute differences */
extern float (*VecL1Distance) (const float *a, const float *b, int dim);
/* dot(a,b) / (|a| |b|); NaN when either vector is zero */
extern double (*VecCosineSimilarity) (const float *a, const float *b, int dim);

/* distance.c */
extern void VecDistanceInit(void);

#endif							/* VECRAG_DISTANCE_H */
