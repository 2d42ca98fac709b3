-- ivf after the build: inserts (chains grow past one page), VACUUM,
-- REINDEX, TRUNCATE, unlogged tables; every quantizer.
CREATE TABLE ivf_ins (id int, v vector(8));
INSERT INTO ivf_ins
	SELECT i, (SELECT format('[%s]', string_agg(round(sin(i * 0.91 + j * 2.3)::numeric, 5)::text, ',' ORDER BY j))
			   FROM generate_series(1, 8) j)::vector
	FROM generate_series(1, 300) i;

CREATE FUNCTION ivf_ins_check(q vector, k int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	idx int[];
	exact int[];
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	-- EXECUTE: a cached plan would keep the index it was planned with
	EXECUTE 'SELECT array_agg(id) FROM (SELECT id FROM ivf_ins ORDER BY v <-> $1 LIMIT $2) s'
		INTO idx USING q, k;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	SELECT array_agg(id) INTO exact FROM (SELECT id FROM ivf_ins WHERE v IS NOT NULL ORDER BY v <-> q, id LIMIT k) s;
	RETURN CASE WHEN idx = exact THEN 'same' ELSE format('index %s exact %s', idx, exact) END;
END $$;

CREATE FUNCTION ivf_ins_count() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	SET LOCAL enable_seqscan = off;
	EXECUTE 'SELECT count(*) FROM (SELECT id FROM ivf_ins ORDER BY v <-> ''[0,0,0,0,0,0,0,0]'') s' INTO n;
	RETURN n;
END $$;

SET ivf.probes = 6;
SET ivf.rerank = 100000;
CREATE INDEX ivf_ins_none ON ivf_ins USING ivf (v) WITH (lists = 6);
CREATE INDEX ivf_ins_sq8 ON ivf_ins USING ivf (v) WITH (lists = 6, quantizer = sq8);
CREATE INDEX ivf_ins_rabitq ON ivf_ins USING ivf (v) WITH (lists = 6, quantizer = rabitq);

-- 5000 more rows (and NULLs) go through aminsert into all three indexes
INSERT INTO ivf_ins
	SELECT i, (SELECT format('[%s]', string_agg(round(sin(i * 0.91 + j * 2.3)::numeric, 5)::text, ',' ORDER BY j))
			   FROM generate_series(1, 8) j)::vector
	FROM generate_series(301, 5300) i;
INSERT INTO ivf_ins VALUES (0, NULL);
SELECT pg_relation_size('ivf_ins_none') / current_setting('block_size')::int > 20 AS chains_grew;

-- one index at a time, to be sure which one answers
CREATE FUNCTION ivf_ins_each() RETURNS TABLE (index text, near text, far text, rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
	names text[] := ARRAY['ivf_ins_none', 'ivf_ins_sq8', 'ivf_ins_rabitq'];
	n text;
BEGIN
	FOREACH n IN ARRAY names LOOP
		EXECUTE format('UPDATE pg_index SET indisvalid = (indexrelid = %L::regclass) WHERE indrelid = %L::regclass', n, 'ivf_ins');
		index := n;
		near := ivf_ins_check('[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]', 30);
		far := ivf_ins_check((SELECT v FROM ivf_ins WHERE id = 4000), 30);
		rows := ivf_ins_count();
		IF NOT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = n::regclass AND indisvalid) THEN
			RAISE EXCEPTION 'index % not valid', n;
		END IF;
		RETURN NEXT;
	END LOOP;
	UPDATE pg_index SET indisvalid = true WHERE indrelid = 'ivf_ins'::regclass;
END $$;
SELECT * FROM ivf_ins_each();

-- delete most rows; VACUUM removes their entries
DELETE FROM ivf_ins WHERE id % 5 <> 0;
VACUUM ivf_ins;
SELECT * FROM ivf_ins_each();
-- the freed space is reused by new rows
INSERT INTO ivf_ins
	SELECT i, (SELECT format('[%s]', string_agg(round(cos(i * 0.53 + j)::numeric, 5)::text, ',' ORDER BY j))
			   FROM generate_series(1, 8) j)::vector
	FROM generate_series(10001, 10500) i;
SELECT * FROM ivf_ins_each();

REINDEX TABLE ivf_ins;
SELECT * FROM ivf_ins_each();

TRUNCATE ivf_ins;
INSERT INTO ivf_ins VALUES (1, '[1,1,1,1,1,1,1,1]'), (2, '[2,2,2,2,2,2,2,2]');
SELECT * FROM ivf_ins_each();
DROP TABLE ivf_ins;

-- unlogged tables get an init fork
CREATE UNLOGGED TABLE ivf_unlogged (id int, v vector(2));
INSERT INTO ivf_unlogged SELECT i, format('[%s,%s]', i, i)::vector FROM generate_series(1, 100) i;
CREATE INDEX ON ivf_unlogged USING ivf (v) WITH (lists = 2, quantizer = rabitq);
SET enable_seqscan = off;
SELECT id FROM ivf_unlogged ORDER BY v <-> '[50.2,50.2]' LIMIT 3;
DROP TABLE ivf_unlogged;
DROP FUNCTION ivf_ins_check, ivf_ins_count, ivf_ins_each;
