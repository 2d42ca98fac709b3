/*
 * src/ivf/handler.c
 *	  The two handlers of the IVF access method: `ivf` (our options and
 *	  ivf.* settings) and `ivfflat` (pgvector's spelling: option lists only,
 *	  ivfflat.* settings).  Both share every callback except options and
 *	  beginscan.
 */
#include "postgres.h"

#include "access/amapi.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "fmgr.h"

#include "ivf/ivf.h"

static void FillRoutine(IndexAmRoutine *amroutine);

char *
ivfbuildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case IVF_PHASE_SAMPLE:
			return "sampling rows";
		case IVF_PHASE_KMEANS:
			return "performing k-means";
		case IVF_PHASE_ASSIGN:
			return "assigning tuples";
		case IVF_PHASE_LOAD:
			return "loading tuples";
		default:
			return NULL;
	}
}

static void
FillRoutine(IndexAmRoutine *amroutine)
{
	amroutine->amstrategies = 0;
	amroutine->amsupport = IVF_NPROCS;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = true;
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = false;
	amroutine->amoptionalkey = true;
	amroutine->amsearcharray = false;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
	amroutine->amcaninclude = false;
	amroutine->amusemaintenanceworkmem = false;
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = ivfbuild;
	amroutine->ambuildempty = ivfbuildempty;
	amroutine->aminsert = ivfinsert;
	amroutine->ambulkdelete = ivfbulkdelete;
	amroutine->amvacuumcleanup = ivfvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amcostestimate = ivfcostestimate;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = ivfbuildphasename;
	amroutine->amvalidate = ivfvalidate;
	VecSetAmAdjustMembers(amroutine, NULL);
	amroutine->amrescan = ivfrescan;
	amroutine->amgettuple = ivfgettuple;
	amroutine->amgetbitmap = NULL;
	amroutine->amendscan = ivfendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;
}

PG_FUNCTION_INFO_V1(ivfhandler);
Datum
ivfhandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	FillRoutine(amroutine);
	amroutine->amoptions = ivfoptions;
	amroutine->ambeginscan = ivfbeginscan;
	PG_RETURN_POINTER(amroutine);
}

PG_FUNCTION_INFO_V1(ivfflathandler);
Datum
ivfflathandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	FillRoutine(amroutine);
	amroutine->amoptions = ivfflatoptions;
	amroutine->ambeginscan = ivfflatbeginscan;
	PG_RETURN_POINTER(amroutine);
}
