/*
 * src/hnsw/validate.c
 *	  amvalidate for hnsw: checks that an opclass has a distance function
 *	  (support 1, two arguments of the indexed type, float8), optionally a
 *	  norm function (2) and a kernel function (3), and ordering operators
 *	  with strategy 1.  Problems are reported at INFO and make it return false.
 */
#include "postgres.h"

#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "hnsw/hnsw.h"

bool
hnswvalidate(Oid opclassoid)
{
	bool		result = true;
	HeapTuple	classtup;
	Form_pg_opclass classform;
	Oid			opfamilyoid;
	Oid			opcintype;
	CatCList   *proclist;
	CatCList   *oprlist;
	bool		hasDistance = false;
	int			i;

	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);
	opfamilyoid = classform->opcfamily;
	opcintype = classform->opcintype;

	proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(opfamilyoid));
	for (i = 0; i < proclist->n_members; i++)
	{
		Form_pg_amproc procform = (Form_pg_amproc) GETSTRUCT(&proclist->members[i]->tuple);
		bool		ok;

		switch (procform->amprocnum)
		{
			case HNSW_DISTANCE_PROC:
				ok = check_amproc_signature(procform->amproc, FLOAT8OID, false,
											2, 2, opcintype, opcintype);
				hasDistance |= ok;
				break;
			case HNSW_NORM_PROC:
				ok = check_amproc_signature(procform->amproc, FLOAT8OID, false,
											1, 1, opcintype);
				break;
			case HNSW_KERNEL_PROC:
				ok = check_amproc_signature(procform->amproc, INTERNALOID, false,
											1, 1, INTERNALOID);
				break;
			default:
				ereport(INFO,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("hnsw operator family %u contains function %u with invalid support number %d",
								opfamilyoid, procform->amproc, procform->amprocnum)));
				result = false;
				continue;
		}
		if (!ok)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator family %u contains function %u with wrong signature for support number %d",
							opfamilyoid, procform->amproc, procform->amprocnum)));
			result = false;
		}
	}
	ReleaseSysCacheList(proclist);

	if (!hasDistance)
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("hnsw operator class %u is missing its distance function", opclassoid)));
		result = false;
	}

	oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(opfamilyoid));
	for (i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop oprform = (Form_pg_amop) GETSTRUCT(&oprlist->members[i]->tuple);

		if (oprform->amopstrategy != 1 || oprform->amoppurpose != AMOP_ORDER)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("hnsw operator family %u contains operator %u that is not an ordering operator with strategy 1",
							opfamilyoid, oprform->amopopr)));
			result = false;
		}
	}
	ReleaseSysCacheList(oprlist);
	ReleaseSysCache(classtup);

	return result;
}
