-- ivf iterative scans: filtered queries keep probing lists until they have
-- their rows, bounded by ivf.max_scan_tuples (ivf) or ivfflat.max_probes.
CREATE TABLE ivf_it (id int, category int, v vector(3));
INSERT INTO ivf_it
	SELECT i, i % 50, format('[%s,%s,%s]', sin(i), cos(i * 0.3), sin(i * 1.7))::vector
	FROM generate_series(1, 5000) i;
CREATE INDEX ivf_it_idx ON ivf_it USING ivf (v) WITH (lists = 50, quantizer = sq8);
CREATE INDEX ivf_it_flat ON ivf_it USING ivfflat (v) WITH (lists = 50);
SET enable_seqscan = off;
SET ivf.probes = 1;
SET ivfflat.probes = 1;

CREATE FUNCTION ivf_it_rows(am text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	UPDATE pg_index SET indisvalid = (indexrelid = ('ivf_it_' || am)::regclass)
		WHERE indrelid = 'ivf_it'::regclass;
	-- EXECUTE: a cached plan would keep the index it was planned with
	EXECUTE 'SELECT count(*) FROM (SELECT id FROM ivf_it WHERE category = 7
		ORDER BY v <-> ''[0.1,0.2,0.3]'' LIMIT 20) s' INTO n;
	UPDATE pg_index SET indisvalid = true WHERE indrelid = 'ivf_it'::regclass;
	RETURN n;
END $$;

-- one list holds about 100 rows, 2 of category 7: without iterative scans
-- the filter leaves too few rows
SET ivf.iterative_scan = off;
SELECT ivf_it_rows('idx') < 20 AS too_few;
-- relaxed_order (the ivf default) probes further lists until 20 rows match
RESET ivf.iterative_scan;
SHOW ivf.iterative_scan;
SELECT ivf_it_rows('idx');
-- a bound on entries visited stops it early
SET ivf.max_scan_tuples = 500;
SELECT ivf_it_rows('idx') < 20 AS bounded;
RESET ivf.max_scan_tuples;

-- pgvector's settings for ivfflat
SELECT ivf_it_rows('flat') < 20 AS too_few;
SET ivfflat.iterative_scan = relaxed_order;
SELECT ivf_it_rows('flat');
SET ivfflat.max_probes = 3;
SELECT ivf_it_rows('flat') < 20 AS bounded;

-- each batch comes back in order
SET ivfflat.max_probes = 50;
SELECT bool_and(d >= prev) AS ordered FROM (
	SELECT d, lag(d, 1, 0.0::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, v <-> '[0.1,0.2,0.3]' AS d FROM (
			SELECT v FROM ivf_it ORDER BY v <-> '[0.1,0.2,0.3]' LIMIT 10) a) b) c;
DROP TABLE ivf_it;
DROP FUNCTION ivf_it_rows;
