-- ivf access method: build, options, opclasses, scans equal to exact scans
-- when every list is probed.
SET client_min_messages = notice;
CREATE TABLE ivf_items (id int PRIMARY KEY, v vector(4));
INSERT INTO ivf_items
	SELECT i, format('[%s,%s,%s,%s]', sin(i), cos(i * 1.3), sin(i * 0.7) * 2, cos(i * 0.1))::vector
	FROM generate_series(1, 1200) i;
INSERT INTO ivf_items VALUES (1201, NULL), (1202, '[0,0,0,0]');

-- option errors
CREATE INDEX ON ivf_items USING ivf (v) WITH (lists = 0);
CREATE INDEX ON ivf_items USING ivf (v) WITH (lists = 32769);
CREATE INDEX ON ivf_items USING ivf (v) WITH (quantizer = 'pq');
CREATE INDEX ON ivf_items USING ivfflat (v) WITH (quantizer = 'sq8');
CREATE INDEX ON ivf_items USING ivf (v) WITH (probes = 3);
CREATE TABLE ivf_nodim (v vector);
INSERT INTO ivf_nodim VALUES ('[1,2]');
CREATE INDEX ON ivf_nodim USING ivf (v);
DROP TABLE ivf_nodim;

-- fewer rows than lists: a notice, and the index still works
CREATE TABLE ivf_small (id int, v vector(2));
INSERT INTO ivf_small VALUES (1, '[1,1]'), (2, '[2,2]'), (3, '[3,3]');
CREATE INDEX ivf_small_idx ON ivf_small USING ivf (v) WITH (lists = 10);
SET enable_seqscan = off;
SET ivf.probes = 10;
SELECT id FROM ivf_small ORDER BY v <-> '[2.9,2.9]' LIMIT 3;
DROP TABLE ivf_small;

-- a scan without ORDER BY never uses the index
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items WHERE id < 3;

-- helper: compare index order with exact order for one query
CREATE FUNCTION ivf_check(op text, q vector, k int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	idx int[];
	exact int[];
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ivf_items ORDER BY v %s $1 LIMIT $2) s', op)
		INTO idx USING q, k;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ivf_items WHERE v IS NOT NULL ORDER BY v %s $1, id LIMIT $2) s', op)
		INTO exact USING q, k;
	RETURN CASE WHEN idx = exact THEN 'same' ELSE format('index %s exact %s', idx, exact) END;
END $$;

-- L2, all lists probed: the index returns the exact order, NULLs skipped
CREATE INDEX ivf_l2 ON ivf_items USING ivf (v vector_l2_ops) WITH (lists = 8);
EXPLAIN (COSTS OFF) SELECT id FROM ivf_items ORDER BY v <-> '[0.5,0.5,0.5,0.5]' LIMIT 5;
SET ivf.probes = 8;
SELECT ivf_check('<->', '[0.5,0.5,0.5,0.5]', 10), ivf_check('<->', '[-1,2,0,1]', 1202);
SELECT count(*) FROM (SELECT id FROM ivf_items ORDER BY v <-> '[1,1,1,1]') s;
-- one probe reads one list only
SET ivf.iterative_scan = off;
SET ivf.probes = 1;
SELECT count(*) < 1201 AS one_list FROM (SELECT id FROM ivf_items ORDER BY v <-> '[1,1,1,1]') s;
SET ivf.probes = 8;
RESET ivf.iterative_scan;
DROP INDEX ivf_l2;

-- inner product
CREATE INDEX ivf_ip ON ivf_items USING ivf (v vector_ip_ops) WITH (lists = 8);
SELECT ivf_check('<#>', '[0.5,-0.5,0.5,1]', 10), ivf_check('<#>', '[3,1,0,-2]', 50);
DROP INDEX ivf_ip;

-- cosine: zero vectors are not indexed; a zero query returns nothing
CREATE INDEX ivf_cos ON ivf_items USING ivf (v vector_cosine_ops) WITH (lists = 8);
SELECT ivf_check('<=>', '[0.5,-0.5,0.5,1]', 10), ivf_check('<=>', '[3,1,0,-2]', 50);
SELECT count(*) FROM (SELECT id FROM ivf_items ORDER BY v <=> '[1,1,1,1]') s;
SELECT count(*) FROM (SELECT id FROM ivf_items ORDER BY v <=> '[0,0,0,0]') s;
DROP INDEX ivf_cos;

-- pgvector's spelling: ivfflat, lists, ivfflat.probes
CREATE INDEX ivf_flat ON ivf_items USING ivfflat (v vector_l2_ops) WITH (lists = 8);
SET ivfflat.probes = 8;
SELECT ivf_check('<->', '[0.5,0.5,0.5,0.5]', 10);
SHOW ivfflat.probes;
SHOW ivfflat.iterative_scan;
SHOW ivfflat.max_probes;
SET ivfflat.probes = 0;
DROP INDEX ivf_flat;
CREATE INDEX ivf_flat_cos ON ivf_items USING ivfflat (v vector_cosine_ops) WITH (lists = 4);
SET ivfflat.probes = 4;
SELECT ivf_check('<=>', '[0.5,-0.5,0.5,1]', 10);
DROP INDEX ivf_flat_cos;

-- expression index
CREATE INDEX ivf_expr ON ivf_items USING ivf ((v::vector(4)) vector_l2_ops) WITH (lists = 4);
SET ivf.probes = 4;
SELECT id FROM ivf_items ORDER BY v::vector(4) <-> '[0.5,0.5,0.5,0.5]' LIMIT 3;
DROP INDEX ivf_expr;

-- default settings
RESET ivf.probes;
SHOW ivf.probes;
SHOW ivf.rerank;
SHOW ivf.iterative_scan;
SHOW ivf.max_scan_tuples;
SELECT amname, opcname FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
	WHERE amname IN ('ivf', 'ivfflat') ORDER BY 1, 2;
DROP FUNCTION ivf_check;
DROP TABLE ivf_items;
