-- hnsw: iterative scans keep returning rows when a filter removes most
SET client_min_messages = warning;

CREATE TABLE hi (id int, category int, v vector(2));
INSERT INTO hi SELECT i, i % 50, format('[%s,%s]', (sin(i * 0.61) * (1 + i % 7))::real, (cos(i * 0.23) * (1 + i % 5))::real)::vector
  FROM generate_series(1, 3000) i;
CREATE INDEX ON hi USING hnsw (v vector_l2_ops);

-- the exact answer
SELECT array_agg(id) AS exact FROM (SELECT id FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]', id LIMIT 10) s \gset

SET enable_seqscan = off;
SET hnsw.ef_search = 10;
EXPLAIN (COSTS OFF) SELECT id FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10;

-- off: only what the first ef_search candidates hold
SHOW hnsw.iterative_scan;
SELECT count(*) < 10 AS fewer FROM (SELECT id FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10) s;

-- strict_order: 10 rows, the exact ones, in order
SET hnsw.iterative_scan = strict_order;
SELECT array_agg(id) = :'exact' AS same FROM (SELECT id FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10) s;

-- relaxed_order: 10 rows, the exact ones (order within batches only)
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), array_agg(id ORDER BY id) = (SELECT array_agg(x ORDER BY x) FROM unnest(:'exact'::int[]) x) AS same_set
  FROM (SELECT id FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10) s;
-- re-sorting a relaxed scan gives the exact order
WITH r AS MATERIALIZED (SELECT id, v <-> '[0.3,-0.2]' AS d FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10)
SELECT array_agg(id ORDER BY d, id) = :'exact' AS same FROM r;

-- a filter nothing matches ends the scan (bounded by hnsw.max_scan_tuples)
SELECT count(*) FROM (SELECT id FROM hi WHERE category = 99 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10) s;

-- strict_order returns distances in order
SET hnsw.iterative_scan = strict_order;
WITH r AS (SELECT id, v <-> '[0.3,-0.2]' AS d, row_number() OVER () AS n FROM
             (SELECT id, v FROM hi WHERE category < 10 ORDER BY v <-> '[0.3,-0.2]' LIMIT 100) s)
SELECT count(*), bool_and(d >= coalesce(prev, 0)) AS ordered FROM (SELECT d, lag(d) OVER (ORDER BY n) prev FROM r) x;

-- a tight hnsw.max_scan_tuples stops the search early
SET hnsw.max_scan_tuples = 50;
SELECT count(*) < 10 AS stopped_early FROM (SELECT id FROM hi WHERE category = 3 ORDER BY v <-> '[0.3,-0.2]' LIMIT 10) s;
RESET hnsw.max_scan_tuples;

-- without LIMIT an iterative scan walks the whole index and returns every row once
SET hnsw.max_scan_tuples = 100000;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hi ORDER BY v <-> '[0,0]') s;
RESET hnsw.max_scan_tuples;

-- hnsw.scan_mem_multiplier is settable
SET hnsw.scan_mem_multiplier = 2;
SELECT count(*) FROM (SELECT id FROM hi WHERE category = 7 ORDER BY v <-> '[1,1]' LIMIT 5) s;
SET hnsw.scan_mem_multiplier = 0.5;
RESET hnsw.scan_mem_multiplier;

-- a rescan (a LATERAL join) restarts the scan for every outer row
SET hnsw.iterative_scan = strict_order;
SELECT c, count(*) FROM generate_series(1, 3) c,
  LATERAL (SELECT id FROM hi WHERE category = c ORDER BY v <-> '[0.3,-0.2]' LIMIT 10) s GROUP BY c ORDER BY c;

DROP TABLE hi;
