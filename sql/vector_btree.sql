-- comparison operators, vector_cmp and the btree opclass vector_ops:
-- element by element, then the shorter vector first
SELECT '[1,2,3]'::vector < '[1,2,4]', '[1,2,3]'::vector <= '[1,2,3]',
       '[1,2,3]'::vector = '[1,2,3]', '[1,2,3]'::vector <> '[1,2,3]',
       '[1,2,3]'::vector >= '[1,2,4]', '[1,2,3]'::vector > '[1,2]';
SELECT vector_cmp('[1,2]'::vector, '[1,3]'::vector), vector_cmp('[1,2]'::vector, '[1,2]'::vector),
       vector_cmp('[2]'::vector, '[1,9]'::vector), vector_cmp('[1]'::vector, '[1,0]'::vector),
       vector_cmp('[1,0]'::vector, '[1]'::vector);
-- -0 and 0 are equal, as for real
SELECT '[-0]'::vector = '[0]'::vector, vector_cmp('[-0,1]'::vector, '[0,1]'::vector);
-- comparing different dimensions is allowed (unlike distances)
SELECT '[1,2]'::vector = '[1,2,3]', '[1,2]'::vector < '[1,2,3]';
SELECT '[1]'::vector < NULL, vector_cmp(NULL, '[1]'::vector);

-- operator metadata: commutators, negators, merge joins
SELECT o.oprname, c.oprname AS commutator, n.oprname AS negator, o.oprcanmerge, o.oprcanhash
FROM pg_operator o
LEFT JOIN pg_operator c ON c.oid = o.oprcom
LEFT JOIN pg_operator n ON n.oid = o.oprnegate
WHERE o.oprleft = 'vector'::regtype AND o.oprname IN ('<', '<=', '=', '<>', '>=', '>')
ORDER BY o.oprname;

CREATE TABLE vector_btree_t (id int, v vector);
INSERT INTO vector_btree_t VALUES
	(1, '[1,2,3]'), (2, '[1,2]'), (3, '[0,5]'), (4, '[1,2,3]'), (5, '[-1]'),
	(6, NULL), (7, '[1,2,2.5]'), (8, '[1,2,3,0]'), (9, '[1e-45]'), (10, '[-0]'), (11, '[0]');
SELECT id, v FROM vector_btree_t ORDER BY v, id;
SELECT id, v FROM vector_btree_t ORDER BY v DESC NULLS LAST, id;
-- [-0] and [0] are one group (which of the two prints would depend on sort
-- details, so show the ids)
SELECT count(DISTINCT v) FROM vector_btree_t;
SELECT array_agg(id ORDER BY id) AS ids FROM vector_btree_t GROUP BY v ORDER BY v;
SELECT DISTINCT v FROM vector_btree_t WHERE id <> 10 ORDER BY v;
SELECT min(id), max(id) FROM vector_btree_t WHERE v = '[1,2,3]';

-- btree index: ORDER BY, range and equality scans
CREATE INDEX vector_btree_idx ON vector_btree_t (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM vector_btree_t WHERE v = '[1,2,3]';
SELECT id FROM vector_btree_t WHERE v = '[1,2,3]' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT v FROM vector_btree_t WHERE v > '[0]' AND v <= '[1,2,3]' ORDER BY v;
SELECT v FROM vector_btree_t WHERE v > '[0]' AND v <= '[1,2,3]' ORDER BY v;
SELECT id FROM vector_btree_t WHERE v < '[0]' ORDER BY v;
SELECT id FROM vector_btree_t WHERE v >= '[1,2,3]' ORDER BY v, id;
RESET enable_seqscan;
-- amcheck verifies the index order and that it holds every heap tuple
CREATE EXTENSION amcheck;
SELECT bt_index_check('vector_btree_idx', true);
DROP EXTENSION amcheck;

-- unique constraint
CREATE TABLE vector_btree_u (v vector(2) UNIQUE);
INSERT INTO vector_btree_u VALUES ('[1,2]'), ('[2,1]');
INSERT INTO vector_btree_u VALUES ('[1,2]');
INSERT INTO vector_btree_u VALUES ('[-0,0]'), ('[0,-0]');
INSERT INTO vector_btree_u VALUES ('[1,2]') ON CONFLICT (v) DO NOTHING;
SELECT v FROM vector_btree_u ORDER BY v;

-- merge join on vector equality
SET enable_hashjoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.v FROM vector_btree_t a JOIN vector_btree_u b ON a.v = b.v;
SELECT a.id, b.v FROM vector_btree_t a JOIN vector_btree_u b ON a.v = b.v ORDER BY a.id;
RESET enable_hashjoin;
RESET enable_nestloop;

-- large vectors: order over 16000 dimensions decided at the last element
SELECT array_fill(1::real, ARRAY[16000])::vector < (array_fill(1::real, ARRAY[15999])::vector || '[2]'::vector) AS lt;
DROP TABLE vector_btree_t, vector_btree_u;
