/*
 * src/ivf/quantize.c
 *	  The quantizer interface of the IVF access method: payload sizes,
 *	  training at build time, the parameter blob kept on the parameter
 *	  pages, encoding an entry and estimating its distance to a query.
 *	  quantize_sq8.c and quantize_rabitq.c hold the two quantizers; `none`
 *	  (full float4 vectors) is handled here.
 */
#include "postgres.h"

#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "ivf/ivf.h"

Size
IvfPayloadSize(int kind, int dim)
{
	switch (kind)
	{
		case IVF_QUANTIZER_SQ8:
			return sizeof(float) + dim;
		case IVF_QUANTIZER_RABITQ:
			{
				int			padded = 8;

				while (padded < dim)
					padded *= 2;
				return sizeof(IvfRabitqHeader) + padded / 8;
			}
		default:
			return sizeof(float) * dim;
	}
}

/*
 * A quantizer for a new index, trained on the build sample (sq8) or seeded
 * (rabitq).  Allocated in the current memory context.
 */
IvfQuantizer *
IvfQuantizerCreate(int kind, int dim, int metric, const float *samples, int nsamples)
{
	IvfQuantizer *q = palloc0(sizeof(IvfQuantizer));

	q->kind = kind;
	q->dim = dim;
	q->metric = metric;
	q->payloadSize = IvfPayloadSize(kind, dim);
	if (kind == IVF_QUANTIZER_SQ8)
		IvfSq8Train(q, samples, nsamples);
	else if (kind == IVF_QUANTIZER_RABITQ)
	{
		q->seed = 0x52614269;	/* "RaBi": any fixed value works */
		IvfRabitqInit(q);
	}
	return q;
}

/*
 * The parameters to store on the parameter pages (NULL when none), as a
 * palloc'd blob of *nbytes bytes.
 */
char *
IvfQuantizerParams(IvfQuantizer *q, int *nbytes)
{
	char	   *blob;

	if (q->kind != IVF_QUANTIZER_SQ8)
	{
		*nbytes = 0;
		return NULL;
	}
	*nbytes = 2 * sizeof(float) * q->dim;
	blob = palloc(*nbytes);
	memcpy(blob, q->sqMin, sizeof(float) * q->dim);
	memcpy(blob + sizeof(float) * q->dim, q->sqStep, sizeof(float) * q->dim);
	return blob;
}

/*
 * The quantizer of an existing index, from its metapage copy and parameter
 * pages.  Allocated in the current memory context.
 */
IvfQuantizer *
IvfQuantizerLoad(Relation index, const IvfMetaPageData *meta)
{
	IvfQuantizer *q = palloc0(sizeof(IvfQuantizer));

	q->kind = meta->quantizer;
	q->dim = meta->dimensions;
	q->metric = meta->metric;
	q->payloadSize = IvfPayloadSize(q->kind, q->dim);
	if (q->kind == IVF_QUANTIZER_SQ8)
	{
		char	   *blob = palloc(meta->paramBytes);
		int			copied = 0;

		if (meta->paramBytes != 2 * (int) sizeof(float) * q->dim)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has damaged sq8 parameters", RelationGetRelationName(index)),
					 errhint("REINDEX the index.")));
		for (int p = 0; p < meta->paramPages; p++)
		{
			Buffer		buf = ReadBuffer(index, meta->paramStart + p);
			Page		page;
			int			n;

			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			n = Min(meta->paramBytes - copied, (int) (((PageHeader) page)->pd_lower - SizeOfPageHeaderData));
			memcpy(blob + copied, PageGetContents(page), n);
			copied += n;
			UnlockReleaseBuffer(buf);
		}
		q->sqMin = (float *) blob;
		q->sqStep = (float *) (blob + sizeof(float) * q->dim);
	}
	else if (q->kind == IVF_QUANTIZER_RABITQ)
	{
		q->seed = meta->seed;
		IvfRabitqInit(q);
		if (q->paddedDim != meta->paddedDim)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has damaged rabitq parameters", RelationGetRelationName(index)),
					 errhint("REINDEX the index.")));
	}
	return q;
}

/*
 * The quantizer the leader of a parallel build trained, in a worker: made
 * again from the parameter blob of IvfQuantizerParams (rabitq's rotation
 * comes from its fixed seed).  Allocated in the current memory context.
 */
IvfQuantizer *
IvfQuantizerRestore(int kind, int dim, int metric, const char *params, int nbytes)
{
	IvfQuantizer *q = IvfQuantizerCreate(kind, dim, metric, NULL, 0);

	if (kind == IVF_QUANTIZER_SQ8)
	{
		if (nbytes != 2 * (int) sizeof(float) * dim)
			elog(ERROR, "ivf build: sq8 parameters of %d bytes for %d dimensions", nbytes, dim);
		memcpy(q->sqMin, params, sizeof(float) * dim);
		memcpy(q->sqStep, params + sizeof(float) * dim, sizeof(float) * dim);
	}
	return q;
}

/* encode vec (already normalized if the opclass asks) of list centroid */
void
IvfEncode(IvfQuantizer *q, const float *vec, const float *centroid, char *payload)
{
	switch (q->kind)
	{
		case IVF_QUANTIZER_SQ8:
			IvfSq8Encode(q, vec, payload);
			break;
		case IVF_QUANTIZER_RABITQ:
			IvfRabitqEncode(q, vec, centroid, payload);
			break;
		default:
			memcpy(payload, vec, sizeof(float) * q->dim);
			break;
	}
}

/*
 * Prepare the per-list query state; ql's arrays are palloc'd on first use
 * and reused for later lists of the same scan.
 */
void
IvfQueryListInit(IvfQuantizer *q, const float *query, const float *centroid,
				 IvfQueryList *ql)
{
	if (q->kind == IVF_QUANTIZER_SQ8)
		IvfSq8QueryInit(q, query, ql);
	else if (q->kind == IVF_QUANTIZER_RABITQ)
		IvfRabitqQueryInit(q, query, centroid, ql);
	else
		ql->query = (float *) query;
}

/*
 * Estimated distance of the entry payload (in the AM's internal distance:
 * squared L2 or negative inner product) and a lower bound for it: exact
 * for none, from the stored reconstruction error for sq8, from the RaBitQ
 * error bound for rabitq.
 */
void
IvfEstimate(IvfQuantizer *q, IvfQueryList *ql, const char *payload,
			float *estimate, float *lower)
{
	switch (q->kind)
	{
		case IVF_QUANTIZER_SQ8:
			IvfSq8Estimate(q, ql, payload, estimate, lower);
			break;
		case IVF_QUANTIZER_RABITQ:
			IvfRabitqEstimate(q, ql, payload, estimate, lower);
			break;
		default:
			*estimate = *lower = IvfDistance(q->metric, ql->query,
											 (const float *) payload, q->dim);
			break;
	}
}
