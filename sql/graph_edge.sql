-- vecrag.edge: text and binary forms, constructor, accessors, comparison,
-- btree and hash opclasses, arrays of edges, clear errors for bad input.
SELECT '1->2'::vecrag.edge, '1->2:0.5'::vecrag.edge, ' -5 -> 7 : 1e-3 '::vecrag.edge,
	'9223372036854775807->-9223372036854775808:-2'::vecrag.edge;
SELECT vecrag.edge(3, 4), vecrag.edge(3, 4, 2.5), vecrag.edge(src => 1, dst => 2, weight => 0);
SELECT vecrag.edge_src(e), vecrag.edge_dst(e), vecrag.edge_weight(e)
FROM (VALUES ('10->20:0.25'::vecrag.edge), ('7->7')) v(e);
-- weight 1 is not printed, so text round-trips
SELECT '1->2:1.0'::vecrag.edge::text, '1->2:1e-45'::vecrag.edge::text;

-- bad input
SELECT ''::vecrag.edge;
SELECT 'x'::vecrag.edge;
SELECT '1'::vecrag.edge;
SELECT '1-2'::vecrag.edge;
SELECT '1->'::vecrag.edge;
SELECT '1->2:'::vecrag.edge;
SELECT '1->2:abc'::vecrag.edge;
SELECT '1->2:0.5x'::vecrag.edge;
SELECT '1->2 3'::vecrag.edge;
SELECT '1.5->2'::vecrag.edge;
SELECT '99999999999999999999->1'::vecrag.edge;
SELECT '1->2:nan'::vecrag.edge;
SELECT '1->2:inf'::vecrag.edge;
SELECT '1->2:1e40'::vecrag.edge;
SELECT vecrag.edge(1, 2, 'NaN');

-- comparison: src, then dst, then weight
SELECT '1->2'::vecrag.edge = '1->2:1'::vecrag.edge AS eq,
	'1->2'::vecrag.edge <> '1->2:0.5'::vecrag.edge AS ne,
	'1->2:0'::vecrag.edge = '1->2:-0'::vecrag.edge AS zero_eq,
	'1->3'::vecrag.edge > '1->2:5'::vecrag.edge AS gt,
	'0->9'::vecrag.edge < '1->2'::vecrag.edge AS lt,
	'1->2:0.5'::vecrag.edge <= '1->2'::vecrag.edge AS le,
	'1->2'::vecrag.edge >= '1->2:2'::vecrag.edge AS ge;

-- as a column, with btree and hash indexes, DISTINCT, GROUP BY, arrays
CREATE TABLE edge_col (id int, e vecrag.edge, path vecrag.edge[]);
INSERT INTO edge_col VALUES
	(1, '1->2', '{1->2,2->3:0.5}'), (2, '2->1:3', '{}'), (3, '1->2', NULL),
	(4, '1->2:0.5', '{"5->6"}'), (5, NULL, '{1->2,NULL}'), (6, '-1->0', '{-1->0}');
SELECT id, e, path FROM edge_col ORDER BY e, id;
SELECT e, count(*) FROM edge_col GROUP BY e ORDER BY e;
SET enable_sort = off;
SET enable_hashagg = on;
SELECT count(DISTINCT e) FROM edge_col;
RESET enable_sort;
CREATE INDEX edge_col_btree ON edge_col (e);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM edge_col WHERE e = '1->2';
SELECT id FROM edge_col WHERE e = '1->2' ORDER BY id;
SELECT id FROM edge_col WHERE e > '1->2:0.5' ORDER BY e, id;
CREATE INDEX edge_col_hash ON edge_col USING hash (e);
DROP INDEX edge_col_btree;
EXPLAIN (COSTS OFF) SELECT id FROM edge_col WHERE e = '1->2';
SELECT id FROM edge_col WHERE e = '1->2' ORDER BY id;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT a.id, b.id FROM edge_col a JOIN edge_col b ON a.e = b.e AND a.id < b.id ORDER BY 1, 2;
SELECT (path)[2], vecrag.edge_weight((path)[2]) FROM edge_col WHERE id = 1;

-- binary form: src, dst (int8) and weight (float4), network byte order
SELECT vecrag.edge_send('1->2:0.5');
DROP TABLE edge_col;
