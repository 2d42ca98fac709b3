-- hnsw: VACUUM marks deleted elements, repairs links, moves the entry point
SET client_min_messages = warning;

CREATE TABLE hv (id int PRIMARY KEY, v vector(3)) WITH (autovacuum_enabled = off);
INSERT INTO hv SELECT i, format('[%s,%s,%s]', sin(i * 0.7)::real, cos(i * 1.3)::real, sin(i * 0.11)::real)::vector
  FROM generate_series(1, 1500) i;
CREATE INDEX hv_idx ON hv USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);

CREATE TABLE hq (qid int, q vector(3));
INSERT INTO hq VALUES (1, '[0.05,-0.02,0.1]'), (2, '[1,1,1]'), (3, '[-0.5,0.2,-0.9]'), (4, '[3,-2,0.5]');

CREATE FUNCTION hv_check() RETURNS TABLE (qid int, same boolean, n int)
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	idx int[];
	ex int[];
BEGIN
	FOR r IN SELECT * FROM hq ORDER BY 1 LOOP
		SET LOCAL enable_seqscan = off;
		SELECT array_agg(id) INTO idx FROM (SELECT id FROM hv ORDER BY v <-> r.q LIMIT 10) s;
		SET LOCAL enable_seqscan = on;
		SET LOCAL enable_indexscan = off;
		SELECT array_agg(id) INTO ex FROM (SELECT id FROM hv ORDER BY v <-> r.q, id LIMIT 10) s;
		RESET enable_indexscan;
		qid := r.qid; same := idx = ex; n := cardinality(idx);
		RETURN NEXT;
	END LOOP;
END $$;

SET hnsw.ef_search = 200;
SELECT * FROM hv_check();

-- delete two thirds, vacuum: answers stay exact, deleted rows never come back
DELETE FROM hv WHERE id % 3 <> 0;
VACUUM hv;
SELECT * FROM hv_check();
SET enable_seqscan = off;
SET hnsw.ef_search = 1000;
SELECT count(*), count(*) FILTER (WHERE id % 3 <> 0) AS deleted
  FROM (SELECT id FROM hv ORDER BY v <-> '[0,0,0]' LIMIT 1000) s;
-- every live row stays reachable: a full iterative scan returns all of them
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1000000;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hv ORDER BY v <-> '[0,0,0]') s;
DELETE FROM hv WHERE id % 2 = 0;
VACUUM hv;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hv ORDER BY v <-> '[0,0,0]') s;
RESET hnsw.iterative_scan;
RESET hnsw.max_scan_tuples;
RESET enable_seqscan;
SET hnsw.ef_search = 200;

-- the index keeps working for inserts after vacuum
INSERT INTO hv SELECT i, format('[%s,%s,%s]', cos(i * 0.37)::real, sin(i * 0.91)::real, cos(i * 0.05)::real)::vector
  FROM generate_series(1501, 2000) i;
SELECT * FROM hv_check();

-- updates: the old version goes at vacuum, the new one is found
UPDATE hv SET v = '[9,9,9]' WHERE id = 3;
VACUUM hv;
SET enable_seqscan = off;
SELECT id FROM hv ORDER BY v <-> '[9,9,9]' LIMIT 1;
RESET enable_seqscan;

-- delete everything (the entry point too), vacuum, start again
DELETE FROM hv;
VACUUM hv;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM hv ORDER BY v <-> '[0,0,0]' LIMIT 10) s;
INSERT INTO hv SELECT i, format('[%s,%s,%s]', sin(i * 0.7)::real, cos(i * 1.3)::real, sin(i * 0.11)::real)::vector
  FROM generate_series(1, 300) i;
RESET enable_seqscan;
SELECT * FROM hv_check();

-- VACUUM with nothing deleted and VACUUM FULL (a rebuild)
VACUUM hv;
VACUUM FULL hv;
SELECT * FROM hv_check();

-- duplicate vectors share one graph node: all stay reachable, each row comes back once,
-- and vacuum removes them one by one
CREATE TABLE hd (id int PRIMARY KEY, v vector(4)) WITH (autovacuum_enabled = off);
INSERT INTO hd SELECT i, CASE WHEN i % 3 = 0 THEN '[1,1,1,1]'
  ELSE format('[%s,%s,%s,%s]', sin(i)::real, cos(i * 0.7)::real, sin(i * 1.9)::real, cos(i * 0.3)::real) END::vector
  FROM generate_series(1, 1500) i;
CREATE INDEX ON hd USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
INSERT INTO hd SELECT i, CASE WHEN i % 3 = 0 THEN '[1,1,1,1]'
  ELSE format('[%s,%s,%s,%s]', sin(i)::real, cos(i * 0.7)::real, sin(i * 1.9)::real, cos(i * 0.3)::real) END::vector
  FROM generate_series(1501, 3000) i;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1000000;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hd ORDER BY v <-> '[0,0,0,0]') s;
RESET hnsw.iterative_scan;
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT id FROM hd ORDER BY v <-> '[1,1,1,1]' LIMIT 1000) s WHERE id % 3 = 0;
DELETE FROM hd WHERE id % 3 = 0 AND id > 12;
VACUUM hd;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM hd ORDER BY v <-> '[1,1,1,1]' LIMIT 4) s;
DELETE FROM hd WHERE id % 2 = 0;
VACUUM hd;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) = (SELECT count(*) FROM hd), count(DISTINCT id) FROM (SELECT id FROM hd ORDER BY v <-> '[0,0,0,0]') s;
RESET hnsw.iterative_scan;
RESET hnsw.max_scan_tuples;
RESET hnsw.ef_search;
RESET enable_seqscan;

DROP TABLE hv, hq, hd;
DROP FUNCTION hv_check();
