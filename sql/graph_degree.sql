-- Degrees of the nodes a traversal did not expand (the last depth), counted
-- by walking the leaf pages of a covering btree index: they must equal a
-- count of the table's rows where one node's edges span many leaf pages,
-- keys are int4 or int8, equal entries are merged into posting lists,
-- ends are NULL, a relation filter applies, and rows are deleted but not
-- vacuumed or inserted by the current transaction.
SET vecrag.graph_cache_size = 0;
CREATE TABLE dg (src int, dst int, relation text);
-- node 0: 3000 edges (many leaf pages); nodes 1..2000: i % 7 edges each
INSERT INTO dg SELECT 0, g, CASE WHEN g % 3 = 0 THEN 'x' ELSE 'y' END
	FROM generate_series(1, 3000) g;
INSERT INTO dg SELECT i, (i * 37 + j) % 2003,
		CASE WHEN j % 2 = 0 THEN 'x' WHEN j % 5 = 0 THEN NULL ELSE 'y' END
	FROM generate_series(1, 2000) i, generate_series(1, i % 7) j;
INSERT INTO dg SELECT i, NULL, 'x' FROM generate_series(1, 2000, 11) i;
INSERT INTO dg SELECT NULL, i, 'x' FROM generate_series(1, 50) i;
INSERT INTO dg VALUES (5000, 0, 'x'), (5000, 7, 'y');
CREATE INDEX dg_src ON dg (src) INCLUDE (dst, relation);
CREATE INDEX dg_dst ON dg (dst) INCLUDE (src, relation);
VACUUM ANALYZE dg;
SELECT vecrag.create_graph('dg', 'dg', relation => 'relation');

-- nodes returned, nodes at the last depth, degrees unlike the reference
CREATE FUNCTION dg_check(graph text, tbl regclass, seeds bigint[], k int,
						 dir text, rels text[])
RETURNS TABLE (nodes bigint, last_depth bigint, wrong bigint)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		SELECT count(*), count(*) FILTER (WHERE t.depth = $3),
			count(*) FILTER (WHERE t.degree IS DISTINCT FROM (
				CASE WHEN $4 <> 'in' THEN (SELECT count(*) FROM %1$s e
					WHERE e.src = t.id AND e.dst IS NOT NULL
					  AND ($5 IS NULL OR e.relation = ANY ($5))) ELSE 0 END +
				CASE WHEN $4 <> 'out' THEN (SELECT count(*) FROM %1$s e
					WHERE e.dst = t.id AND e.src IS NOT NULL
					  AND ($5 IS NULL OR e.relation = ANY ($5))) ELSE 0 END)::int)
		FROM vecrag.traverse($1, $2, max_depth => $3, direction => $4,
							 relations => $5) t$q$, tbl)
	USING graph, seeds, k, dir, rels;
END $$;

SELECT * FROM dg_check('dg', 'dg', ARRAY[0], 1, 'out', NULL);
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000], 1, 'out', NULL);		-- node 0 last
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000], 2, 'out', NULL);
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000, 3, 1999], 2, 'both', NULL);
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000], 2, 'out', ARRAY['x']);
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000, 3], 2, 'in', ARRAY['y', 'x']);
-- seeds only: every node is counted, absent ids get 0
SELECT * FROM dg_check('dg', 'dg', ARRAY[-1, 0, 1, 2, 3, 4, 5, 6, 1999, 2000, 2001, 5000, 9999], 0, 'both', NULL);

-- deleted rows not vacuumed (pages no longer all-visible), rows of this transaction
DELETE FROM dg WHERE src % 10 = 3 OR (src = 0 AND dst % 4 = 0);
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000], 2, 'out', NULL);
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000, 3], 2, 'both', ARRAY['x']);
BEGIN;
INSERT INTO dg SELECT 0, g, 'x' FROM generate_series(1, 500) g;
DELETE FROM dg WHERE src = 17;
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000], 2, 'out', NULL);
ROLLBACK;
SELECT * FROM dg_check('dg', 'dg', ARRAY[5000], 2, 'out', NULL);

-- int8 keys in an index without INCLUDE: duplicates become posting lists
CREATE TABLE dg2 (src bigint, dst bigint, relation text);
INSERT INTO dg2 SELECT i % 500, i % 13, NULL FROM generate_series(1, 20000) i;
INSERT INTO dg2 SELECT 1000 + i, i % 500, NULL FROM generate_series(1, 300) i;
CREATE INDEX dg2_src ON dg2 (src, dst);
CREATE INDEX dg2_dst ON dg2 (dst, src);
VACUUM ANALYZE dg2;
SELECT vecrag.create_graph('dg2', 'dg2');
SELECT * FROM dg_check('dg2', 'dg2', ARRAY[1001, 1002, 1250], 1, 'out', NULL);
SELECT * FROM dg_check('dg2', 'dg2', ARRAY[1001, 1002, 1250], 2, 'both', NULL);
DELETE FROM dg2 WHERE src = 7 AND dst = 7;
SELECT * FROM dg_check('dg2', 'dg2', ARRAY[1001, 1007], 2, 'out', NULL);

SELECT vecrag.drop_graph('dg');
SELECT vecrag.drop_graph('dg2');
DROP FUNCTION dg_check;
DROP TABLE dg, dg2;
RESET vecrag.graph_cache_size;
