/*
 * src/core/distance.c
 *	  Kernel dispatch: the GUC vecrag.simd and the kernel pointers of
 *	  core/distance.h that it sets.
 *
 *	  "auto" (the default) picks the fastest set the CPU runs; "scalar",
 *	  "avx2" and "avx512" force one, so tests and benchmarks can compare
 *	  paths.  The check hook refuses a set the CPU lacks, with the list of
 *	  those it has.  The pointers are per backend; parallel workers get the
 *	  leader's setting through the usual GUC propagation.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/guc.h"

#include "core/distance.h"

/* values of vecrag.simd; the non-auto ones index VecKernelSets */
#define SIMD_AUTO (-1)

const VecDistanceKernels *const VecKernelSets[] = {
	&VecScalarKernels,
#ifdef VEC_HAVE_X86_KERNELS
	&VecAvx2Kernels,
	&VecAvx512Kernels,
#endif
};
const int	VecNumKernelSets = lengthof(VecKernelSets);

/* every name the GUC accepts, on every platform, so settings carry over */
static const struct config_enum_entry simd_options[] = {
	{"auto", SIMD_AUTO, false},
	{"scalar", 0, false},
	{"avx2", 1, false},
	{"avx512", 2, false},
	{NULL, 0, false}
};

static int	vecrag_simd = SIMD_AUTO;

VecFloatKernel VecL2SquaredDistance;
VecFloatKernel VecInnerProduct;
VecFloatKernel VecL1Distance;
VecDoubleKernel VecCosineSimilarity;
const VecDistanceKernels *VecActiveKernels;

static bool CheckSimd(int *newval, void **extra, GucSource source);
static void AssignSimd(int newval, void *extra);
static const VecDistanceKernels *BestKernels(void);
static void UseKernels(const VecDistanceKernels *kernels);

/*
 * Register vecrag.simd; its assign hook points the kernels at the set it
 * names.  Called once from _PG_init.
 */
void
VecDistanceInit(void)
{
	/* valid pointers before the GUC machinery first calls AssignSimd */
	UseKernels(BestKernels());
	DefineCustomEnumVariable("vecrag.simd",
							 "Chooses the SIMD implementation of the distance kernels.",
							 "\"auto\" uses the fastest one this CPU supports; \"scalar\", "
							 "\"avx2\" and \"avx512\" force one, for testing and benchmarks.",
							 &vecrag_simd,
							 SIMD_AUTO,
							 simd_options,
							 PGC_USERSET,
							 0,
							 CheckSimd,
							 AssignSimd,
							 NULL);
}

static bool
CheckSimd(int *newval, void **extra, GucSource source)
{
	StringInfoData usable;

	if (*newval == SIMD_AUTO ||
		(*newval < VecNumKernelSets && VecKernelSets[*newval]->supported()))
		return true;

	initStringInfo(&usable);
	appendStringInfoString(&usable, "auto");
	for (int i = 0; i < VecNumKernelSets; i++)
		if (VecKernelSets[i]->supported())
			appendStringInfo(&usable, ", %s", VecKernelSets[i]->name);
	GUC_check_errcode(ERRCODE_FEATURE_NOT_SUPPORTED);
	/* simd_options lists auto first, then the sets in VecKernelSets order */
	GUC_check_errdetail("This CPU does not support the \"%s\" kernels.",
						simd_options[*newval + 1].name);
	GUC_check_errhint("Values this server can use: %s.", usable.data);
	pfree(usable.data);
	return false;
}

static void
AssignSimd(int newval, void *extra)
{
	UseKernels(newval == SIMD_AUTO ? BestKernels() : VecKernelSets[newval]);
}

/* the last supported set: VecKernelSets is ordered slowest first */
static const VecDistanceKernels *
BestKernels(void)
{
	for (int i = VecNumKernelSets - 1; i > 0; i--)
		if (VecKernelSets[i]->supported())
			return VecKernelSets[i];
	return &VecScalarKernels;
}

static void
UseKernels(const VecDistanceKernels *kernels)
{
	VecActiveKernels = kernels;
	VecL2SquaredDistance = kernels->l2_squared_distance;
	VecInnerProduct = kernels->inner_product;
	VecL1Distance = kernels->l1_distance;
	VecCosineSimilarity = kernels->cosine_similarity;
}
