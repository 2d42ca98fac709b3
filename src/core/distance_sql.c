/*
 * src/core/distance_sql.c
 *	  vecrag.simd_kernels(): which distance kernel sets this server has,
 *	  which of them the CPU runs, and which one vecrag.simd has chosen.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "core/distance.h"

/*
 * One row per kernel set, slowest first: kernel (the vecrag.simd value that
 * forces it), supported (this CPU runs it), active (the distance operators
 * of this session use it) and description.
 */
PG_FUNCTION_INFO_V1(vecrag_simd_kernels);
Datum
vecrag_simd_kernels(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	const VecDistanceKernels *kernels;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcontext;
		TupleDesc	tupdesc;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcontext = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		funcctx->tuple_desc = BlessTupleDesc(tupdesc);
		funcctx->max_calls = VecNumKernelSets;
		MemoryContextSwitchTo(oldcontext);
	}

	funcctx = SRF_PERCALL_SETUP();
	if (funcctx->call_cntr >= funcctx->max_calls)
		SRF_RETURN_DONE(funcctx);

	kernels = VecKernelSets[funcctx->call_cntr];
	values[0] = CStringGetTextDatum(kernels->name);
	values[1] = BoolGetDatum(kernels->supported());
	values[2] = BoolGetDatum(kernels == VecActiveKernels);
	values[3] = CStringGetTextDatum(kernels->description);
	SRF_RETURN_NEXT(funcctx,
					HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
}
