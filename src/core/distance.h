/*
 * src/core/distance.h
 *	  Distance kernels over float4 arrays.  Each is a function pointer that
 *	  the GUC vecrag.simd points at one kernel set: the fastest the CPU runs
 *	  (AVX-512F, AVX2+FMA, or portable scalar code) under the default "auto",
 *	  or the one it names.  Every caller (operators, index AMs, search) goes
 *	  through these pointers; benchmarks and tests may call a set directly.
 *
 *	  Accuracy: the scalar kernels accumulate in double, so they give the
 *	  exact result rounded once (to float, or to double for cosine).  The
 *	  SIMD kernels accumulate in float across many lanes and agree with the
 *	  scalar ones to about 1e-6 relative on dims up to 16,000.  Where float's
 *	  range is the problem (a partial sum that overflows, a cosine norm in
 *	  subnormal range) they redo the work with the scalar kernel, so every
 *	  set returns the same infinities, NaNs and tiny-vector cosines.
 */
#ifndef VECRAG_DISTANCE_H
#define VECRAG_DISTANCE_H

/* The x86-64 SIMD sets are compiled with per-function target attributes. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VEC_HAVE_X86_KERNELS 1
#endif

typedef float (*VecFloatKernel) (const float *a, const float *b, int dim);
typedef double (*VecDoubleKernel) (const float *a, const float *b, int dim);

/*
 * One implementation of every kernel.  name is the vecrag.simd value that
 * selects it.  supported() tells whether this CPU (and OS) runs it; a set is
 * called only when it returns true.
 */
typedef struct VecDistanceKernels
{
	const char *name;
	const char *description;
	bool		(*supported) (void);
	VecFloatKernel l2_squared_distance;
	VecFloatKernel inner_product;
	VecFloatKernel l1_distance;
	VecDoubleKernel cosine_similarity;
} VecDistanceKernels;

/* squared Euclidean distance */
extern VecFloatKernel VecL2SquaredDistance;
/* inner product (not negated) */
extern VecFloatKernel VecInnerProduct;
/* sum of absolute differences */
extern VecFloatKernel VecL1Distance;
/* dot(a,b) / (|a| |b|); NaN when either vector is zero */
extern VecDoubleKernel VecCosineSimilarity;

/* distance.c: dispatch and the GUC vecrag.simd */
extern const VecDistanceKernels *const VecKernelSets[];
extern const int VecNumKernelSets;
extern const VecDistanceKernels *VecActiveKernels;
extern void VecDistanceInit(void);

/* distance_scalar.c */
extern const VecDistanceKernels VecScalarKernels;

#ifdef VEC_HAVE_X86_KERNELS
/* distance_avx2.c */
extern const VecDistanceKernels VecAvx2Kernels;
/* distance_avx512.c */
extern const VecDistanceKernels VecAvx512Kernels;
#endif

#endif							/* VECRAG_DISTANCE_H */
