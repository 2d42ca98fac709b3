/*
 * src/vector/vector_io.c
 *	  Text and binary input/output and the typmod of the vector type, in
 *	  pgvector's formats: text '[1,2.5,-3]' (shortest round-trip floats),
 *	  binary int16 dim, int16 unused (0), float4 elements, network order.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "vector/vector.h"

static bool IsSpace(char c);
static int	CountElements(const char *str);
static void InvalidSyntax(const char *str, const char *detail) pg_attribute_noreturn();

static void
InvalidSyntax(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type vector: \"%s\"", str),
			 errdetail("%s", detail)));
}

/*
 * Whitespace around brackets, commas and numbers: the six characters
 * isspace() knows in the C locale, as pgvector and array_in accept (the
 * parser's scanner_isspace leaves out vertical tab).
 */
static bool
IsSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Upper bound on the number of elements in str (one more than its commas),
 * so the parser allocates once and rejects oversized input before parsing.
 */
static int
CountElements(const char *str)
{
	int			n = 1;

	for (const char *p = str; *p; p++)
		if (*p == ',')
			n++;
	return n;
}

PG_FUNCTION_INFO_V1(vector_in);
Datum
vector_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	const char *p = str;
	int			capacity = CountElements(str);
	float	   *values;
	int			dim = 0;
	Vector	   *result;

	if (capacity > VECTOR_MAX_DIM)
		VecCheckDim(capacity);

	while (IsSpace(*p))
		p++;
	if (*p != '[')
		InvalidSyntax(str, "Vector contents must start with \"[\".");
	p++;
	while (IsSpace(*p))
		p++;
	if (*p == ']')
		VecCheckDim(0);

	values = palloc(sizeof(float) * capacity);
	for (;;)
	{
		char	   *end;
		float		value;

		while (IsSpace(*p))
			p++;
		if (*p == '\0')
			InvalidSyntax(str, "Unexpected end of input.");
		if (*p == ',' || *p == ']')
			InvalidSyntax(str, "Expected a number before \",\" or \"]\".");

		errno = 0;
		value = strtof(p, &end);
		if (end == p)
			InvalidSyntax(str, "Elements must be numbers.");
		if (errno == ERANGE && isinf(value))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("\"%.*s\" is out of range for type vector",
							(int) (end - p), p)));
		VecCheckElement(value);
		values[dim++] = value;
		p = end;

		while (IsSpace(*p))
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

	while (IsSpace(*p))
		p++;
	if (*p != '\0')
		InvalidSyntax(str, "Junk after closing right bracket.");

	VecCheckExpectedDim(typmod, dim);
	result = InitVector(dim);
	memcpy(result->x, values, sizeof(float) * dim);
	pfree(values);
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_out);
Datum
vector_out(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;

	/* each element takes at most FLOAT_SHORTEST_DECIMAL_LEN - 1 bytes and a comma */
	initStringInfo(&buf);
	enlargeStringInfo(&buf, vec->dim * FLOAT_SHORTEST_DECIMAL_LEN + 2);
	appendStringInfoChar(&buf, '[');
	for (int i = 0; i < vec->dim; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		buf.len += float_to_shortest_decimal_bufn(vec->x[i], buf.data + buf.len);
	}
	appendStringInfoChar(&buf, ']');
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(vector_typmod_in);
Datum
vector_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(VecTypmodIn(PG_GETARG_ARRAYTYPE_P(0), "vector", VECTOR_MAX_DIM));
}

PG_FUNCTION_INFO_V1(vector_typmod_out);
Datum
vector_typmod_out(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(0);

	if (typmod < 0)
		PG_RETURN_CSTRING(pstrdup(""));
	PG_RETURN_CSTRING(psprintf("(%d)", typmod));
}

PG_FUNCTION_INFO_V1(vector_recv);
Datum
vector_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int16		dim = (int16) pq_getmsgint(buf, sizeof(int16));
	int16		unused = (int16) pq_getmsgint(buf, sizeof(int16));
	Vector	   *result;

	VecCheckDim(dim);
	VecCheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("expected unused to be 0, not %d", unused)));
	if (buf->len - buf->cursor != (int) (sizeof(float) * dim))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary vector: expected %d bytes of elements, got %d",
						(int) (sizeof(float) * dim), buf->len - buf->cursor)));

	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = pq_getmsgfloat4(buf);
		VecCheckElement(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_send);
Datum
vector_send(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint(&buf, vec->dim, sizeof(int16));
	pq_sendint(&buf, vec->unused, sizeof(int16));
	for (int i = 0; i < vec->dim; i++)
		pq_sendfloat4(&buf, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Cast vector to vector(n): the length coercion run on assignment to a
 * column with a typmod.
 */
PG_FUNCTION_INFO_V1(vector);
Datum
vector(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	VecCheckExpectedDim(typmod, vec->dim);
	PG_RETURN_VECTOR_P(vec);
}
