-- Graph registration and traversal on a small hand-made graph with a cycle,
-- a self-loop, a duplicate edge, dangling ids and NULL src/dst rows.
-- Results are compared with a recursive CTE (distinct nodes at minimum depth).
CREATE TABLE kg (src bigint, dst bigint, relation text, weight real);
INSERT INTO kg VALUES
	(1, 2, 'a', 1), (1, 2, 'a', 1),			-- duplicate edge
	(2, 3, 'a', 2), (3, 1, 'b', 1),			-- cycle 1 -> 2 -> 3 -> 1
	(3, 4, 'a', 1), (4, 4, 'a', 1),			-- self-loop
	(4, 5, 'b', 0.5), (5, 6, 'a', 1), (6, 3, 'b', 3),
	(2, 7, 'c', 1), (7, 8, 'a', 1),
	(8, NULL, 'a', 1), (NULL, 1, 'a', 1),	-- NULL ends are skipped
	(9, 10, 'a', 1), (10, 99, NULL, 1);		-- 99 has no row of its own

-- registration is validated up front
SELECT vecrag.create_graph('kg', 'kg', relation => 'relation', weight => 'weight');
CREATE INDEX kg_src ON kg (src) INCLUDE (dst, relation, weight);
SELECT vecrag.create_graph('kg', 'no_such_table');
SELECT vecrag.create_graph('kg', 'kg', src => 'source');
SELECT vecrag.create_graph('kg', 'kg', relation => 'rel');
SELECT vecrag.create_graph('kg', 'kg', weight => 'relation');
SELECT vecrag.create_graph('kg', 'kg', src => 'relation', dst => 'dst');
SELECT vecrag.create_graph('kg', 'kg', relation => 'weight');
SELECT vecrag.create_graph(NULL, 'kg');
SELECT vecrag.create_graph('kg', 'kg', relation => 'relation', weight => 'weight');
SELECT vecrag.create_graph('kg', 'kg');
SELECT name, edge_table, src_column, dst_column, edge_column, relation_column, weight_column
FROM vecrag.graphs ORDER BY name;

-- out, depth 3
SELECT * FROM vecrag.traverse('kg', ARRAY[1], max_depth => 3) ORDER BY depth, id;
-- the same nodes and depths as the recursive CTE, for several depths
CREATE FUNCTION cte_out(seeds bigint[], k int) RETURNS TABLE (id bigint, depth int)
LANGUAGE sql AS $$
	WITH RECURSIVE r(id, depth) AS (
		SELECT s, 0 FROM unnest(seeds) s WHERE s IS NOT NULL
		UNION
		SELECT e.dst, r.depth + 1 FROM r JOIN kg e ON e.src = r.id
		WHERE r.depth < k AND e.dst IS NOT NULL)
	SELECT id, min(depth)::int FROM r GROUP BY id
$$;
SELECT k, (SELECT count(*) FROM (
		(SELECT id, depth FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => k)
		 EXCEPT SELECT * FROM cte_out(ARRAY[1, 9], k))
		UNION ALL
		(SELECT * FROM cte_out(ARRAY[1, 9], k)
		 EXCEPT SELECT id, depth FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => k))) d) AS differences,
	(SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => k)) AS nodes
FROM generate_series(0, 6) k;
-- every path is a real path of the graph, from a seed, of length depth,
-- ending at id, with path_weight the sum of its weights
SELECT count(*) AS bad_paths
FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => 5) t
WHERE cardinality(t.path) <> t.depth
   OR (t.depth > 0 AND (vecrag.edge_src(t.path[1]) NOT IN (1, 9)
		OR vecrag.edge_dst(t.path[t.depth]) <> t.id))
   OR abs(t.path_weight - (SELECT coalesce(sum(vecrag.edge_weight(p)), 0) FROM unnest(t.path) p)) > 1e-9
   OR EXISTS (SELECT 1 FROM generate_series(1, t.depth) i
		WHERE NOT EXISTS (SELECT 1 FROM kg WHERE src = vecrag.edge_src(t.path[i])
			AND dst = vecrag.edge_dst(t.path[i]) AND weight = vecrag.edge_weight(t.path[i]))
		   OR (i > 1 AND vecrag.edge_src(t.path[i]) <> vecrag.edge_dst(t.path[i - 1])));
-- degree is the out-degree (edges with a non-NULL target), duplicates and self-loops included
SELECT t.id, t.degree, (SELECT count(*) FROM kg WHERE src = t.id AND dst IS NOT NULL) AS expected
FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => 1) t ORDER BY t.id;

-- count_degree => false skips counting (degree is NULL), nothing else changes
SELECT count(*) FILTER (WHERE degree IS NULL) AS null_degrees, count(*) AS nodes
FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => 3, count_degree => false);
SELECT count(*) FROM (
	SELECT id, depth, path, path_weight, relation_path FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => 3, count_degree => false)
	EXCEPT
	SELECT id, depth, path, path_weight, relation_path FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => 3)) d;

-- seeds: NULLs and duplicates dropped, unknown ids returned at depth 0
SELECT id, depth, degree FROM vecrag.traverse('kg', ARRAY[5, NULL, 5, 1000], max_depth => 1)
ORDER BY depth, id;
SELECT count(*) FROM vecrag.traverse('kg', NULL);
SELECT count(*) FROM vecrag.traverse('kg', '{}');

-- relation filter
SELECT id, depth, relation_path FROM vecrag.traverse('kg', ARRAY[1], max_depth => 4, relations => ARRAY['a'])
ORDER BY depth, id;
SELECT id, depth FROM vecrag.traverse('kg', ARRAY[1], max_depth => 4, relations => ARRAY['a', 'c'])
ORDER BY depth, id;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1], max_depth => 4, relations => '{}');

-- caps: fan-out per node, and nodes returned (stops in breadth-first order)
SELECT id, depth, degree FROM vecrag.traverse('kg', ARRAY[2], max_depth => 2, max_fanout => 1)
ORDER BY depth, id;
SELECT id, depth, degree FROM vecrag.traverse('kg', ARRAY[1], max_depth => 10, max_nodes => 3)
ORDER BY depth, id;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1], max_depth => 10, max_fanout => 0);

-- without an index on dst, shortest paths search from the source only
SELECT * FROM vecrag.shortest_path('kg', 6, 7);
SELECT * FROM vecrag.shortest_path('kg', 1, 99);
-- direction in and both need an index on dst
SELECT * FROM vecrag.traverse('kg', ARRAY[3], direction => 'in');
CREATE INDEX kg_dst ON kg (dst);
SELECT id, depth, path, degree FROM vecrag.traverse('kg', ARRAY[3], max_depth => 2, direction => 'in')
ORDER BY depth, id;
SELECT id, depth, degree FROM vecrag.traverse('kg', ARRAY[99], max_depth => 3, direction => 'both')
ORDER BY depth, id;
SELECT count(*) FROM (
	(SELECT id, depth FROM vecrag.traverse('kg', ARRAY[6], max_depth => 3, direction => 'both')
	 EXCEPT
	 SELECT id, min(depth)::int FROM (WITH RECURSIVE r(id, depth) AS (
		SELECT 6::bigint, 0
		UNION
		SELECT CASE WHEN e.src = r.id THEN e.dst ELSE e.src END, r.depth + 1
		FROM r JOIN kg e ON (e.src = r.id OR e.dst = r.id)
		WHERE r.depth < 3 AND e.src IS NOT NULL AND e.dst IS NOT NULL)
		SELECT * FROM r) x GROUP BY id)) d;

-- bad arguments
SELECT * FROM vecrag.traverse('kg', ARRAY[1], max_depth => -1);
SELECT * FROM vecrag.traverse('kg', ARRAY[1], max_depth => NULL);
SELECT * FROM vecrag.traverse('kg', ARRAY[1], direction => 'sideways');
SELECT * FROM vecrag.traverse('kg', ARRAY[1], max_fanout => -1);
SELECT * FROM vecrag.traverse('kg', ARRAY[1], max_nodes => 0);
SELECT * FROM vecrag.traverse('nope', ARRAY[1]);
SELECT * FROM vecrag.traverse(NULL, ARRAY[1]);
SELECT * FROM vecrag.traverse('kg', ARRAY[[1, 2], [3, 4]]);

-- work_mem caps the traversal's memory
CREATE TABLE big_fan AS SELECT 0::bigint AS src, g::bigint AS dst FROM generate_series(1, 200000) g;
CREATE INDEX ON big_fan (src) INCLUDE (dst);
SELECT vecrag.create_graph('big_fan', 'big_fan');
SET work_mem = '1MB';
SELECT count(*) FROM vecrag.traverse('big_fan', ARRAY[0], max_depth => 1);
SELECT count(*) FROM vecrag.traverse('big_fan', ARRAY[0], max_depth => 1, max_nodes => 1000);
RESET work_mem;
SELECT vecrag.drop_graph('big_fan');
DROP TABLE big_fan;

-- shortest paths
SELECT * FROM vecrag.shortest_path('kg', 1, 6);
SELECT * FROM vecrag.shortest_path('kg', 1, 6, weighted => true);
SELECT * FROM vecrag.shortest_path('kg', 6, 7);
SELECT * FROM vecrag.shortest_path('kg', 8, 1);						-- no path: empty
SELECT * FROM vecrag.shortest_path('kg', 8, 1, direction => 'in');
SELECT * FROM vecrag.shortest_path('kg', 8, 99, direction => 'both');
SELECT * FROM vecrag.shortest_path('kg', 4, 4);
SELECT * FROM vecrag.shortest_path('kg', 1, 5, relations => ARRAY['a']);	-- only via 'b'
SELECT * FROM vecrag.shortest_path('kg', 1000, 1);
SELECT * FROM vecrag.shortest_path('kg', NULL, 1);
SELECT * FROM vecrag.shortest_path('kg', 1, 99, weighted => true, direction => 'both');
-- the hop count equals the CTE's minimum depth for every reachable pair
SELECT count(*) AS mismatches
FROM (SELECT s, t.id, t.depth FROM unnest(ARRAY[1, 2, 4, 6, 9]) s,
		LATERAL vecrag.traverse('kg', ARRAY[s::bigint], max_depth => 10) t) r
WHERE r.depth <> (SELECT max(depth) FROM vecrag.shortest_path('kg', r.s, r.id));
INSERT INTO kg VALUES (2, 6, 'a', -1);
SELECT * FROM vecrag.shortest_path('kg', 1, 6, weighted => true);
DELETE FROM kg WHERE weight < 0;

-- the edge form: one vecrag.edge column, indexed by expression
CREATE TABLE kg_edges (e vecrag.edge, relation text);
INSERT INTO kg_edges SELECT vecrag.edge(src, dst, weight), relation FROM kg
	WHERE src IS NOT NULL AND dst IS NOT NULL;
INSERT INTO kg_edges VALUES (NULL, 'a');
SELECT vecrag.create_graph('kg_edges', 'kg_edges', edge => 'e', relation => 'relation');
CREATE INDEX ON kg_edges (vecrag.edge_src(e));
SELECT vecrag.create_graph('kg_edges', 'kg_edges', edge => 'relation');
SELECT vecrag.create_graph('kg_edges', 'kg_edges', edge => 'e', relation => 'relation');
SELECT count(*) FROM (
	SELECT id, depth, path, path_weight, degree FROM vecrag.traverse('kg_edges', ARRAY[1, 9], max_depth => 4)
	EXCEPT
	SELECT id, depth, path, path_weight, degree FROM vecrag.traverse('kg', ARRAY[1, 9], max_depth => 4)) d;
SELECT * FROM vecrag.traverse('kg_edges', ARRAY[3], direction => 'in');
CREATE INDEX ON kg_edges (vecrag.edge_dst(e)) INCLUDE (e);
SELECT id, depth, path FROM vecrag.traverse('kg_edges', ARRAY[3], max_depth => 2, direction => 'in')
ORDER BY depth, id;
SELECT * FROM vecrag.shortest_path('kg_edges', 1, 6, weighted => true);

-- privileges and row-level security
CREATE ROLE regress_graph_user;
GRANT USAGE ON SCHEMA public TO regress_graph_user;
SET ROLE regress_graph_user;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);
SELECT vecrag.create_graph('kg2', 'kg');
-- only members of the registering role may drop a graph, also by direct DML
-- (the owner's name depends on the installation, so only the SQLSTATE is shown)
DO $$ BEGIN PERFORM vecrag.drop_graph('kg');
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'drop_graph: insufficient privilege'; END $$;
DO $$ BEGIN DELETE FROM vecrag.graph_definitions WHERE name = 'kg';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'DELETE: insufficient privilege'; END $$;
DO $$ BEGIN INSERT INTO vecrag.graph_definitions (name, edge_table, src_column, dst_column, owner)
	SELECT 'fake', 'kg', 'src', 'dst', owner FROM vecrag.graph_definitions WHERE name = 'kg';
EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'INSERT for another role: insufficient privilege'; END $$;
UPDATE vecrag.graph_definitions SET edge_table = 'pg_class' WHERE name = 'kg';
SELECT count(*) FROM vecrag.graphs;
RESET ROLE;
GRANT SELECT (src, dst, relation, weight) ON kg TO regress_graph_user;
SET ROLE regress_graph_user;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);
RESET ROLE;
ALTER TABLE kg ENABLE ROW LEVEL SECURITY;
CREATE POLICY kg_only_a ON kg FOR SELECT USING (relation = 'a');
-- the policy applies: only edges with relation 'a' exist for the user
SET ROLE regress_graph_user;
SELECT id, depth, path, relation_path FROM vecrag.traverse('kg', ARRAY[1], max_depth => 5)
ORDER BY depth, id;
SELECT id, depth, path FROM vecrag.traverse('kg', ARRAY[3], max_depth => 5, direction => 'in')
ORDER BY depth, id;
SELECT depth, id, edge FROM vecrag.shortest_path('kg', 1, 3);
SELECT id, round(score::numeric, 4) FROM vecrag.pagerank('kg') ORDER BY id;
SELECT id, level, community FROM vecrag.communities('kg') ORDER BY level, id;
RESET ROLE;
-- the same reads by the owner, who is not subject to the policy
SELECT id, depth, path, relation_path FROM vecrag.traverse('kg', ARRAY[1], max_depth => 5)
ORDER BY depth, id;
SELECT id, round(score::numeric, 4) FROM vecrag.pagerank('kg') ORDER BY id;
-- a policy that depends on the role: the user sees one more edge than before
CREATE POLICY kg_user_b ON kg FOR SELECT TO regress_graph_user USING (relation = 'b' AND src = 4);
SET ROLE regress_graph_user;
SELECT id, depth, path, relation_path FROM vecrag.traverse('kg', ARRAY[1], max_depth => 5)
ORDER BY depth, id;
-- row_security = off: an error rather than edges read past the policy
SET row_security = off;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);
RESET row_security;
RESET ROLE;
DROP POLICY kg_user_b ON kg;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);	-- the owner is not subject to RLS
ALTER TABLE kg DISABLE ROW LEVEL SECURITY;
DROP POLICY kg_only_a ON kg;
REVOKE ALL ON kg FROM regress_graph_user;
REVOKE ALL ON SCHEMA public FROM regress_graph_user;
DROP ROLE regress_graph_user;

-- stale definitions are reported by name
ALTER TABLE kg RENAME COLUMN relation TO rel;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);
ALTER TABLE kg RENAME COLUMN rel TO relation;
DROP INDEX kg_src;
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);
CREATE INDEX kg_src_partial ON kg (src) WHERE relation = 'a';
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);
CREATE INDEX kg_src ON kg (src);
SELECT count(*) FROM vecrag.traverse('kg', ARRAY[1]);

SELECT vecrag.drop_graph('kg_edges');
SELECT vecrag.drop_graph('kg_edges');
SELECT vecrag.drop_graph('kg_edges', if_exists => true);
DROP TABLE kg_edges;
SELECT name FROM vecrag.graphs ORDER BY name;
