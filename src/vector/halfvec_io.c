/*
 * src/vector/halfvec_io.c
 *	  Text and binary input/output and the typmod of halfvec, in pgvector's
 *	  formats: text '[1,2.5,-3]' (each element printed as the shortest float
 *	  that reads back to the same half), binary int16 dim, int16 unused (0),
 *	  then the 16-bit IEEE half elements, all in network byte order.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "parser/scansup.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "vector/halfvec.h"
#include "vector/vector.h"

static void InvalidSyntax(const char *str, const char *detail) pg_attribute_noreturn();

static void
InvalidSyntax(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type halfvec: \"%s\"", str),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(halfvec_in);
Datum
halfvec_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	const char *p = str;
	half	   *values;
	int			dim = 0;
	int			capacity = 1;
	HalfVector *result;

	while (scanner_isspace(*p))
		p++;
	if (*p != '[')
		InvalidSyntax(str, "Vector contents must start with \"[\".");
	p++;
	while (scanner_isspace(*p))
		p++;
	if (*p == ']')
		HalfvecCheckDim(0);

	/* one more element than commas, capped: dim is checked as we parse */
	for (const char *c = p; *c; c++)
		if (*c == ',' && ++capacity >= HALFVEC_MAX_DIM)
			break;
	values = palloc(sizeof(half) * capacity);
	for (;;)
	{
		char	   *end;
		float		value;

		if (dim == capacity)
			HalfvecCheckDim(dim + 1);
		while (scanner_isspace(*p))
			p++;
		if (*p == '\0')
			InvalidSyntax(str, "Unexpected end of input.");
		if (*p == ',' || *p == ']')
			InvalidSyntax(str, "Expected a number before \",\" or \"]\".");

		errno = 0;
		value = strtof(p, &end);
		if (end == p)
			InvalidSyntax(str, "Elements must be numbers.");
		if ((errno == ERANGE && isinf(value)) ||
			(!isinf(value) && HalfIsInf(Float4ToHalfUnchecked(value))))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("\"%.*s\" is out of range for type halfvec",
							(int) (end - p), p),
					 errdetail("Half precision holds magnitudes up to 65504.")));
		values[dim] = Float4ToHalfUnchecked(value);
		HalfvecCheckElement(values[dim]);
		dim++;
		p = end;

		while (scanner_isspace(*p))
			p++;
		if (*p == ',')
		{
			p++;
			continue;
		}
		if (*p == ']')
		{
			p++;
			break;
		}
		if (*p == '\0')
			InvalidSyntax(str, "Unexpected end of input.");
		InvalidSyntax(str, "Elements must be separated by \",\".");
	}

	while (scanner_isspace(*p))
		p++;
	if (*p != '\0')
		InvalidSyntax(str, "Junk after closing right bracket.");

	HalfvecCheckExpectedDim(typmod, dim);
	result = InitHalfVector(dim);
	memcpy(result->x, values, sizeof(half) * dim);
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_out);
Datum
halfvec_out(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	enlargeStringInfo(&buf, vec->dim * FLOAT_SHORTEST_DECIMAL_LEN + 2);
	appendStringInfoChar(&buf, '[');
	for (int i = 0; i < vec->dim; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		buf.len += float_to_shortest_decimal_bufn(HalfToFloat4(vec->x[i]),
												  buf.data + buf.len);
	}
	appendStringInfoChar(&buf, ']');
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(halfvec_typmod_in);
Datum
halfvec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(VecTypmodIn(PG_GETARG_ARRAYTYPE_P(0), "halfvec", HALFVEC_MAX_DIM));
}

PG_FUNCTION_INFO_V1(halfvec_recv);
Datum
halfvec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int16		dim;
	int16		unused;
	HalfVector *result;

	if (buf->len - buf->cursor < 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary halfvec: expected a 4-byte header, got %d bytes",
						buf->len - buf->cursor)));
	dim = (int16) pq_getmsgint(buf, sizeof(int16));
	unused = (int16) pq_getmsgint(buf, sizeof(int16));
	HalfvecCheckDim(dim);
	HalfvecCheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("expected unused to be 0, not %d", unused)));
	if (buf->len - buf->cursor != (int) (sizeof(half) * dim))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary halfvec: expected %d bytes of elements, got %d",
						(int) (sizeof(half) * dim), buf->len - buf->cursor)));

	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (half) pq_getmsgint(buf, sizeof(int16));
		HalfvecCheckElement(result->x[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_send);
Datum
halfvec_send(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, (uint16) vec->dim);
	pq_sendint16(&buf, (uint16) vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendint16(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
