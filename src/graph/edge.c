/*
 * src/graph/edge.c
 *	  The vecrag.edge type: text form `src->dst` or `src->dst:weight`, binary
 *	  send/recv, constructor, accessors, and the comparison and hash support
 *	  of its btree and hash opclasses.
 *
 * Edges order by src, then dst, then weight (float4 order: -0 equals 0, NaN
 * is never stored).  The weight defaults to 1 and is printed only when it
 * differs from 1, so `1->2` round-trips as `1->2`.
 */
#include "postgres.h"

#include <ctype.h>
#include <float.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "graph/graph.h"

static void CheckWeight(float8 weight);
static int64 ParseId(const char **p, const char *input, const char *which);
static int	CompareEdges(const GraphEdge *a, const GraphEdge *b);

/*
 * Reject weights that are not finite float4 values: a NaN or infinite weight
 * would make path weights and PageRank meaningless.
 */
static void
CheckWeight(float8 weight)
{
	if (isnan(weight) || isinf(weight))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("edge weight must be a finite number")));
	if (fabs(weight) > FLT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("edge weight %g is out of range for type real", weight)));
}

/* A palloc'd copy of edge as a Datum. */
Datum
GraphEdgeGetDatum(const GraphEdge *edge)
{
	GraphEdge  *result = palloc(sizeof(GraphEdge));

	result->src = edge->src;
	result->dst = edge->dst;
	result->weight = edge->weight;
	result->pad = 0;
	return PointerGetDatum(result);
}

/* Parse a signed 64-bit id at *p, advancing *p past it. */
static int64
ParseId(const char **p, const char *input, const char *which)
{
	const char *start;
	char	   *end;
	int64		value;

	while (isspace((unsigned char) **p))
		(*p)++;
	start = *p;
	if (*start == '+' || *start == '-')
		start++;
	if (!isdigit((unsigned char) *start))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type edge: \"%s\"", input),
				 errdetail("Expected a %s node id (an integer) at \"%s\".", which, *p),
				 errhint("An edge is written as src->dst or src->dst:weight, for example 1->2:0.5.")));
	errno = 0;
	value = strtoi64(*p, &end, 10);
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s node id is out of range for type bigint in edge \"%s\"", which, input)));
	*p = end;
	while (isspace((unsigned char) **p))
		(*p)++;
	return value;
}

PG_FUNCTION_INFO_V1(edge_in);
Datum
edge_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	GraphEdge	edge;

	edge.src = ParseId(&p, input, "source");
	if (p[0] != '-' || p[1] != '>')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type edge: \"%s\"", input),
				 errdetail("Expected \"->\" after the source node id."),
				 errhint("An edge is written as src->dst or src->dst:weight, for example 1->2:0.5.")));
	p += 2;
	edge.dst = ParseId(&p, input, "target");
	edge.weight = 1.0f;
	edge.pad = 0;
	if (*p == ':')
	{
		char	   *end;
		float8		weight;

		p++;
		while (isspace((unsigned char) *p))
			p++;
		errno = 0;
		weight = strtod(p, &end);
		if (end == p)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type edge: \"%s\"", input),
					 errdetail("Expected a weight (a number) after \":\".")));
		CheckWeight(weight);
		edge.weight = (float4) weight;
		p = end;
		while (isspace((unsigned char) *p))
			p++;
	}
	if (*p != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type edge: \"%s\"", input),
				 errdetail("Unexpected text \"%s\" after the edge.", p),
				 errhint("An edge is written as src->dst or src->dst:weight, for example 1->2:0.5.")));
	PG_RETURN_DATUM(GraphEdgeGetDatum(&edge));
}

PG_FUNCTION_INFO_V1(edge_out);
Datum
edge_out(PG_FUNCTION_ARGS)
{
	GraphEdge  *edge = PG_GETARG_GRAPHEDGE_P(0);
	char		weight[32];

	if (edge->weight == 1.0f)
		PG_RETURN_CSTRING(psprintf(INT64_FORMAT "->" INT64_FORMAT,
								   edge->src, edge->dst));
	float_to_shortest_decimal_buf(edge->weight, weight);
	PG_RETURN_CSTRING(psprintf(INT64_FORMAT "->" INT64_FORMAT ":%s",
							   edge->src, edge->dst, weight));
}

PG_FUNCTION_INFO_V1(edge_recv);
Datum
edge_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	GraphEdge	edge;

	edge.src = pq_getmsgint64(buf);
	edge.dst = pq_getmsgint64(buf);
	edge.weight = pq_getmsgfloat4(buf);
	edge.pad = 0;
	CheckWeight(edge.weight);
	PG_RETURN_DATUM(GraphEdgeGetDatum(&edge));
}

PG_FUNCTION_INFO_V1(edge_send);
Datum
edge_send(PG_FUNCTION_ARGS)
{
	GraphEdge  *edge = PG_GETARG_GRAPHEDGE_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, edge->src);
	pq_sendint64(&buf, edge->dst);
	pq_sendfloat4(&buf, edge->weight);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* vecrag.edge(src, dst, weight => 1) */
PG_FUNCTION_INFO_V1(edge_construct);
Datum
edge_construct(PG_FUNCTION_ARGS)
{
	GraphEdge	edge;

	edge.src = PG_GETARG_INT64(0);
	edge.dst = PG_GETARG_INT64(1);
	edge.weight = PG_GETARG_FLOAT4(2);
	edge.pad = 0;
	CheckWeight(edge.weight);
	PG_RETURN_DATUM(GraphEdgeGetDatum(&edge));
}

PG_FUNCTION_INFO_V1(edge_src);
Datum
edge_src(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_GRAPHEDGE_P(0)->src);
}

PG_FUNCTION_INFO_V1(edge_dst);
Datum
edge_dst(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_GRAPHEDGE_P(0)->dst);
}

PG_FUNCTION_INFO_V1(edge_weight);
Datum
edge_weight(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4(PG_GETARG_GRAPHEDGE_P(0)->weight);
}

/* src, then dst, then weight; weights are finite, and -0 compares equal to 0 */
static int
CompareEdges(const GraphEdge *a, const GraphEdge *b)
{
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->dst != b->dst)
		return a->dst < b->dst ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	return 0;
}

PG_FUNCTION_INFO_V1(edge_cmp);
Datum
edge_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)));
}

PG_FUNCTION_INFO_V1(edge_eq);
Datum
edge_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)) == 0);
}

PG_FUNCTION_INFO_V1(edge_ne);
Datum
edge_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)) != 0);
}

PG_FUNCTION_INFO_V1(edge_lt);
Datum
edge_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)) < 0);
}

PG_FUNCTION_INFO_V1(edge_le);
Datum
edge_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)) <= 0);
}

PG_FUNCTION_INFO_V1(edge_gt);
Datum
edge_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)) > 0);
}

PG_FUNCTION_INFO_V1(edge_ge);
Datum
edge_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(CompareEdges(PG_GETARG_GRAPHEDGE_P(0), PG_GETARG_GRAPHEDGE_P(1)) >= 0);
}

/* Hash the fields, not the bytes: -0 and 0 are equal, so they hash alike. */
PG_FUNCTION_INFO_V1(edge_hash);
Datum
edge_hash(PG_FUNCTION_ARGS)
{
	GraphEdge  *edge = PG_GETARG_GRAPHEDGE_P(0);
	float4		weight = edge->weight == 0.0f ? 0.0f : edge->weight;
	uint32		h;

	h = DatumGetUInt32(hash_any((const unsigned char *) &edge->src, sizeof(int64)));
	h = hash_combine(h, DatumGetUInt32(hash_any((const unsigned char *) &edge->dst, sizeof(int64))));
	h = hash_combine(h, DatumGetUInt32(hash_any((const unsigned char *) &weight, sizeof(float4))));
	PG_RETURN_INT32((int32) h);
}
