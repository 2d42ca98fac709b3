/*
 * src/graph/registry.c
 *	  Registered graphs: validation of a graph's table and columns
 *	  (vecrag.graph_validate, called by vecrag.create_graph), lookup of a
 *	  graph by name for the algorithms, opening its table with the caller's
 *	  privileges, and the argument helpers every graph function shares
 *	  (direction, relation filter, work_mem cap).
 *
 * (GraphLookup, which reads the registry, is in lookup.c.)
 * Definitions are stored by column name, not attribute number, so that
 * pg_dump/restore keeps them valid; every lookup re-resolves the names and
 * reports a renamed or dropped column by name.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "graph/graph.h"

static AttrNumber ResolveColumn(Relation rel, const char *column,
								const char *role, Oid *type);
static Oid	EdgeTypeOid(void);

/* The oid of type vecrag.edge. */
static Oid
EdgeTypeOid(void)
{
	Oid			nsp = get_namespace_oid("vecrag", false);

	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("edge"), ObjectIdGetDatum(nsp));
}

/* Find column by name; error naming the table, the column and its role. */
static AttrNumber
ResolveColumn(Relation rel, const char *column, const char *role, Oid *type)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), column) == 0)
		{
			*type = att->atttypid;
			return att->attnum;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of relation \"%s\" does not exist",
					column, RelationGetRelationName(rel)),
			 errdetail("The graph's %s column must be a column of its edge table.", role)));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/*
 * Resolve a graph's column names against its table and check their types
 * and that the table is readable.  Returns a GraphDef palloc'd in the
 * current context.  Opens and closes the table (the lock is kept).
 * registered says whether the graph is already registered (a lookup) or
 * about to be (graph_validate); only the former gets the drop_graph hint.
 */
GraphDef *
GraphResolve(const char *graphname, bool registered, Oid relid,
			 const char *src, const char *dst, const char *edge, const char *relation,
			 const char *weight)
{
	GraphDef   *def = palloc0(sizeof(GraphDef));
	Relation	rel;
	Oid			type;

	/* graph_validate is callable directly: its column names may be NULL */
	if (edge == NULL && (src == NULL || dst == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("graph \"%s\" needs a source and a target column, or an edge column",
						graphname)));
	if (edge != NULL && (src != NULL || dst != NULL || weight != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("graph \"%s\" names an edge column together with source, target or weight columns",
						graphname),
				 errdetail("A vecrag.edge column holds the source, the target and the weight itself.")));

	/*
	 * Lock first, then check that the table still exists: a table dropped
	 * by a concurrent transaction we waited for (or a stale oid) gets this
	 * message, not "could not open relation with OID".
	 */
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("edge table of graph \"%s\" does not exist", graphname),
				 registered ?
				 errhint("Drop the graph with vecrag.drop_graph and register it again.") : 0));
	def->name = pstrdup(graphname);
	def->relid = relid;
	def->relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											  RelationGetRelationName(rel));
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", def->relname),
				 errdetail("Graph edges are read through btree indexes, so they must be in a plain table or materialized view (partitioned tables are not supported).")));
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("graph \"%s\" cannot use temporary table \"%s\"",
						graphname, RelationGetRelationName(rel)),
				 errdetail("Graph registrations are kept in vecrag.graph_definitions and dumped with the database; a temporary table belongs to one session and could not be restored."),
				 errhint("Use a permanent or unlogged table.")));

	if (edge != NULL)
	{
		def->edge_attno = ResolveColumn(rel, edge, "edge", &type);
		if (type != EdgeTypeOid())
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" has type %s, not vecrag.edge",
							edge, RelationGetRelationName(rel), format_type_be(type))));
		def->src_type = def->dst_type = INT8OID;
		def->weight_type = FLOAT4OID;
	}
	else
	{
		def->src_attno = ResolveColumn(rel, src, "source (src)", &def->src_type);
		def->dst_attno = ResolveColumn(rel, dst, "target (dst)", &def->dst_type);
		if (def->src_type != INT8OID && def->src_type != INT4OID && def->src_type != INT2OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" has type %s, not bigint",
							src, RelationGetRelationName(rel), format_type_be(def->src_type)),
					 errdetail("Node ids must be bigint, integer or smallint.")));
		if (def->dst_type != INT8OID && def->dst_type != INT4OID && def->dst_type != INT2OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" has type %s, not bigint",
							dst, RelationGetRelationName(rel), format_type_be(def->dst_type)),
					 errdetail("Node ids must be bigint, integer or smallint.")));
		if (weight != NULL)
		{
			def->weight_attno = ResolveColumn(rel, weight, "weight", &def->weight_type);
			if (def->weight_type != FLOAT4OID && def->weight_type != FLOAT8OID &&
				def->weight_type != INT2OID && def->weight_type != INT4OID &&
				def->weight_type != INT8OID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of relation \"%s\" has type %s, not real",
								weight, RelationGetRelationName(rel), format_type_be(def->weight_type)),
						 errdetail("Edge weights must be real, double precision or an integer type.")));
		}
		else
			def->weight_type = FLOAT4OID;
	}
	if (relation != NULL)
	{
		def->relation_attno = ResolveColumn(rel, relation, "relation", &type);
		if (type != TEXTOID && type != VARCHAROID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" has type %s, not text",
							relation, RelationGetRelationName(rel), format_type_be(type)),
					 errdetail("Relation types must be text or varchar.")));
	}
	table_close(rel, NoLock);
	return def;
}

/*
 * vecrag.graph_validate(graph, edges, src, dst, edge, relation, weight): check
 * what vecrag.create_graph is about to register.  The caller must be able
 * to read the table, and the index that outbound traversal needs must exist.
 */
PG_FUNCTION_INFO_V1(graph_validate);
Datum
graph_validate(PG_FUNCTION_ARGS)
{
	Oid			relid;
	GraphDef   *def;
	Relation	rel;

#define NAMEARG(n) (PG_ARGISNULL(n) ? NULL : NameStr(*PG_GETARG_NAME(n)))
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("graph name and edge table must not be null")));
	relid = PG_GETARG_OID(1);
	def = GraphResolve(text_to_cstring(PG_GETARG_TEXT_PP(0)), false, relid, NAMEARG(2),
					   NAMEARG(3), NAMEARG(4), NAMEARG(5), NAMEARG(6));
#undef NAMEARG
	rel = GraphOpenTable(def);
	if (!GraphHasIndex(def, rel, false))
	{
		if (def->edge_attno != InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("table %s has no btree index on vecrag.edge_src(%s)",
							def->relname, get_attname(relid, def->edge_attno, false)),
					 errdetail("Traversal reads each node's edges through a btree index whose first key is the edge's source."),
					 errhint("CREATE INDEX ON %s (vecrag.edge_src(%s));",
							 def->relname, get_attname(relid, def->edge_attno, false))));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("table %s has no btree index on column \"%s\"",
						def->relname, get_attname(relid, def->src_attno, false)),
				 errdetail("Traversal reads each node's edges through a btree index whose first key is the source column."),
				 errhint("CREATE INDEX ON %s (%s) INCLUDE (%s); an index on the target column as well allows direction 'in' and 'both'.",
						 def->relname, get_attname(relid, def->src_attno, false),
						 get_attname(relid, def->dst_attno, false))));
	}
	table_close(rel, NoLock);
	PG_RETURN_VOID();
}

/* 'out', 'in' or 'both' */
GraphDirection
GraphParseDirection(text *direction)
{
	char	   *s;

	if (direction == NULL)
		return GRAPH_OUT;
	s = text_to_cstring(direction);
	if (pg_strcasecmp(s, "out") == 0)
		return GRAPH_OUT;
	if (pg_strcasecmp(s, "in") == 0)
		return GRAPH_IN;
	if (pg_strcasecmp(s, "both") == 0)
		return GRAPH_BOTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid direction \"%s\"", s),
			 errhint("Use 'out' (follow src -> dst), 'in' (follow dst -> src) or 'both'.")));
	return GRAPH_OUT;			/* keep compiler quiet */
}

/*
 * The relation filter from a text[] argument; NULL (follow every relation)
 * when the argument is NULL.  A filter on a graph without a relation column
 * is an error, not a silent no-op.
 */
GraphRelationFilter *
GraphRelationFilterFromArray(ArrayType *relations, const GraphDef *def)
{
	GraphRelationFilter *filter;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;

	if (relations == NULL)
		return NULL;
	if (def->relation_attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("graph \"%s\" has no relation column", def->name),
				 errhint("Register the graph with relation => 'column' to filter by relation.")));
	if (ARR_NDIM(relations) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("relations must be a one-dimensional array")));
	deconstruct_array(relations, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	filter = palloc(sizeof(GraphRelationFilter));
	filter->names = palloc(sizeof(char *) * Max(n, 1));
	filter->lengths = palloc(sizeof(int) * Max(n, 1));
	filter->count = 0;
	for (i = 0; i < n; i++)
	{
		text	   *t;

		if (nulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		filter->names[filter->count] = VARDATA_ANY(t);
		filter->lengths[filter->count] = VARSIZE_ANY_EXHDR(t);
		filter->count++;
	}
	return filter;
}

/* Does a relation value pass the filter?  NULL relations never do. */
bool
GraphRelationMatches(const GraphRelationFilter *filter, const char *relation, int len)
{
	int			i;

	if (filter == NULL)
		return true;
	if (len < 0)
		return false;
	for (i = 0; i < filter->count; i++)
		if (filter->lengths[i] == len && memcmp(filter->names[i], relation, len) == 0)
			return true;
	return false;
}

/*
 * Open a graph's table for reading as the current user: SELECT privilege on
 * the table (or on every column the graph uses) is required.  Where
 * row-level security applies (def->rls), readers take the edges from an
 * SPI query instead (rls.c).  The returned relation holds AccessShareLock
 * until the end of the transaction.
 */
Relation
GraphOpenTable(const GraphDef *def)
{
	Relation	rel = table_open(def->relid, AccessShareLock);
	Oid			user = GetUserId();

	if (pg_class_aclcheck(def->relid, user, ACL_SELECT) != ACLCHECK_OK)
	{
		AttrNumber	cols[5] = {def->src_attno, def->dst_attno, def->edge_attno,
		def->relation_attno, def->weight_attno};
		int			i;

		for (i = 0; i < 5; i++)
			if (cols[i] != InvalidAttrNumber &&
				pg_attribute_aclcheck(def->relid, cols[i], user, ACL_SELECT) != ACLCHECK_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied for table %s", def->relname),
						 errdetail("Reading graph \"%s\" needs SELECT on its edge table or its graph columns.", def->name)));
	}
	return rel;
}

int64
GraphWorkMemBytes(void)
{
	return (int64) work_mem * 1024;
}

/* Error out when the memory of cxt (and its children) exceeds work_mem. */
void
GraphCheckMemory(MemoryContext cxt, const char *what)
{
	if ((int64) MemoryContextMemAllocated(cxt, true) > GraphWorkMemBytes())
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s needs more memory than work_mem (%d kB) allows", what, work_mem),
				 errhint("Raise work_mem for this session (for example SET work_mem = '256MB'), or narrow the call: lower max_depth, set max_nodes or max_fanout, or filter relations.")));
}
