-- PageRank and communities against reference values.
-- PageRank references: an independent power iteration (networkx 3.6
-- _pagerank_python, alpha 0.85, tol 1e-14) on the same multigraph.
CREATE TABLE pr_edges (src bigint, dst bigint, relation text, weight real);
INSERT INTO pr_edges VALUES
	(1, 2, 'a', 1), (1, 2, 'a', 1), (2, 3, 'a', 2), (3, 1, 'b', 1), (3, 4, 'a', 1),
	(4, 4, 'a', 1), (4, 5, 'b', 0.5), (5, 6, 'a', 1), (6, 3, 'b', 3), (2, 7, 'c', 1),
	(7, 8, 'a', 1), (8, NULL, 'a', 1), (NULL, 1, 'a', 1), (9, 10, 'a', 1), (10, 99, NULL, 1);
CREATE INDEX ON pr_edges (src);
SELECT vecrag.create_graph('pr', 'pr_edges', relation => 'relation', weight => 'weight');

CREATE TABLE pr_expected (name text, id bigint, score float8);
INSERT INTO pr_expected VALUES
	('global', 4, 0.160235), ('global', 3, 0.157727), ('global', 6, 0.104322),
	('global', 2, 0.103416), ('global', 5, 0.093201), ('global', 1, 0.092135),
	('global', 8, 0.083797), ('global', 7, 0.069053), ('global', 99, 0.064573),
	('global', 10, 0.046437), ('global', 9, 0.025101),
	('seed 1', 1, 0.277577), ('seed 1', 2, 0.235941), ('seed 1', 3, 0.129715),
	('seed 1', 7, 0.100275), ('seed 1', 4, 0.095876), ('seed 1', 8, 0.085234),
	('seed 1', 5, 0.040747), ('seed 1', 6, 0.034635),
	('seeds 1:3, 9:1', 1, 0.233111), ('seeds 1:3, 9:1', 2, 0.198145),
	('seeds 1:3, 9:1', 3, 0.108935), ('seeds 1:3, 9:1', 7, 0.084211),
	('seeds 1:3, 9:1', 4, 0.080517), ('seeds 1:3, 9:1', 8, 0.07158),
	('seeds 1:3, 9:1', 9, 0.062271), ('seeds 1:3, 9:1', 10, 0.052931),
	('seeds 1:3, 9:1', 99, 0.044991), ('seeds 1:3, 9:1', 5, 0.03422),
	('seeds 1:3, 9:1', 6, 0.029087);

SELECT id, round(score::numeric, 6) AS score, rank
FROM vecrag.pagerank('pr', tolerance => 1e-12, max_iterations => 1000);
-- every node within 1e-6 of the reference; nodes with score 0 are not returned
SELECT e.name, count(*) AS nodes, max(abs(e.score - p.score)) < 1e-6 AS matches
FROM pr_expected e
LEFT JOIN LATERAL (
	SELECT * FROM vecrag.pagerank('pr', tolerance => 1e-12, max_iterations => 1000,
		seeds => CASE e.name WHEN 'global' THEN NULL WHEN 'seed 1' THEN ARRAY[1::bigint]
			ELSE ARRAY[1::bigint, 9] END,
		seed_weights => CASE e.name WHEN 'seeds 1:3, 9:1' THEN ARRAY[3, 1]::float8[] END)) p
	ON p.id = e.id
GROUP BY e.name ORDER BY e.name;
SELECT count(*), round(sum(score)::numeric, 9) AS total
FROM vecrag.pagerank('pr', seeds => ARRAY[1], tolerance => 1e-12);
-- top_n and restrict_to (a subset's scores, ranked within the subset)
SELECT id, round(score::numeric, 6) AS score, rank
FROM vecrag.pagerank('pr', seeds => ARRAY[1], top_n => 3, tolerance => 1e-12);
SELECT id, round(score::numeric, 6) AS score, rank
FROM vecrag.pagerank('pr', seeds => ARRAY[1], restrict_to => ARRAY[8, 9, 5, 5, 12345], tolerance => 1e-12);
-- a seed that is not in the graph keeps all its mass
SELECT id, score, rank FROM vecrag.pagerank('pr', seeds => ARRAY[12345]);
-- max_iterations bounds the work: one Gauss-Seidel sweep from seed 1
-- (nodes in id order pull the scores already updated in the same sweep)
SELECT id, round(score::numeric, 6) AS score FROM vecrag.pagerank('pr', seeds => ARRAY[1], max_iterations => 1);
-- relation filter, in-direction (authority flows backwards), weights
SELECT id, round(score::numeric, 4) AS score, rank
FROM vecrag.pagerank('pr', seeds => ARRAY[1], relations => ARRAY['a'], top_n => 4);
CREATE INDEX ON pr_edges (dst);
-- (2 and 6 tie exactly at the fixed point: order them by id here)
SELECT id, round(score::numeric, 4) AS score
FROM vecrag.pagerank('pr', seeds => ARRAY[3], direction => 'in', top_n => 4, tolerance => 1e-12)
ORDER BY round(score::numeric, 4) DESC, id;
SELECT id, round(score::numeric, 4) AS score, rank
FROM vecrag.pagerank('pr', seeds => ARRAY[1], weighted => true, top_n => 3);
-- bad arguments
SELECT * FROM vecrag.pagerank('pr', damping => 1);
SELECT * FROM vecrag.pagerank('pr', damping => -0.1);
SELECT * FROM vecrag.pagerank('pr', max_iterations => 0);
SELECT * FROM vecrag.pagerank('pr', tolerance => -1);
SELECT * FROM vecrag.pagerank('pr', top_n => 0);
SELECT * FROM vecrag.pagerank('pr', seeds => '{}');
SELECT * FROM vecrag.pagerank('pr', seeds => ARRAY[1, 2], seed_weights => ARRAY[1]::float8[]);
SELECT * FROM vecrag.pagerank('pr', seeds => ARRAY[1, 2], seed_weights => ARRAY[1, -1]::float8[]);
SELECT * FROM vecrag.pagerank('pr', seeds => ARRAY[1, 2], seed_weights => ARRAY[0, 0]::float8[]);
INSERT INTO pr_edges VALUES (1, 3, 'a', -2);
SELECT * FROM vecrag.pagerank('pr', weighted => true);
SELECT count(*) FROM vecrag.pagerank('pr');	-- unweighted ignores the weights
CREATE TABLE pr_unweighted (src int, dst int);
CREATE INDEX ON pr_unweighted (src);
SELECT vecrag.create_graph('pr_unweighted', 'pr_unweighted');
SELECT * FROM vecrag.pagerank('pr_unweighted', weighted => true);
SELECT * FROM vecrag.pagerank('pr_unweighted');	-- empty graph: no rows
SELECT * FROM vecrag.pagerank('pr', relations => ARRAY['a']) LIMIT 0;
SELECT * FROM vecrag.pagerank('pr_unweighted', relations => ARRAY['a']);
SELECT vecrag.drop_graph('pr_unweighted');

-- Zachary's karate club (78 friendships, one row per friendship)
CREATE TABLE karate (src int, dst int);
INSERT INTO karate VALUES (1,2),(1,3),(1,4),(1,5),(1,6),(1,7),(1,8),(1,9),(1,11),(1,12),
	(1,13),(1,14),(1,18),(1,20),(1,22),(1,32),(2,3),(2,4),(2,8),(2,14),(2,18),(2,20),(2,22),
	(2,31),(3,4),(3,8),(3,9),(3,10),(3,14),(3,28),(3,29),(3,33),(4,8),(4,13),(4,14),(5,7),
	(5,11),(6,7),(6,11),(6,17),(7,17),(9,31),(9,33),(9,34),(10,34),(14,34),(15,33),(15,34),
	(16,33),(16,34),(19,33),(19,34),(20,34),(21,33),(21,34),(23,33),(23,34),(24,26),(24,28),
	(24,30),(24,33),(24,34),(25,26),(25,28),(25,32),(26,32),(27,30),(27,34),(28,34),(29,32),
	(29,34),(30,33),(30,34),(31,33),(31,34),(32,33),(32,34),(33,34);
CREATE INDEX ON karate (src);
SELECT vecrag.create_graph('karate', 'karate');
-- the club's split after the conflict: Mr. Hi's faction (node 1) and the officer's (34)
CREATE TABLE karate_faction (id bigint, faction text);
INSERT INTO karate_faction SELECT g, CASE WHEN g IN (10,15,16,19,21,23,24,25,26,27,28,29,30,31,32,33,34)
	THEN 'officer' ELSE 'mr hi' END FROM generate_series(1, 34) g;
-- modularity Q = sum over communities of (L_c / m - gamma (d_c / 2m)^2)
CREATE FUNCTION karate_modularity(lvl int, res float8 DEFAULT 1) RETURNS float8 LANGUAGE sql AS $$
	WITH c AS (SELECT id, community FROM vecrag.communities('karate', resolution => res) WHERE level = lvl),
	und AS (SELECT src, dst FROM karate),
	m AS (SELECT count(*)::float8 AS m FROM und),
	inside AS (SELECT c1.community, count(*) AS l FROM und
		JOIN c c1 ON c1.id = und.src JOIN c c2 ON c2.id = und.dst
		WHERE c1.community = c2.community GROUP BY 1),
	deg AS (SELECT id, count(*) AS d FROM (SELECT src AS id FROM und UNION ALL SELECT dst FROM und) x GROUP BY id),
	tot AS (SELECT community, sum(d) AS d FROM c JOIN deg USING (id) GROUP BY 1)
	SELECT sum(coalesce(i.l, 0) / m.m - (t.d / (2 * m.m)) ^ 2)
	FROM tot t LEFT JOIN inside i USING (community), m
$$;
CREATE FUNCTION karate_modularity_m(lvl int, meth text) RETURNS float8 LANGUAGE sql AS $$
	WITH c AS (SELECT id, community FROM vecrag.communities('karate', method => meth) WHERE level = lvl),
	und AS (SELECT src, dst FROM karate),
	m AS (SELECT count(*)::float8 AS m FROM und),
	inside AS (SELECT c1.community, count(*) AS l FROM und
		JOIN c c1 ON c1.id = und.src JOIN c c2 ON c2.id = und.dst
		WHERE c1.community = c2.community GROUP BY 1),
	deg AS (SELECT id, count(*) AS d FROM (SELECT src AS id FROM und UNION ALL SELECT dst FROM und) x GROUP BY id),
	tot AS (SELECT community, sum(d) AS d FROM c JOIN deg USING (id) GROUP BY 1)
	SELECT sum(coalesce(i.l, 0) / m.m - (t.d / (2 * m.m)) ^ 2)
	FROM tot t LEFT JOIN inside i USING (community), m
$$;
-- the communities (level, community) whose members are not connected by
-- edges among themselves (undirected), by a search from the smallest member
CREATE FUNCTION disconnected_communities(g text, meth text, res float8)
RETURNS TABLE (level int, community bigint) LANGUAGE plpgsql AS $$
BEGIN
	CREATE TEMP TABLE dc_c AS SELECT * FROM vecrag.communities(g, resolution => res, method => meth);
	EXECUTE format('CREATE TEMP TABLE dc_e AS SELECT src::bigint AS a, dst::bigint AS b FROM %I UNION SELECT dst, src FROM %I', g, g);
	RETURN QUERY
	WITH RECURSIVE reach(level, community, id) AS (
		SELECT c.level, c.community, c.community FROM (SELECT DISTINCT dc_c.level, dc_c.community FROM dc_c) c
		UNION
		SELECT r.level, r.community, e.b FROM reach r JOIN dc_e e ON e.a = r.id
		JOIN dc_c m ON m.id = e.b AND m.level = r.level AND m.community = r.community)
	SELECT c.level, c.community FROM dc_c c
	GROUP BY c.level, c.community
	HAVING count(*) <> (SELECT count(*) FROM reach r WHERE r.level = c.level AND r.community = c.community);
	DROP TABLE dc_c, dc_e;
END $$;
SELECT level, count(DISTINCT community) AS communities, count(*) AS nodes
FROM vecrag.communities('karate') GROUP BY level ORDER BY level;
SELECT level, round(karate_modularity(level)::numeric, 4) AS modularity,
	karate_modularity(level) >= 0.40 AS at_least_040
FROM (SELECT DISTINCT level FROM vecrag.communities('karate')) l ORDER BY level;
-- the top level's communities each lie within one faction (but for at most one member)
SELECT c.community, count(*) AS members,
	count(*) FILTER (WHERE f.faction = 'mr hi') AS mr_hi,
	count(*) FILTER (WHERE f.faction = 'officer') AS officer
FROM vecrag.communities('karate') c JOIN karate_faction f USING (id)
WHERE c.level = (SELECT max(level) FROM vecrag.communities('karate'))
GROUP BY c.community ORDER BY c.community;
-- at a lower resolution Louvain finds the two factions themselves
SELECT c.community, count(*) AS members,
	count(*) FILTER (WHERE f.faction = 'mr hi') AS mr_hi,
	count(*) FILTER (WHERE f.faction = 'officer') AS officer
FROM vecrag.communities('karate', resolution => 0.5) c JOIN karate_faction f USING (id)
WHERE c.level = (SELECT max(level) FROM vecrag.communities('karate', resolution => 0.5))
GROUP BY c.community ORDER BY c.community;
-- levels are nested: each community of level l lies inside one of level l + 1
SELECT count(*) AS split_communities FROM (
	SELECT a.level, a.community FROM vecrag.communities('karate') a
	JOIN vecrag.communities('karate') b ON a.id = b.id AND b.level = a.level + 1
	GROUP BY a.level, a.community HAVING count(DISTINCT b.community) > 1) x;
SELECT count(*) FROM vecrag.communities('karate', max_levels => 1) WHERE level > 0;
SELECT * FROM vecrag.communities('karate', resolution => 0);
SELECT * FROM vecrag.communities('karate', max_levels => 0);
-- Leiden: Louvain plus the refinement phase; modularity in the known range
-- (best partition 0.4198), every community connected at every level
SELECT level, count(DISTINCT community) AS communities,
	round(karate_modularity_m(level, 'leiden')::numeric, 4) AS modularity,
	karate_modularity_m(level, 'leiden') BETWEEN 0.40 AND 0.42 AS in_range
FROM vecrag.communities('karate', method => 'leiden')
WHERE level = (SELECT max(level) FROM vecrag.communities('karate', method => 'leiden'))
GROUP BY level;
SELECT level, community, array_agg(id ORDER BY id) AS members
FROM vecrag.communities('karate', method => 'leiden') GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS disconnected FROM disconnected_communities('karate', 'leiden', 1.0);
SELECT count(*) AS disconnected FROM disconnected_communities('karate', 'leiden', 0.5);
-- levels are nested with Leiden too
SELECT count(*) AS split_communities FROM (
	SELECT a.level, a.community FROM vecrag.communities('karate', method => 'leiden') a
	JOIN vecrag.communities('karate', method => 'leiden') b ON a.id = b.id AND b.level = a.level + 1
	GROUP BY a.level, a.community HAVING count(DISTINCT b.community) > 1) x;
-- a larger graph with planted communities and noise: still all connected
CREATE TABLE planted (src int, dst int);
INSERT INTO planted
	SELECT DISTINCT a, b FROM (
		SELECT (hashint4(g) & 255) AS a, (hashint4(g + 7919) & 255) AS b, g FROM generate_series(1, 4000) g) x
	WHERE a <> b AND (a / 32 = b / 32 OR g % 9 = 0);
CREATE INDEX ON planted (src);
SELECT vecrag.create_graph('planted', 'planted');
SELECT count(*) AS disconnected FROM disconnected_communities('planted', 'leiden', 1.0);
SELECT count(*) AS disconnected FROM disconnected_communities('planted', 'leiden', 2.0);
SELECT max(level) >= 1 AS hierarchical FROM vecrag.communities('planted', method => 'leiden');
SELECT vecrag.communities('karate', method => 'spectral');
SELECT vecrag.drop_graph('planted');
DROP TABLE planted;
-- two disconnected triangles and an isolated self-loop
CREATE TABLE tri (src bigint, dst bigint);
INSERT INTO tri VALUES (1,2),(2,3),(3,1),(10,11),(11,12),(12,10),(20,20);
CREATE INDEX ON tri (src);
SELECT vecrag.create_graph('tri', 'tri');
SELECT * FROM vecrag.communities('tri') ORDER BY level, id;
SELECT vecrag.drop_graph('tri');
SELECT vecrag.drop_graph('karate');
SELECT vecrag.drop_graph('pr');
-- an infinite weight is refused, not turned into NaN scores
CREATE TABLE inf_edges (src bigint, dst bigint, w real);
INSERT INTO inf_edges VALUES (1, 2, 1), (2, 3, 2), (1, 3, 'Infinity');
CREATE INDEX ON inf_edges (src);
SELECT vecrag.create_graph('inf', 'inf_edges', weight => 'w');
SELECT * FROM vecrag.pagerank('inf', weighted => true);
SELECT * FROM vecrag.communities('inf', weighted => true);
SELECT vecrag.drop_graph('inf');
-- graph_validate is callable directly: NULL or contradictory column names are errors
SELECT vecrag.graph_validate('x', 'inf_edges', NULL, NULL, NULL, NULL, NULL);
SELECT vecrag.graph_validate('x', 'inf_edges', 'src', NULL, NULL, NULL, NULL);
SELECT vecrag.graph_validate('x', 'inf_edges', NULL, 'dst', NULL, NULL, NULL);
SELECT vecrag.graph_validate('x', 'inf_edges', NULL, NULL, 'src', NULL, 'w');
-- temporary tables are refused, also on a direct INSERT: a registry row
-- naming pg_temp_n.t would make pg_restore of every registration fail
CREATE TEMP TABLE tmp_edges (src bigint, dst bigint);
CREATE INDEX ON tmp_edges (src);
SELECT vecrag.create_graph('tmp', 'tmp_edges');
INSERT INTO vecrag.graph_definitions (name, edge_table, src_column, dst_column)
VALUES ('tmp', 'tmp_edges', 'src', 'dst');
SELECT count(*) FROM vecrag.graphs WHERE name = 'tmp';
DROP TABLE tmp_edges;
-- a missing edge table is reported by graph name (errcode 42P01); the
-- drop_graph hint only for a graph that is already registered
SELECT vecrag.create_graph('x', 4294967295::oid::regclass);
SELECT vecrag.create_graph('gone', 'inf_edges', weight => 'w');
DROP TABLE inf_edges;
DO $$ BEGIN PERFORM vecrag.traverse('gone', ARRAY[1]);
EXCEPTION WHEN undefined_table THEN RAISE NOTICE 'traverse: % (%)', SQLERRM, SQLSTATE; END $$;
SELECT * FROM vecrag.pagerank('gone');
SELECT vecrag.drop_graph('gone');
