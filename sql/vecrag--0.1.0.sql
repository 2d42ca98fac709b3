-- vecrag 0.1.0 install script.
-- pgvector's names (types, operators, functions, opclasses) go in the schema the
-- extension is installed into; everything vecrag adds goes in schema vecrag.
-- Sections, in dependency order, one per room; each room edits only its own.

\echo Use "CREATE EXTENSION vecrag" to load this file. \quit

CREATE SCHEMA vecrag;
GRANT USAGE ON SCHEMA vecrag TO PUBLIC;

-------------------------------------------------------------------------------
-- section: vector type (src/vector)
-------------------------------------------------------------------------------

CREATE TYPE vector;

CREATE FUNCTION vector_in(cstring, oid, integer) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_out(vector) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_out(integer) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_recv(internal, oid, integer) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_send(vector) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE vector (
	INPUT     = vector_in,
	OUTPUT    = vector_out,
	TYPMOD_IN = vector_typmod_in,
	TYPMOD_OUT = vector_typmod_out,
	RECEIVE   = vector_recv,
	SEND      = vector_send,
	STORAGE   = external
);

CREATE FUNCTION vector(vector, integer, boolean) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (vector AS vector)
	WITH FUNCTION vector(vector, integer, boolean) AS IMPLICIT;

CREATE FUNCTION l2_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l1_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_dims(vector) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_norm(vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- index support: squared L2 and negated inner product order like <-> and <#>
CREATE FUNCTION vector_l2_squared_distance(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_negative_inner_product(vector, vector) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR <-> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l2_distance,
	COMMUTATOR = '<->'
);
CREATE OPERATOR <#> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_negative_inner_product,
	COMMUTATOR = '<#>'
);
CREATE OPERATOR <=> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = cosine_distance,
	COMMUTATOR = '<=>'
);
CREATE OPERATOR <+> (
	LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l1_distance,
	COMMUTATOR = '<+>'
);

-------------------------------------------------------------------------------
-- section: halfvec, sparsevec and bit vectors (src/vector)
-------------------------------------------------------------------------------

-------------------------------------------------------------------------------
-- section: distance kernels (src/core)
-------------------------------------------------------------------------------

-------------------------------------------------------------------------------
-- section: hnsw access method (src/hnsw)
-------------------------------------------------------------------------------

-------------------------------------------------------------------------------
-- section: ivf access method (src/ivf)
-------------------------------------------------------------------------------

-------------------------------------------------------------------------------
-- section: index opclasses for halfvec, sparsevec and bit (src/hnsw, src/ivf)
-------------------------------------------------------------------------------

-------------------------------------------------------------------------------
-- section: graph edges and traversal (src/graph)
-------------------------------------------------------------------------------

-- vecrag.edge: a directed, weighted edge (src bigint, dst bigint, weight real
-- default 1), written '1->2' or '1->2:0.5'.
CREATE TYPE vecrag.edge;

CREATE FUNCTION vecrag.edge_in(cstring) RETURNS vecrag.edge
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_out(vecrag.edge) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_recv(internal) RETURNS vecrag.edge
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_send(vecrag.edge) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE vecrag.edge (
	INPUT = vecrag.edge_in,
	OUTPUT = vecrag.edge_out,
	RECEIVE = vecrag.edge_recv,
	SEND = vecrag.edge_send,
	INTERNALLENGTH = 24,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE vecrag.edge IS 'directed weighted graph edge src->dst:weight';

CREATE FUNCTION vecrag.edge(src bigint, dst bigint, weight real DEFAULT 1) RETURNS vecrag.edge
	AS 'MODULE_PATHNAME', 'edge_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_src(vecrag.edge) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_dst(vecrag.edge) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_weight(vecrag.edge) RETURNS real
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vecrag.edge_cmp(vecrag.edge, vecrag.edge) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_eq(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_ne(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_lt(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_le(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_gt(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_ge(vecrag.edge, vecrag.edge) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.edge_hash(vecrag.edge) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The comparison operators live in the extension's schema, beside pgvector's
-- operators: an operator in schema vecrag would need OPERATOR(vecrag.=) unless
-- vecrag is on search_path, and operators on our own type cannot collide
-- with a user's.
CREATE OPERATOR = (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_eq,
	COMMUTATOR = '=', NEGATOR = '<>', RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_ne,
	COMMUTATOR = '<>', NEGATOR = '=', RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_lt,
	COMMUTATOR = '>', NEGATOR = '>=', RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_le,
	COMMUTATOR = '>=', NEGATOR = '>', RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_gt,
	COMMUTATOR = '<', NEGATOR = '<=', RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = vecrag.edge, RIGHTARG = vecrag.edge, PROCEDURE = vecrag.edge_ge,
	COMMUTATOR = '<=', NEGATOR = '<', RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS vecrag.edge_ops
	DEFAULT FOR TYPE vecrag.edge USING btree AS
	OPERATOR 1 < ,
	OPERATOR 2 <= ,
	OPERATOR 3 = ,
	OPERATOR 4 >= ,
	OPERATOR 5 > ,
	FUNCTION 1 vecrag.edge_cmp(vecrag.edge, vecrag.edge);

CREATE OPERATOR CLASS vecrag.edge_ops
	DEFAULT FOR TYPE vecrag.edge USING hash AS
	OPERATOR 1 = ,
	FUNCTION 1 vecrag.edge_hash(vecrag.edge);

-- Registered graphs.  One row per graph; either src_column and dst_column
-- or edge_column is set.  Rows belong to the role that registered them:
-- everyone may read the list, only members of the owning role may drop a
-- graph.  A trigger enforces that (row-level security would make pg_dump by
-- a non-superuser fail on this table).  A definition grants nothing: every
-- call checks the caller's privileges on the edge table.
CREATE TABLE vecrag.graph_definitions (
	name			text PRIMARY KEY,
	edge_table		regclass NOT NULL,
	src_column		name,
	dst_column		name,
	edge_column		name,
	relation_column	name,
	weight_column	name,
	owner			regrole NOT NULL DEFAULT current_user::regrole,
	created_at		timestamptz NOT NULL DEFAULT now(),
	CHECK ((edge_column IS NULL) = (src_column IS NOT NULL AND dst_column IS NOT NULL)),
	CHECK (edge_column IS NULL OR (src_column IS NULL AND dst_column IS NULL))
);
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_definitions', '');

CREATE FUNCTION vecrag.graph_definitions_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF NOT pg_has_role(OLD.owner, 'MEMBER') THEN
			RAISE EXCEPTION 'must be a member of role % to drop graph "%"', OLD.owner, OLD.name
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		RETURN OLD;
	END IF;
	IF NOT pg_has_role(NEW.owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role % to register graph "%" for it', NEW.owner, NEW.name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER graph_definitions_check BEFORE INSERT OR DELETE ON vecrag.graph_definitions
	FOR EACH ROW EXECUTE FUNCTION vecrag.graph_definitions_check();
GRANT SELECT, INSERT, DELETE ON vecrag.graph_definitions TO PUBLIC;

CREATE VIEW vecrag.graphs AS
	SELECT name, edge_table, src_column, dst_column, edge_column,
		relation_column, weight_column, owner, created_at
	FROM vecrag.graph_definitions;
GRANT SELECT ON vecrag.graphs TO PUBLIC;

-- Checks what create_graph is about to register (columns, types, index,
-- the caller's privileges); errors name the table and column.
CREATE FUNCTION vecrag.graph_validate(graph text, edges regclass, src name, dst name,
		edge name, relation name, weight name) RETURNS void
	AS 'MODULE_PATHNAME', 'graph_validate' LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION vecrag.create_graph(name text, edges regclass,
		src name DEFAULT 'src', dst name DEFAULT 'dst',
		relation name DEFAULT NULL, weight name DEFAULT NULL)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR edges IS NULL OR src IS NULL OR dst IS NULL THEN
		RAISE EXCEPTION 'graph name, edge table, src and dst must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM vecrag.graph_validate(create_graph.name, edges, src, dst, NULL, relation, weight);
	INSERT INTO vecrag.graph_definitions (name, edge_table, src_column, dst_column,
		relation_column, weight_column)
	VALUES (create_graph.name, edges, src, dst, relation, weight);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'graph "%" already exists', create_graph.name
		USING ERRCODE = 'duplicate_object',
		HINT = 'Drop it first with vecrag.drop_graph, or choose another name.';
END
$$;

CREATE FUNCTION vecrag.create_graph(name text, edges regclass, edge name,
		relation name DEFAULT NULL)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR edges IS NULL OR edge IS NULL THEN
		RAISE EXCEPTION 'graph name, edge table and edge column must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM vecrag.graph_validate(create_graph.name, edges, NULL, NULL, edge, relation, NULL);
	INSERT INTO vecrag.graph_definitions (name, edge_table, edge_column, relation_column)
	VALUES (create_graph.name, edges, edge, relation);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'graph "%" already exists', create_graph.name
		USING ERRCODE = 'duplicate_object',
		HINT = 'Drop it first with vecrag.drop_graph, or choose another name.';
END
$$;

CREATE FUNCTION vecrag.drop_graph(name text, if_exists boolean DEFAULT false)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_owner regrole;
BEGIN
	SELECT g.owner INTO found_owner FROM vecrag.graph_definitions g
		WHERE g.name = drop_graph.name;
	IF NOT FOUND THEN
		IF if_exists THEN
			RAISE NOTICE 'graph "%" does not exist, skipping', drop_graph.name;
			RETURN;
		END IF;
		RAISE EXCEPTION 'graph "%" does not exist', drop_graph.name
			USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT pg_has_role(found_owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role % to drop graph "%"',
			found_owner, drop_graph.name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM vecrag.graph_definitions g WHERE g.name = drop_graph.name;
END
$$;

CREATE FUNCTION vecrag.traverse(graph text, seeds bigint[],
		max_depth integer DEFAULT 2, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL, max_fanout integer DEFAULT NULL,
		max_nodes integer DEFAULT NULL, count_degree boolean DEFAULT true)
	RETURNS TABLE (id bigint, depth integer, path vecrag.edge[],
		path_weight double precision, degree integer, relation_path text[])
	AS 'MODULE_PATHNAME', 'graph_traverse'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 100;

CREATE FUNCTION vecrag.shortest_path(graph text, source bigint, target bigint,
		weighted boolean DEFAULT false, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL)
	RETURNS TABLE (depth integer, id bigint, edge vecrag.edge, relation text,
		path_weight double precision)
	AS 'MODULE_PATHNAME', 'graph_shortest_path'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10;

CREATE FUNCTION vecrag.pagerank(graph text, seeds bigint[] DEFAULT NULL,
		seed_weights double precision[] DEFAULT NULL,
		damping double precision DEFAULT 0.85, max_iterations integer DEFAULT 100,
		tolerance double precision DEFAULT 1e-6, restrict_to bigint[] DEFAULT NULL,
		top_n integer DEFAULT NULL, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL, weighted boolean DEFAULT false)
	RETURNS TABLE (id bigint, score double precision, rank integer)
	AS 'MODULE_PATHNAME', 'graph_pagerank'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;

CREATE FUNCTION vecrag.communities(graph text, resolution double precision DEFAULT 1.0,
		max_levels integer DEFAULT 10, relations text[] DEFAULT NULL,
		weighted boolean DEFAULT false)
	RETURNS TABLE (id bigint, level integer, community bigint)
	AS 'MODULE_PATHNAME', 'graph_communities'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;

-------------------------------------------------------------------------------
-- section: hybrid search, fusion and rerank (src/search)
-------------------------------------------------------------------------------
