-- the adjacency cache: results equal those read through the indexes under
-- every snapshot; writes, DDL and the caller's own writes are seen
SET extra_float_digits = 0;
CREATE TABLE gc (src bigint, dst bigint, relation text, weight real);
INSERT INTO gc VALUES
	(1, 2, 'a', 1), (1, 3, 'b', 2), (2, 3, 'a', 1), (3, 1, 'a', 4),	-- cycle
	(3, 3, 'a', 1),									-- self-loop
	(2, 4, 'b', 1), (2, 4, 'b', 3),					-- duplicate pair
	(4, 5, NULL, 1), (5, 6, 'a', NULL),				-- NULL relation, NULL weight
	(6, NULL, 'a', 1), (NULL, 7, 'a', 1),			-- dangling ends
	(7, 8, 'c', 2), (8, 9, 'a', 1), (9, 7, 'a', 1), (4, 10, 'a', 1);
CREATE INDEX ON gc (src) INCLUDE (dst, relation, weight);
CREATE INDEX ON gc (dst, src);				-- not covering: heap fetches
SELECT vecrag.create_graph('gc', 'gc', relation => 'relation', weight => 'weight');
SELECT name, cached FROM vecrag.graphs WHERE name = 'gc';
SELECT vecrag.set_graph_cache('gc');
SELECT name, cached FROM vecrag.graphs WHERE name = 'gc';
SELECT count(*) FROM vecrag.graph_versions WHERE edge_table = 'gc'::regclass;

-- every call shape, from memory and through the indexes (cache size 0)
CREATE FUNCTION gc_calls() RETURNS TABLE (call text, result text) LANGUAGE sql AS $$
	SELECT 'out', string_agg(format('%s %s %s %s %s %s', id, depth, path, path_weight, degree, relation_path), '; ' ORDER BY depth, id)
		FROM vecrag.traverse('gc', ARRAY[1, 7], max_depth => 4)
	UNION ALL
	SELECT 'in', string_agg(format('%s %s %s %s', id, depth, path, degree), '; ' ORDER BY depth, id)
		FROM vecrag.traverse('gc', ARRAY[3], max_depth => 3, direction => 'in')
	UNION ALL
	SELECT 'both', string_agg(format('%s %s %s', id, depth, path), '; ' ORDER BY depth, id)
		FROM vecrag.traverse('gc', ARRAY[5], max_depth => 3, direction => 'both')
	UNION ALL
	SELECT 'filter', string_agg(format('%s %s %s', id, depth, relation_path), '; ' ORDER BY depth, id)
		FROM vecrag.traverse('gc', ARRAY[1], max_depth => 5, relations => ARRAY['a'])
	UNION ALL
	SELECT 'caps', string_agg(format('%s %s %s', id, depth, path), '; ' ORDER BY depth, id)
		FROM vecrag.traverse('gc', ARRAY[1, 2], max_depth => 5, max_fanout => 1, max_nodes => 4)
	UNION ALL
	SELECT 'path', string_agg(format('%s %s %s', depth, id, edge), '; ' ORDER BY depth)
		FROM vecrag.shortest_path('gc', 1, 5)
	UNION ALL
	SELECT 'wpath', string_agg(format('%s %s %s', depth, id, path_weight), '; ' ORDER BY depth)
		FROM vecrag.shortest_path('gc', 1, 10, weighted => true)
	UNION ALL
	SELECT 'ppr', string_agg(format('%s %s', id, score), '; ' ORDER BY id)
		FROM vecrag.pagerank('gc', ARRAY[1, 99])
	UNION ALL
	SELECT 'ppr filtered', string_agg(format('%s %s', id, score), '; ' ORDER BY id)
		FROM vecrag.pagerank('gc', ARRAY[1], relations => ARRAY['a'], direction => 'both')
	UNION ALL
	SELECT 'communities', string_agg(format('%s %s %s', id, level, community), '; ' ORDER BY level, id)
		FROM vecrag.communities('gc')
$$;
CREATE TEMP TABLE from_indexes AS SELECT * FROM gc_calls() WHERE current_setting('vecrag.graph_cache_size') IS NOT NULL AND false;
SET vecrag.graph_cache_size = 0;
INSERT INTO from_indexes SELECT * FROM gc_calls();
RESET vecrag.graph_cache_size;
SELECT * FROM gc_calls();
-- the same, every byte
SELECT c.call FROM gc_calls() c JOIN from_indexes i USING (call) WHERE c.result IS DISTINCT FROM i.result;
-- served from memory: both directions and the whole graph are cached
SELECT edge_table, out_edges, in_edges, whole_graph, too_big, edges FROM vecrag.graph_cache_entries();

-- traversals from memory number the cached nodes instead of hashing ids:
-- the same rows in the same order as through the indexes, for seeds with
-- no edges (99, and 11 for now), only in-edges (10), repeated or NULL,
-- and with every option
CREATE FUNCTION gc_order() RETURNS TABLE (call text, n bigint, result text) LANGUAGE sql AS $$
	SELECT 'out', count(*), string_agg(format('%s %s %s %s %s', id, depth, path, degree, relation_path), '; ')
		FROM vecrag.traverse('gc', ARRAY[99, 10, 1, 1, NULL, 11, 7, 99], max_depth => 9)
	UNION ALL
	SELECT 'out, no paths', count(*), string_agg(format('%s %s %s %s %s', id, depth, path, path_weight, degree), '; ')
		FROM vecrag.traverse('gc', ARRAY[2, 8], max_depth => 9, with_paths => false, count_degree => false)
	UNION ALL
	SELECT 'in', count(*), string_agg(format('%s %s %s %s', id, depth, path, degree), '; ')
		FROM vecrag.traverse('gc', ARRAY[10, 3, 99], max_depth => 9, direction => 'in', with_paths => false)
	UNION ALL
	SELECT 'both, fanout', count(*), string_agg(format('%s %s %s %s', id, depth, path, degree), '; ')
		FROM vecrag.traverse('gc', ARRAY[5, 11], max_depth => 9, direction => 'both', max_fanout => 1)
	UNION ALL
	SELECT 'both, filter, max_nodes', count(*), string_agg(format('%s %s %s %s', id, depth, relation_path, degree), '; ')
		FROM vecrag.traverse('gc', ARRAY[9], max_depth => 9, direction => 'both', relations => ARRAY['a', 'c'], max_nodes => 5)
$$;
CREATE TEMP TABLE order_from_indexes AS SELECT * FROM gc_order() WHERE false;
SET vecrag.graph_cache_size = 0;
INSERT INTO order_from_indexes SELECT * FROM gc_order();
RESET vecrag.graph_cache_size;
SELECT c.call, c.n, c.result IS NOT DISTINCT FROM i.result AS same
	FROM gc_order() c JOIN order_from_indexes i USING (call) ORDER BY c.call;
SELECT id, depth, path_weight, degree
	FROM vecrag.traverse('gc', ARRAY[99, 10, 1, 1, NULL, 11, 7, 99], max_depth => 1, with_paths => false);
DROP FUNCTION gc_order();
-- negative and zero ids, integer columns: numbered in signed order
CREATE TABLE gcn (src int, dst int);
INSERT INTO gcn VALUES (-5, 0), (0, -2147483648), (-2147483648, 2147483647), (2147483647, -5), (3, -5), (0, 3);
CREATE INDEX ON gcn (src, dst);
CREATE INDEX ON gcn (dst, src);
SELECT vecrag.create_graph('gcn', 'gcn');
SELECT vecrag.set_graph_cache('gcn');
CREATE TEMP TABLE gcn_from_indexes (r text);
SET vecrag.graph_cache_size = 0;
INSERT INTO gcn_from_indexes SELECT string_agg(format('%s %s %s', id, depth, path), '; ')
	FROM vecrag.traverse('gcn', ARRAY[3], max_depth => 9, direction => 'both');
RESET vecrag.graph_cache_size;
SELECT string_agg(format('%s %s %s', id, depth, path), '; ') = (SELECT r FROM gcn_from_indexes) AS same
	FROM vecrag.traverse('gcn', ARRAY[3], max_depth => 9, direction => 'both');
SELECT id, depth, degree FROM vecrag.traverse('gcn', ARRAY[3], max_depth => 9, direction => 'both');
SELECT out_edges, in_edges FROM vecrag.graph_cache_entries() WHERE edge_table = 'gcn'::regclass;
SELECT vecrag.set_graph_cache('gcn', false);
SELECT vecrag.drop_graph('gcn');
DROP TABLE gcn;

-- the edge form (one vecrag.edge column, expression indexes) from memory too
CREATE TABLE gce (e vecrag.edge, relation text);
INSERT INTO gce SELECT vecrag.edge(src, dst, coalesce(weight, 1)), relation FROM gc
	WHERE src IS NOT NULL AND dst IS NOT NULL;
CREATE INDEX ON gce (vecrag.edge_src(e)) INCLUDE (e, relation);
CREATE INDEX ON gce (vecrag.edge_dst(e));
SELECT vecrag.create_graph('gce', 'gce', edge => 'e', relation => 'relation');
SELECT vecrag.set_graph_cache('gce');
CREATE FUNCTION gce_calls() RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' | ',
		(SELECT string_agg(format('%s %s %s %s', id, depth, path, relation_path), '; ' ORDER BY depth, id)
			FROM vecrag.traverse('gce', ARRAY[1], max_depth => 4, direction => 'both')),
		(SELECT string_agg(format('%s %s', id, score), '; ' ORDER BY id)
			FROM vecrag.pagerank('gce', ARRAY[1], weighted => true)))
$$;
CREATE TEMP TABLE gce_from_indexes AS SELECT gce_calls() AS r WHERE false;
SET vecrag.graph_cache_size = 0;
INSERT INTO gce_from_indexes SELECT gce_calls();
RESET vecrag.graph_cache_size;
SELECT gce_calls() = r AS same FROM gce_from_indexes;
SELECT out_edges, in_edges, whole_graph FROM vecrag.graph_cache_entries() WHERE edge_table = 'gce'::regclass;
SELECT vecrag.set_graph_cache('gce', false);
SELECT vecrag.drop_graph('gce');
DROP TABLE gce;
DROP FUNCTION gce_calls();

-- a write moves the version: the next call sees it
INSERT INTO gc VALUES (10, 11, 'a', 1);
SELECT id, depth FROM vecrag.traverse('gc', ARRAY[4], max_depth => 2) ORDER BY depth, id;
-- statement triggers fire for zero rows too (harmless: one more version)
UPDATE gc SET weight = weight WHERE false;
-- our own uncommitted writes are seen (read through the indexes), then gone
BEGIN;
DELETE FROM gc WHERE src = 4;
INSERT INTO gc VALUES (1, 12, 'a', 1);
SELECT id, depth FROM vecrag.traverse('gc', ARRAY[1], max_depth => 1) ORDER BY depth, id;
SELECT id, depth FROM vecrag.traverse('gc', ARRAY[4], max_depth => 2) ORDER BY depth, id;
ROLLBACK;
SELECT id, depth FROM vecrag.traverse('gc', ARRAY[1], max_depth => 1) ORDER BY depth, id;
-- a snapshot taken before our own write does not see it, nor a cache of it
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
INSERT INTO gc VALUES (1, 13, 'a', 1);
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
ROLLBACK;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
-- TRUNCATE moves the version too
CREATE TABLE gc_saved AS SELECT * FROM gc;
TRUNCATE gc;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
INSERT INTO gc SELECT * FROM gc_saved;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
-- with the trigger disabled the cache is not used, so writes that fire no
-- trigger are still seen; enabling it again gives a new key
ALTER TABLE gc DISABLE TRIGGER vecrag_graph_cache;
INSERT INTO gc VALUES (1, 14, 'a', 1);
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 1);
ALTER TABLE gc ENABLE ALWAYS TRIGGER vecrag_graph_cache;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 1);
-- an ordinary (origin-only) trigger does not count: replication apply could skip it
ALTER TABLE gc ENABLE TRIGGER vecrag_graph_cache;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 1);
SELECT vecrag.set_graph_cache('gc');
DELETE FROM gc WHERE dst = 14;

-- DDL drops the cached adjacency: a rewrite, a new index
ALTER TABLE gc ALTER COLUMN weight TYPE float8;
SELECT count(*) FROM vecrag.graph_cache_entries();
SELECT id, depth, path_weight FROM vecrag.traverse('gc', ARRAY[1], max_depth => 2) ORDER BY depth, id;
-- a cache too small for the graph: calls read the indexes
SET vecrag.graph_cache_size = '1kB';
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
SELECT too_big FROM vecrag.graph_cache_entries() WHERE too_big;
RESET vecrag.graph_cache_size;
-- a graph whose traversal arrays pass 2 MB: they are moved into a block
-- advised as huge pages; results still equal the indexes' in emission
-- order, for seeds found by binary searches run 16 at a time (here 37:
-- negative ids, ids without edges, duplicates, NULL), in every direction,
-- on a first call and on later ones that reuse the cleared visited set
CREATE TABLE gch (src bigint, dst bigint, weight real);
INSERT INTO gch SELECT g % 50000 - 25000, (g * 7919 + g / 50000 * 1013) % 50000 - 25000, g % 7
	FROM generate_series(0, 149999) g;
CREATE INDEX ON gch (src) INCLUDE (dst, weight);
CREATE INDEX ON gch (dst, src) INCLUDE (weight);
SELECT vecrag.create_graph('gch', 'gch', weight => 'weight');
CREATE FUNCTION gch_seeds() RETURNS bigint[] LANGUAGE sql AS $$
	SELECT array_agg(CASE WHEN g = 5 THEN NULL WHEN g = 9 THEN 77777 ELSE (g * 1361) % 50000 - 25000 END)
		|| ARRAY[-25000, 24999, 0, 0] FROM generate_series(1, 33) g
$$;
CREATE FUNCTION gch_calls() RETURNS TABLE (call text, n bigint, result text) LANGUAGE sql AS $$
	SELECT 'out', count(*), md5(string_agg(format('%s %s %s %s %s', id, depth, path, path_weight, degree), '; '))
		FROM vecrag.traverse('gch', gch_seeds(), max_depth => 3)
	UNION ALL
	SELECT 'in', count(*), md5(string_agg(format('%s %s %s %s %s', id, depth, path, path_weight, degree), '; '))
		FROM vecrag.traverse('gch', gch_seeds(), max_depth => 3, direction => 'in')
	UNION ALL
	SELECT 'both', count(*), md5(string_agg(format('%s %s %s %s %s', id, depth, path, path_weight, degree), '; '))
		FROM vecrag.traverse('gch', gch_seeds(), max_depth => 3, direction => 'both')
	UNION ALL
	SELECT 'no paths', count(*), md5(string_agg(format('%s %s %s', id, depth, path_weight), '; '))
		FROM vecrag.traverse('gch', gch_seeds(), max_depth => 4, with_paths => false, count_degree => false)
$$;
SET vecrag.graph_cache_size = 0;
CREATE TEMP TABLE gch_from_indexes AS SELECT * FROM gch_calls();
RESET vecrag.graph_cache_size;
SELECT vecrag.set_graph_cache('gch');
SELECT c.call, c.n, c.result = i.result AS same FROM gch_calls() c JOIN gch_from_indexes i USING (call) ORDER BY call;
SELECT c.call, c.n, c.result = i.result AS same FROM gch_calls() c JOIN gch_from_indexes i USING (call) ORDER BY call;
SELECT out_edges, in_edges, too_big, edges FROM vecrag.graph_cache_entries() WHERE edge_table = 'gch'::regclass;
-- the node array kept from one call to the next: a call that outgrows it
-- (more than 16,384 nodes) and one that fails leave the next calls right
SELECT count(*) FROM vecrag.traverse('gch', ARRAY[0], max_depth => 30, direction => 'both', with_paths => false);
SET work_mem = '64kB';
SELECT count(*) FROM vecrag.traverse('gch', ARRAY[0], max_depth => 30, direction => 'both', with_paths => false);
RESET work_mem;
SELECT c.call, c.n, c.result = i.result AS same FROM gch_calls() c JOIN gch_from_indexes i USING (call) ORDER BY call;
SELECT count(*) FROM vecrag.traverse('gch', ARRAY[0], max_depth => 30, direction => 'both', with_paths => false);
SELECT vecrag.drop_graph('gch');
DROP TABLE gch;
DROP FUNCTION gch_calls(), gch_seeds();

-- each call first looks for the registration, version and trigger rows
-- where it found them last time (by TID, under its snapshot): a row that
-- was replaced, deleted, vacuumed away or turned into another graph's row
-- sends it back to the indexes
CREATE TABLE gm1 (src bigint, dst bigint);
CREATE TABLE gm2 (a bigint, b bigint);
INSERT INTO gm1 VALUES (1, 2), (2, 3);
INSERT INTO gm2 VALUES (1, 5), (5, 6), (6, 7);
CREATE INDEX ON gm1 (src, dst);
CREATE INDEX ON gm2 (a, b);
SELECT vecrag.create_graph('gm', 'gm1');
SELECT vecrag.set_graph_cache('gm');
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
-- the same name, another table: the remembered row is deleted
SELECT vecrag.drop_graph('gm');
SELECT vecrag.create_graph('gm', 'gm2', src => 'a', dst => 'b');
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
SELECT count(*) AS cached FROM vecrag.graph_cache_entries() WHERE edge_table = 'gm2'::regclass;
SELECT vecrag.set_graph_cache('gm');
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
-- a write updates the version row: the next call finds the new one
INSERT INTO gm2 VALUES (7, 8);
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
-- the trigger disabled (its row replaced): no cache; enabled again: a new key
ALTER TABLE gm2 DISABLE TRIGGER vecrag_graph_cache;
INSERT INTO gm2 VALUES (8, 9);
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
ALTER TABLE gm2 ENABLE ALWAYS TRIGGER vecrag_graph_cache;
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
SELECT edges FROM vecrag.graph_cache_entries() WHERE edge_table = 'gm2'::regclass ORDER BY edges;
-- inside a transaction that changes the registration, and after it rolls back
BEGIN;
SELECT vecrag.drop_graph('gm');
SELECT vecrag.create_graph('gm', 'gm1');
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
ROLLBACK;
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm', ARRAY[1], max_depth => 9);
-- the registration deleted and vacuumed away (the table may be truncated
-- below the remembered TID), then another graph in its place
SELECT vecrag.drop_graph('gm');
VACUUM vecrag.graph_definitions;
SELECT count(*) FROM vecrag.traverse('gm', ARRAY[1]);
SELECT vecrag.create_graph('gm_other', 'gm1');
SELECT count(*) FROM vecrag.traverse('gm', ARRAY[1]);
SELECT string_agg(id::text, ' ') FROM vecrag.traverse('gm_other', ARRAY[1], max_depth => 9);
SELECT vecrag.drop_graph('gm_other');
DROP TABLE gm1, gm2;

-- room for one direction only: a call in both directions builds the first,
-- then finds the second too big and reads both through the indexes; the
-- first stays valid until that call ends, then is freed
CREATE TABLE gcb (src bigint, dst bigint);
INSERT INTO gcb SELECT g, (g * 7) % 500 FROM generate_series(0, 1999) g;
CREATE INDEX ON gcb (src, dst);
CREATE INDEX ON gcb (dst, src);
SELECT vecrag.create_graph('gcb', 'gcb');
SET vecrag.graph_cache_size = 0;
CREATE TEMP TABLE gcb_from_indexes AS
	SELECT string_agg(format('%s %s %s %s', id, depth, path, degree), '; ') AS r
	FROM vecrag.traverse('gcb', ARRAY[1, 77], max_depth => 4, direction => 'both');
SET vecrag.graph_cache_size = '420kB';
SELECT vecrag.set_graph_cache('gcb');
SELECT string_agg(format('%s %s %s %s', id, depth, path, degree), '; ') = (SELECT r FROM gcb_from_indexes) AS same
	FROM vecrag.traverse('gcb', ARRAY[1, 77], max_depth => 4, direction => 'both');
SELECT bytes < 100000 AS freed, out_edges, in_edges, too_big
	FROM vecrag.graph_cache_entries() WHERE edge_table = 'gcb'::regclass;
RESET vecrag.graph_cache_size;
SELECT vecrag.set_graph_cache('gcb', false);
SELECT vecrag.drop_graph('gcb');
DROP TABLE gcb;

-- row-level security turned on between two calls of one session: the
-- next call reads the edges the policy lets through, not the cached ones
CREATE ROLE regress_gc_rls;
GRANT SELECT ON gc TO regress_gc_rls;
SET ROLE regress_gc_rls;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
RESET ROLE;
ALTER TABLE gc ENABLE ROW LEVEL SECURITY;
CREATE POLICY gc_only_a ON gc FOR SELECT USING (relation = 'a');
SET ROLE regress_gc_rls;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
SELECT id, depth, degree, relation_path
	FROM vecrag.traverse('gc', ARRAY[1, 99], max_depth => 9, direction => 'both');
RESET ROLE;
DROP POLICY gc_only_a ON gc;
ALTER TABLE gc DISABLE ROW LEVEL SECURITY;
SET ROLE regress_gc_rls;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
RESET ROLE;
REVOKE SELECT ON gc FROM regress_gc_rls;
DROP ROLE regress_gc_rls;

-- only the table's owner may turn the cache on or off
CREATE ROLE regress_gc_user;
GRANT SELECT ON gc TO regress_gc_user;
SET ROLE regress_gc_user;
SELECT vecrag.set_graph_cache('gc', false);
-- a reader needs only SELECT; the cache checks privileges on every call
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
RESET ROLE;
REVOKE SELECT ON gc FROM regress_gc_user;
SET ROLE regress_gc_user;
SELECT count(*) FROM vecrag.traverse('gc', ARRAY[1], max_depth => 9);
SELECT count(*) FROM vecrag.pagerank('gc');
RESET ROLE;
DROP ROLE regress_gc_user;
SELECT vecrag.set_graph_cache('nope');
SELECT vecrag.set_graph_cache('gc', false);
SELECT name, cached FROM vecrag.graphs WHERE name = 'gc';
SELECT tgname FROM pg_trigger WHERE tgrelid = 'gc'::regclass;
SELECT vecrag.drop_graph('gc');

-- the last graph on a table takes the cache trigger with it, when the caller
-- owns the table; a graph owner who does not is told the trigger stays
CREATE TABLE gcd (src bigint, dst bigint);
CREATE INDEX ON gcd (src, dst);
SELECT vecrag.create_graph('gcd1', 'gcd');
SELECT vecrag.create_graph('gcd2', 'gcd');
SELECT vecrag.set_graph_cache('gcd1');
SELECT vecrag.drop_graph('gcd1');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'gcd'::regclass;
SELECT vecrag.drop_graph('gcd2');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'gcd'::regclass;
SELECT count(*) FROM vecrag.graph_versions WHERE edge_table = 'gcd'::regclass;
CREATE ROLE regress_gcd_user;
GRANT SELECT ON gcd TO regress_gcd_user;
SET ROLE regress_gcd_user;
SELECT vecrag.create_graph('gcd3', 'gcd');
RESET ROLE;
SELECT vecrag.set_graph_cache('gcd3');
SET ROLE regress_gcd_user;
SELECT vecrag.drop_graph('gcd3');
RESET ROLE;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'gcd'::regclass;
DROP TABLE gcd;
-- DROP TABLE leaves the version row; the next sync removes it
SELECT count(*) FROM vecrag.graph_versions WHERE edge_table::oid NOT IN (SELECT oid FROM pg_class);
SELECT vecrag.graph_cache_sync('gc_saved');
SELECT count(*) FROM vecrag.graph_versions WHERE edge_table::oid NOT IN (SELECT oid FROM pg_class);
-- drop_graph of a cached graph whose table is already gone takes the row too
CREATE TABLE gcx (src bigint, dst bigint);
CREATE INDEX ON gcx (src, dst);
SELECT vecrag.create_graph('gcx', 'gcx');
SELECT vecrag.set_graph_cache('gcx');
DROP TABLE gcx;
SELECT vecrag.drop_graph('gcx');
SELECT count(*) FROM vecrag.graph_versions WHERE edge_table::oid NOT IN (SELECT oid FROM pg_class);
DROP ROLE regress_gcd_user;
DROP TABLE gc, gc_saved;
DROP FUNCTION gc_calls();
