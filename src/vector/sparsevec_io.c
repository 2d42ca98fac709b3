/*
 * src/vector/sparsevec_io.c
 *	  Text and binary input/output and the typmod of sparsevec, in
 *	  pgvector's formats.  Text: '{1:1.5,3:2}/5', 1-based indices, dimensions
 *	  after the slash; elements may come in any order (they are sorted, as
 *	  pgvector does), an index given twice is an error, zero values are
 *	  dropped.  Binary: int32 dim, int32 nnz, int32 unused (0), nnz int32
 *	  0-based indices, nnz float4 values (none zero), network byte order.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "libpq/pqformat.h"
#include "parser/scansup.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "vector/sparsevec.h"
#include "vector/vector.h"

/* one "index:value" pair of text input, index already 0-based */
typedef struct SparseInputElement
{
	int32		index;
	float		value;
} SparseInputElement;

static void InvalidSyntax(const char *str, const char *detail) pg_attribute_noreturn();
static int	CompareElements(const void *a, const void *b);
static int32 ParseInt(const char *str, const char **p, const char *what);
static void AppendIndex(StringInfo buf, int32 value);

static void
InvalidSyntax(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type sparsevec: \"%s\"", str),
			 errdetail("%s", detail)));
}

/*
 * Read a decimal integer at *p (clamped to the int32 range, so that range
 * errors name the value's side), advance *p past it.
 */
static int32
ParseInt(const char *str, const char **p, const char *what)
{
	char	   *end;
	long		value;

	while (scanner_isspace(**p))
		(*p)++;
	if (!(isdigit((unsigned char) **p) || **p == '-' || **p == '+'))
		InvalidSyntax(str, what);
	errno = 0;
	value = strtol(*p, &end, 10);
	if (end == *p)
		InvalidSyntax(str, what);
	*p = end;
	if (errno == ERANGE || value > INT_MAX)
		return INT_MAX;
	if (value < INT_MIN)
		return INT_MIN;
	return (int32) value;
}

PG_FUNCTION_INFO_V1(sparsevec_in);
Datum
sparsevec_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	const char *p = str;
	int			capacity = 1;
	SparseInputElement *elements;
	int			count = 0;
	int			nnz = 0;
	int32		dim;
	SparseVector *result;
	float	   *rvalues;

	/* one element per colon, so the array is allocated once */
	for (const char *c = str; *c; c++)
		if (*c == ':')
			capacity++;
	elements = palloc(sizeof(SparseInputElement) * capacity);

	while (scanner_isspace(*p))
		p++;
	if (*p != '{')
		InvalidSyntax(str, "Sparse vector contents must start with \"{\".");
	p++;
	while (scanner_isspace(*p))
		p++;
	if (*p == '}')
		p++;
	else
	{
		for (;;)
		{
			int32		index;
			float		value;
			char	   *end;

			CHECK_FOR_INTERRUPTS();
			index = ParseInt(str, &p, "Expected an index before \":\".");
			if (index < 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("sparsevec index out of bounds"),
						 errdetail("Indices start at 1; got %d.", index)));
			while (scanner_isspace(*p))
				p++;
			if (*p != ':')
				InvalidSyntax(str, "Expected \":\" after an index.");
			p++;
			while (scanner_isspace(*p))
				p++;

			errno = 0;
			value = strtof(p, &end);
			if (end == p)
				InvalidSyntax(str, "Values must be numbers.");
			if (errno == ERANGE && isinf(value))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("\"%.*s\" is out of range for type sparsevec",
								(int) (end - p), p)));
			SparsevecCheckElement(value);
			p = end;

			Assert(count < capacity);
			elements[count].index = index - 1;
			elements[count].value = value;
			count++;

			while (scanner_isspace(*p))
				p++;
			if (*p == ',')
			{
				p++;
				continue;
			}
			if (*p == '}')
			{
				p++;
				break;
			}
			if (*p == '\0')
				InvalidSyntax(str, "Unexpected end of input.");
			InvalidSyntax(str, "Elements must be separated by \",\".");
		}
	}

	while (scanner_isspace(*p))
		p++;
	if (*p != '/')
		InvalidSyntax(str, "Expected \"/\" and the number of dimensions after \"}\".");
	p++;
	dim = ParseInt(str, &p, "Expected the number of dimensions after \"/\".");
	while (scanner_isspace(*p))
		p++;
	if (*p != '\0')
		InvalidSyntax(str, "Junk after the number of dimensions.");

	SparsevecCheckDim(dim);
	SparsevecCheckExpectedDim(typmod, dim);

	/*
	 * Like pgvector, accept elements in any order and sort them; an index
	 * given twice is an error even when one of its values is zero.
	 */
	qsort(elements, count, sizeof(SparseInputElement), CompareElements);
	for (int i = 0; i < count; i++)
	{
		if (i > 0 && elements[i].index == elements[i - 1].index)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sparsevec indices must not contain duplicates"),
					 errdetail("Index %d appears twice.", elements[i].index + 1)));
		if (elements[i].value != 0.0f)
			nnz++;
	}
	if (count > 0 && elements[count - 1].index >= dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec index out of bounds"),
				 errdetail("Index %d is outside 1..%d.", elements[count - 1].index + 1, dim)));
	SparsevecCheckNnz(nnz, dim);

	/* zeros are not stored */
	result = InitSparseVector(dim, nnz);
	rvalues = SPARSEVEC_VALUES(result);
	nnz = 0;
	for (int i = 0; i < count; i++)
	{
		if (elements[i].value == 0.0f)
			continue;
		result->indices[nnz] = elements[i].index;
		rvalues[nnz] = elements[i].value;
		nnz++;
	}
	pfree(elements);
	PG_RETURN_SPARSEVEC_P(result);
}

/* Order parsed elements by index. */
static int
CompareElements(const void *a, const void *b)
{
	int32		ia = ((const SparseInputElement *) a)->index;
	int32		ib = ((const SparseInputElement *) b)->index;

	return (ia > ib) - (ia < ib);
}

/* Append a positive index in decimal; space has been reserved. */
static void
AppendIndex(StringInfo buf, int32 value)
{
	char		digits[12];
	int			n = 0;

	do
	{
		digits[n++] = '0' + value % 10;
		value /= 10;
	} while (value > 0);
	while (n > 0)
		buf->data[buf->len++] = digits[--n];
	buf->data[buf->len] = '\0';
}

PG_FUNCTION_INFO_V1(sparsevec_out);
Datum
sparsevec_out(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	float	   *values = SPARSEVEC_VALUES(vec);
	StringInfoData buf;

	initStringInfo(&buf);
	/* per element: 10 digits, ":", a float and ","; then "{}/" and 10 digits */
	enlargeStringInfo(&buf, vec->nnz * (12 + FLOAT_SHORTEST_DECIMAL_LEN) + 14);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < vec->nnz; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		AppendIndex(&buf, vec->indices[i] + 1);
		appendStringInfoChar(&buf, ':');
		buf.len += float_to_shortest_decimal_bufn(values[i], buf.data + buf.len);
	}
	appendStringInfo(&buf, "}/%d", vec->dim);
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(sparsevec_typmod_in);
Datum
sparsevec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(VecTypmodIn(PG_GETARG_ARRAYTYPE_P(0), "sparsevec", SPARSEVEC_MAX_DIM));
}

PG_FUNCTION_INFO_V1(sparsevec_recv);
Datum
sparsevec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int32		dim;
	int32		nnz;
	int32		unused;
	SparseVector *result;
	float	   *values;

	if (buf->len - buf->cursor < 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary sparsevec: expected a 12-byte header, got %d bytes",
						buf->len - buf->cursor)));
	dim = (int32) pq_getmsgint(buf, sizeof(int32));
	nnz = (int32) pq_getmsgint(buf, sizeof(int32));
	unused = (int32) pq_getmsgint(buf, sizeof(int32));

	SparsevecCheckDim(dim);
	SparsevecCheckNnz(nnz, dim);
	SparsevecCheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("expected unused to be 0, not %d", unused)));
	if (buf->len - buf->cursor != nnz * 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary sparsevec: expected %d bytes of indices and values, got %d",
						nnz * 8, buf->len - buf->cursor)));

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < nnz; i++)
	{
		result->indices[i] = (int32) pq_getmsgint(buf, sizeof(int32));
		SparsevecCheckIndex(result->indices, i, dim);
	}
	for (int i = 0; i < nnz; i++)
	{
		values[i] = pq_getmsgfloat4(buf);
		SparsevecCheckElement(values[i]);
		if (values[i] == 0.0f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("binary representation of sparsevec cannot contain zero values")));
	}
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_send);
Datum
sparsevec_send(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	float	   *values = SPARSEVEC_VALUES(vec);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, (uint32) vec->dim);
	pq_sendint32(&buf, (uint32) vec->nnz);
	pq_sendint32(&buf, (uint32) vec->unused);
	for (int i = 0; i < vec->nnz; i++)
		pq_sendint32(&buf, (uint32) vec->indices[i]);
	for (int i = 0; i < vec->nnz; i++)
		pq_sendfloat4(&buf, values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
