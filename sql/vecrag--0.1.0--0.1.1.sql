-- vecrag upgrade script from 0.1.0 to 0.1.1: the same changes as sql/vecrag.sql made since
-- 0.1.0, in the same sections. test/t/083_extension_upgrade.pl checks the two agree.

\echo Use "ALTER EXTENSION vecrag UPDATE TO '0.1.1'" to load this file. \quit

-------------------------------------------------------------------------------
-- section: vector type (src/vector)

-------------------------------------------------------------------------------
-- section: halfvec, sparsevec and bit vectors (src/vector)

-------------------------------------------------------------------------------
-- section: hnsw access method (src/hnsw)

-------------------------------------------------------------------------------
-- section: ivf access method (src/ivf)

-------------------------------------------------------------------------------
-- section: graph edges and traversal (src/graph)

-- The adjacency cache (src/graph/cache.c).  vecrag.set_graph_cache puts a
-- statement trigger on a graph's edge table that moves the table's row
-- here to a fresh version before any statement writes edges, in the same
-- transaction; the version a snapshot sees then identifies the edges it
-- sees, and backends keep the table's adjacency in memory under it.
CREATE SEQUENCE vecrag.graph_version_seq;
-- dumped with its value: a restored database must never hand out a version
-- that a restored vecrag.graph_versions row already holds
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_version_seq', '');
CREATE TABLE vecrag.graph_versions (
	edge_table		regclass PRIMARY KEY,
	version			bigint NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_versions', '');
GRANT SELECT ON vecrag.graph_versions TO PUBLIC;

CREATE FUNCTION vecrag.graph_edges_changed() RETURNS trigger
	LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE vecrag.graph_versions
		SET version = nextval('vecrag.graph_version_seq'::regclass)
		WHERE edge_table = TG_RELID;
	RETURN NULL;
END
$$;

-- Makes a table's version row agree with its cache trigger: a row with a
-- fresh version when the trigger exists, none otherwise; drops the rows of
-- tables that no longer exist.  Anyone may call it: a fresh version is never
-- one a cache was built under.
CREATE FUNCTION vecrag.graph_cache_sync(edges regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = edges
			AND t.tgfoid = 'vecrag.graph_edges_changed()'::regprocedure) THEN
		INSERT INTO vecrag.graph_versions (edge_table, version)
			VALUES (edges, nextval('vecrag.graph_version_seq'::regclass))
			ON CONFLICT (edge_table) DO NOTHING;
	ELSE
		DELETE FROM vecrag.graph_versions v WHERE v.edge_table = edges;
	END IF;
	-- rows of tables dropped since (DROP TABLE takes the trigger, not the row)
	DELETE FROM vecrag.graph_versions v
		WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = v.edge_table);
END
$$;

-- Turns the adjacency cache on (or off) for a graph's edge table, so for
-- every graph registered on that table.  Needs ownership of the table.
CREATE FUNCTION vecrag.set_graph_cache(graph text, enabled boolean DEFAULT true)
	RETURNS void LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl regclass;
BEGIN
	SELECT g.edge_table INTO tbl FROM vecrag.graph_definitions g WHERE g.name = graph;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'graph "%" does not exist', graph
			USING ERRCODE = 'undefined_object';
	END IF;
	IF enabled THEN
		IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl
				AND t.tgname = 'vecrag_graph_cache') THEN
			EXECUTE format('CREATE TRIGGER vecrag_graph_cache BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION vecrag.graph_edges_changed()', tbl);
		END IF;
		-- fire under session_replication_role = replica too
		EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER vecrag_graph_cache', tbl);
	ELSE
		EXECUTE format('DROP TRIGGER IF EXISTS vecrag_graph_cache ON %s', tbl);
	END IF;
	PERFORM vecrag.graph_cache_sync(tbl);
END
$$;

-- This backend's adjacency cache entries (memory in bytes; which parts are
-- built: out-edges, in-edges, the whole edge list for PageRank and
-- communities; whether the graph was too big for vecrag.graph_cache_size).
CREATE FUNCTION vecrag.graph_cache_entries()
	RETURNS TABLE (edge_table regclass, version bigint, bytes bigint,
		out_edges boolean, in_edges boolean, whole_graph boolean,
		too_big boolean, edges bigint)
	AS 'MODULE_PATHNAME', 'graph_cache_entries'
	LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 10;

CREATE OR REPLACE VIEW vecrag.graphs AS
	SELECT name, edge_table, src_column, dst_column, edge_column,
		relation_column, weight_column, owner, created_at,
		EXISTS (SELECT 1 FROM vecrag.graph_versions v WHERE v.edge_table = d.edge_table)
			AS cached
	FROM vecrag.graph_definitions d;
GRANT SELECT ON vecrag.graphs TO PUBLIC;

-- drop_graph drops the cache trigger with the last graph on a table
CREATE OR REPLACE FUNCTION vecrag.drop_graph(name text, if_exists boolean DEFAULT false)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_owner regrole;
	tbl regclass;
BEGIN
	SELECT g.owner, g.edge_table INTO found_owner, tbl FROM vecrag.graph_definitions g
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
	-- the last graph on a table takes the table's cache trigger with it
	IF NOT EXISTS (SELECT 1 FROM vecrag.graph_definitions g WHERE g.edge_table = tbl)
			AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl
				AND t.tgname = 'vecrag_graph_cache') THEN
		IF pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = tbl), 'MEMBER') THEN
			EXECUTE format('DROP TRIGGER vecrag_graph_cache ON %s', tbl);
			PERFORM vecrag.graph_cache_sync(tbl);
		ELSE
			RAISE NOTICE 'the adjacency cache trigger on table % stays in place', tbl
				USING DETAIL = 'Only the owner of the table can drop it.',
				HINT = format('The table owner can run DROP TRIGGER vecrag_graph_cache ON %s.', tbl);
		END IF;
	END IF;
END
$$;

-- communities gained method ('louvain' or 'leiden')
DROP FUNCTION vecrag.communities(text, double precision, integer, text[], boolean);
CREATE FUNCTION vecrag.communities(graph text, resolution double precision DEFAULT 1.0,
		max_levels integer DEFAULT 10, relations text[] DEFAULT NULL,
		weighted boolean DEFAULT false, method text DEFAULT 'louvain')
	RETURNS TABLE (id bigint, level integer, community bigint)
	AS 'MODULE_PATHNAME', 'graph_communities'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;

-- traverse gained with_paths
DROP FUNCTION vecrag.traverse(text, bigint[], integer, text, text[], integer, integer, boolean);
CREATE FUNCTION vecrag.traverse(graph text, seeds bigint[],
		max_depth integer DEFAULT 2, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL, max_fanout integer DEFAULT NULL,
		max_nodes integer DEFAULT NULL, count_degree boolean DEFAULT true,
		with_paths boolean DEFAULT true)
	RETURNS TABLE (id bigint, depth integer, path vecrag.edge[],
		path_weight double precision, degree integer, relation_path text[])
	AS 'MODULE_PATHNAME', 'graph_traverse'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 100;


-------------------------------------------------------------------------------
-- section: hybrid search, fusion and rerank (src/search)
