/*
 * src/hnsw/compact.c
 *	  Compact copies of wide vectors: what an hnsw element holds when the
 *	  column's full value does not fit on a page (vector beyond 2,000
 *	  dimensions, halfvec beyond 4,000; both up to 16,000), and the distance
 *	  kernels the graph is built and searched with over them.
 *
 * Design note
 * -----------
 * The storage is chosen once, at build, from the column's dimensions and
 * kept in the metapage: the first of half precision (2 bytes a dimension,
 * up to about 4,050 dimensions), 8-bit scalar quantization (1 byte, up to
 * about 8,100) and 1-bit codes (1/8 byte, 16,000 dimensions in 2,000
 * bytes) whose element tuple fits a page.  Every value (a row's or a
 * query's) is prepared exactly as for a full index (detoasted, checked,
 * normalised for cosine) and then encoded, so the rest of the AM sees one
 * more varlena type with its own kernel and needs no other change.
 *
 * Quantization is per vector, needing no training and no parameter pages,
 * so the first insert into an empty index works like any other:
 *	 sq8	x[i] ~ offset + scale * c[i], c[i] in 0..255, offset the
 *			minimum and scale (max - min) / 255;
 *	 bit	s[i] = +1 where x[i] >= m else -1, m the mean of x.  With
 *			xc = x - m: against a float4 query q, <q, x> = m sum(q) +
 *			<q, xc>, and <q, xc> ~ K sum(s[i] q[i]) with K = |xc|^2 /
 *			sum|xc[i]| (the sign vector's projection on xc rescaled to
 *			xc, as in RaBitQ's estimator: unbiased where plain sign
 *			reconstruction would shrink every product by about 2/pi);
 *			between two codes, <xc, yc> ~ |xc| |yc| cos(pi h / d), h
 *			their Hamming distance (the sign-random-projection estimate
 *			of the angle), and sum(xc) = 0 exactly.
 * Each code also keeps the exact squared norm of the vector, so L2 is
 * |a|^2 + |b|^2 - 2 <a, b> with exact norms and only the cross term
 * estimated.  A query against sq8 or bit
 * elements is kept in float4 (HNSW_STORAGE_FLOAT): distances between a
 * query and an element are asymmetric (only the element is approximated);
 * between two elements (build, insert, vacuum) both are.  Half precision
 * queries are converted to half too: half distances are nearly exact and
 * run on the halfvec SIMD kernels.
 *
 * The order these distances give is approximate; scans rerank with the
 * exact value from the table (rerank.c).
 *
 * The sums over codes and bits (query against element, and element
 * against element during build) run on the kernel set vecrag.simd picks:
 * compact_kernels.c (portable), _avx2.c and _avx512.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "utils/rel.h"

#include "hnsw/hnsw.h"
#include "vector/halfvec.h"

typedef struct HnswCompactData
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	uint8		format;			/* HNSW_STORAGE_HALF, _SQ8, _BIT or _FLOAT */
	uint8		unused;
	uint16		dim;
	float		offset;			/* sq8: minimum; bit: mean */
	float		scale;			/* sq8: step; bit: |x - mean|^2 / sum |x[i] -
								 * mean| (see BIT below) */
	float		sqnorm;			/* exact |x|^2 of the encoded vector */
	float		sum;			/* sq8: sum of codes; float: sum of x[i];
								 * bit: |x - mean| */
	char		data[FLEXIBLE_ARRAY_MEMBER];
} HnswCompactData;

typedef HnswCompactData *HnswCompact;

static Size PayloadSize(int format, int dim);
static bool Fits(int format, int dimensions);
static float Dot(const HnswCompactData *a, const HnswCompactData *b);
static float DotFloat(const float *q, float qsum, const HnswCompactData *x);
static float Reconstruct(const HnswCompactData *v, int i);
static float CompactL2(const void *a, const void *b);
static float CompactNegIP(const void *a, const void *b);
static float CompactL1(const void *a, const void *b);
static int	CompactDimensions(const void *value);

static Size
PayloadSize(int format, int dim)
{
	switch (format)
	{
		case HNSW_STORAGE_HALF:
			return sizeof(half) * (Size) dim;
		case HNSW_STORAGE_SQ8:
			return (Size) dim;
		case HNSW_STORAGE_BIT:
			return ((Size) dim + 7) / 8;
		case HNSW_STORAGE_FLOAT:
			return sizeof(float) * (Size) dim;
	}
	elog(ERROR, "unknown hnsw compact format %d", format);
	return 0;					/* keep compiler quiet */
}

/* whether an element tuple with a compact copy in format fits a page */
static bool
Fits(int format, int dimensions)
{
	Size		valsize = offsetof(HnswCompactData, data) + PayloadSize(format, dimensions);

	return HNSW_ELEMENT_TUPLE_SIZE(valsize) + sizeof(ItemIdData) <= HNSW_PAGE_CAPACITY;
}

/*
 * The storage for an index on a column of this many dimensions: the one
 * the reloption "compact" names, if any; else FULL when the opclass kernel
 * takes that many, else the first compact format whose element tuple fits
 * a page.  Opclasses whose kernel cannot convert to float4 (bit,
 * sparsevec) store full values; the build has checked their limits.
 */
int
HnswChooseStorage(Relation index, int dimensions)
{
	const HnswKernel *kernel = NULL;
	int			forced = HnswGetCompactOption(index);
	int			format;

	if (OidIsValid(index_getprocid(index, 1, HNSW_KERNEL_PROC)))
		kernel = (const HnswKernel *)
			DatumGetPointer(FunctionCall1(index_getprocinfo(index, 1, HNSW_KERNEL_PROC),
										  PointerGetDatum(NULL)));
	if (kernel == NULL || kernel->toFloats == NULL || kernel->metric == 0)
	{
		if (forced != HNSW_STORAGE_FULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("hnsw option \"compact\" is not supported for this operator class"),
					 errdetail("Compact copies exist for the vector and halfvec operator classes only.")));
		return HNSW_STORAGE_FULL;
	}
	if (forced != HNSW_STORAGE_FULL)
	{
		if (!Fits(forced, dimensions))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("hnsw compact copy \"%s\" of %d dimensions does not fit on a page",
							HnswStorageName(forced), dimensions),
					 errhint("Use compact = 'auto' or a smaller format.")));
		return forced;
	}
	if (dimensions <= kernel->maxDimensions)
		return HNSW_STORAGE_FULL;
	for (format = HNSW_STORAGE_HALF; format <= HNSW_STORAGE_BIT; format++)
		if (Fits(format, dimensions))
			return format;
	elog(ERROR, "hnsw cannot store %d dimensions", dimensions);
	return HNSW_STORAGE_FULL;	/* keep compiler quiet */
}

const char *
HnswStorageName(int storage)
{
	switch (storage)
	{
		case HNSW_STORAGE_FULL:
			return "full";
		case HNSW_STORAGE_HALF:
			return "half";
		case HNSW_STORAGE_SQ8:
			return "sq8";
		case HNSW_STORAGE_BIT:
			return "bit";
	}
	return "unknown";
}

/*
 * Encode a prepared full value (see HnswPrepareFull) in the index's
 * storage format, or for a query in the form compared with it.  Returns a
 * new palloc'd varlena in the current memory context.
 */
Datum
HnswCompactValue(HnswSupport *sup, Datum full, bool query)
{
	const void *value = DatumGetPointer(full);
	int			dim = sup->exact->dimensions(value);
	int			format = sup->storage;
	float	   *x = palloc(sizeof(float) * Max(dim, 1));
	HnswCompact c;
	Size		size;
	double		sqnorm = 0;
	double		sum = 0;
	int			i;

	Assert(sup->storage != HNSW_STORAGE_FULL);
	if (query && format != HNSW_STORAGE_HALF)
		format = HNSW_STORAGE_FLOAT;
	sup->exact->toFloats(value, x);
	size = offsetof(HnswCompactData, data) + PayloadSize(format, dim);
	c = palloc0(size);
	SET_VARSIZE(c, size);
	c->format = format;
	c->dim = dim;
	for (i = 0; i < dim; i++)
	{
		sqnorm += (double) x[i] * x[i];
		sum += x[i];
	}
	c->sqnorm = (float) sqnorm;

	switch (format)
	{
		case HNSW_STORAGE_FLOAT:
			memcpy(c->data, x, sizeof(float) * dim);
			c->sum = (float) sum;
			break;
		case HNSW_STORAGE_HALF:
			{
				half	   *h = (half *) c->data;

				/* out-of-range values saturate: the rerank is exact anyway */
				for (i = 0; i < dim; i++)
					h[i] = Float4ToHalfUnchecked(Max(Min(x[i], HALF_MAX), -HALF_MAX));
				break;
			}
		case HNSW_STORAGE_SQ8:
			{
				uint8	   *codes = (uint8 *) c->data;
				float		lo = x[0];
				float		hi = x[0];
				int64		csum = 0;

				for (i = 1; i < dim; i++)
				{
					lo = Min(lo, x[i]);
					hi = Max(hi, x[i]);
				}
				c->offset = lo;
				c->scale = (float) (((double) hi - lo) / 255.0);
				for (i = 0; i < dim; i++)
				{
					double		q = c->scale > 0 ? ((double) x[i] - lo) / c->scale : 0;
					int			code = (int) rint(q);

					codes[i] = (uint8) Max(0, Min(code, 255));
					csum += codes[i];
				}
				c->sum = (float) csum;
				break;
			}
		case HNSW_STORAGE_BIT:
			{
				uint8	   *bits = (uint8 *) c->data;
				double		mean = sum / Max(dim, 1);
				double		dev = 0;
				double		sqdev = 0;

				for (i = 0; i < dim; i++)
				{
					dev += fabs(x[i] - mean);
					sqdev += (x[i] - mean) * (x[i] - mean);
					if (x[i] >= mean)
						bits[i / 8] |= (uint8) (1 << (i % 8));
				}
				c->offset = (float) mean;
				c->scale = dev > 0 ? (float) (sqdev / dev) : 0;
				c->sum = (float) sqrt(sqdev);
				break;
			}
	}
	pfree(x);
	return PointerGetDatum(c);
}

/* <q, x^> for a float4 query q (sum of elements qsum) and element x */
static float
DotFloat(const float *q, float qsum, const HnswCompactData *x)
{
	const HnswCompactKernels *k = HnswCompactActiveKernels();

	if (x->format == HNSW_STORAGE_SQ8)
		return (float) ((double) x->offset * qsum +
						(double) x->scale * k->sumCodes(q, (const uint8 *) x->data, x->dim));
	/* s[i] q[i] summed is twice the sum over set bits less qsum */
	return (float) ((double) x->offset * qsum +
					(double) x->scale * (2.0 * k->sumSetBits(q, (const uint8 *) x->data, x->dim) - qsum));
}

/*
 * Estimated inner product of two encoded values of the same format, or of
 * a float4 query and an element.
 */
static float
Dot(const HnswCompactData *a, const HnswCompactData *b)
{
	int			dim = a->dim;

	if (a->format == HNSW_STORAGE_FLOAT)
		return DotFloat((const float *) a->data, a->sum, b);
	if (b->format == HNSW_STORAGE_FLOAT)
		return DotFloat((const float *) b->data, b->sum, a);
	Assert(a->format == b->format);
	switch (a->format)
	{
		case HNSW_STORAGE_HALF:
			return HalfvecInnerProduct((const half *) a->data, (const half *) b->data, dim);
		case HNSW_STORAGE_SQ8:
			{
				uint64		cc = HnswCompactActiveKernels()->dotCodes((const uint8 *) a->data,
																	  (const uint8 *) b->data, dim);

				return (float) ((double) dim * a->offset * b->offset +
								(double) a->offset * b->scale * b->sum +
								(double) b->offset * a->scale * a->sum +
								(double) a->scale * b->scale * (double) cc);
			}
		case HNSW_STORAGE_BIT:
			{
				/* trailing bits of the last byte are 0 in both */
				uint64		differ = HnswCompactActiveKernels()->hamming((const uint8 *) a->data,
																		 (const uint8 *) b->data,
																		 (dim + 7) / 8);

				return (float) ((double) dim * a->offset * b->offset +
								(double) a->sum * b->sum * cos(M_PI * (double) differ / dim));
			}
	}
	elog(ERROR, "unknown hnsw compact format %d", a->format);
	return 0;					/* keep compiler quiet */
}

/* element i of v as the code approximates it */
static float
Reconstruct(const HnswCompactData *v, int i)
{
	switch (v->format)
	{
		case HNSW_STORAGE_FLOAT:
			return ((const float *) v->data)[i];
		case HNSW_STORAGE_HALF:
			return HalfToFloat4(((const half *) v->data)[i]);
		case HNSW_STORAGE_SQ8:
			return v->offset + v->scale * ((const uint8 *) v->data)[i];
		case HNSW_STORAGE_BIT:
			{
				/* the sign vector scaled to |xc|, for L1 */
				float		step = v->sum / sqrtf((float) v->dim);

				return v->offset +
					((((const uint8 *) v->data)[i / 8] & (1 << (i % 8))) ? step : -step);
			}
	}
	return 0;
}

static float
CompactL2(const void *a, const void *b)
{
	const HnswCompactData *ca = a;
	const HnswCompactData *cb = b;

	if (ca->format == HNSW_STORAGE_HALF)
		return HalfvecL2SquaredDistance((const half *) ca->data,
										(const half *) cb->data, ca->dim);
	/* exact norms, estimated cross term; never below 0 */
	return Max(0.0f, ca->sqnorm + cb->sqnorm - 2 * Dot(ca, cb));
}

static float
CompactNegIP(const void *a, const void *b)
{
	return -Dot(a, b);
}

static float
CompactL1(const void *a, const void *b)
{
	const HnswCompactData *ca = a;
	const HnswCompactData *cb = b;
	double		acc = 0;
	int			i;

	if (ca->format == HNSW_STORAGE_HALF)
		return HalfvecL1Distance((const half *) ca->data,
								 (const half *) cb->data, ca->dim);
	for (i = 0; i < ca->dim; i++)
		acc += fabsf(Reconstruct(ca, i) - Reconstruct(cb, i));
	return (float) acc;
}

static int
CompactDimensions(const void *value)
{
	return ((const HnswCompactData *) value)->dim;
}

static const HnswKernel compact_l2_kernel = {HNSW_MAX_WIDE_DIM, CompactL2, CompactDimensions, NULL, HNSW_METRIC_L2, NULL};
static const HnswKernel compact_ip_kernel = {HNSW_MAX_WIDE_DIM, CompactNegIP, CompactDimensions, NULL, HNSW_METRIC_IP, NULL};
static const HnswKernel compact_l1_kernel = {HNSW_MAX_WIDE_DIM, CompactL1, CompactDimensions, NULL, HNSW_METRIC_L1, NULL};

/*
 * The kernel over compact values for an opclass kernel's metric.
 */
const HnswKernel *
HnswCompactKernel(int metric)
{
	switch (metric)
	{
		case HNSW_METRIC_L2:
			return &compact_l2_kernel;
		case HNSW_METRIC_IP:
			return &compact_ip_kernel;
		case HNSW_METRIC_L1:
			return &compact_l1_kernel;
	}
	elog(ERROR, "hnsw has no compact kernel for metric %d", metric);
	return NULL;				/* keep compiler quiet */
}
