-- BM25 index side objects in pg_depend (QA B4, B6) and under
-- session_replication_role = replica (QA B5)
\set SHOW_CONTEXT never
\set VERBOSITY terse
CREATE TABLE sdx (id bigint PRIMARY KEY, body text);
INSERT INTO sdx VALUES (1, 'hello');
SELECT vecrag.bm25_create_index('sdx', 'body');
SELECT pg_describe_object(classid, objid, objsubid) AS object,
	   pg_describe_object(refclassid, refobjid, refobjsubid) AS depends_on, deptype
FROM pg_depend
WHERE deptype IN ('a', 'n') AND refclassid IN ('pg_class'::regclass, 'pg_extension'::regclass)
  AND (objid IN (SELECT oid FROM pg_class WHERE relname LIKE 'sdx_body_bm25%')
	   OR objid = 'sdx_body_bm25_maintain'::regproc)
ORDER BY 1, 2;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'sdx'::regclass ORDER BY 1;
-- parts cannot be dropped alone; the extension cannot be dropped under them
DROP TABLE sdx_body_bm25_terms;
DROP EXTENSION vecrag;
-- DROP EXTENSION ... CASCADE removes the index and leaves the table writable
BEGIN;
DROP EXTENSION vecrag CASCADE;
INSERT INTO sdx VALUES (2, 'world');
SELECT count(*) FROM pg_class WHERE relname LIKE 'sdx_body_bm25%';
ROLLBACK;
-- DROP TABLE of the source drops the index with it
DROP TABLE sdx;
SELECT relname FROM pg_class WHERE relname LIKE 'sdx%';
SELECT proname FROM pg_proc WHERE proname LIKE 'sdx%';
CREATE TABLE sdx (id bigint PRIMARY KEY, body text);
SELECT vecrag.bm25_create_index('sdx', 'body');
-- DROP TABLE of the metadata table drops the whole index
DROP TABLE sdx_body_bm25;
SELECT relname FROM pg_class WHERE relname LIKE 'sdx%' ORDER BY 1;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'sdx'::regclass;
-- a part dropped with CASCADE takes the function and triggers along: the
-- table stays writable, the index reports what is missing and
-- bm25_drop_index removes the rest
SELECT vecrag.bm25_create_index('sdx', 'body');
INSERT INTO sdx VALUES (2, 'world');
DROP TABLE sdx_body_bm25_terms CASCADE;
INSERT INTO sdx VALUES (1, 'hello');
SELECT * FROM vecrag.bm25_search('sdx_body_bm25', 'hello');
SELECT vecrag.bm25_drop_index('sdx_body_bm25');
SELECT relname FROM pg_class WHERE relname LIKE 'sdx%' ORDER BY 1;
-- the indexed columns can be neither dropped nor retyped under the index;
-- DROP COLUMN ... CASCADE takes the triggers along: the table stays
-- writable and the index reports the missing column
SELECT vecrag.bm25_create_index('sdx', 'body');
ALTER TABLE sdx DROP COLUMN body;
ALTER TABLE sdx DROP COLUMN id;
ALTER TABLE sdx ALTER COLUMN body TYPE varchar;
ALTER TABLE sdx ADD COLUMN note text;
ALTER TABLE sdx DROP COLUMN note;
INSERT INTO sdx VALUES (3, 'hello again');
SELECT id FROM vecrag.bm25_search('sdx_body_bm25', 'hello') ORDER BY id;
ALTER TABLE sdx DROP COLUMN body CASCADE;
INSERT INTO sdx VALUES (4);
SELECT * FROM vecrag.bm25_search('sdx_body_bm25', 'hello');
SELECT vecrag.bm25_drop_index('sdx_body_bm25');
ALTER TABLE sdx ADD COLUMN body text;
-- bm25_drop_index refuses other tables
SELECT vecrag.bm25_drop_index('sdx');
-- recording again is a no-op; only the owner may record
SELECT vecrag.bm25_create_index('sdx', 'body');
SELECT vecrag.bm25_record_dependencies('sdx_body_bm25');
SELECT vecrag.bm25_record_dependencies('sdx');
DROP TABLE sdx;

-- rows written under session_replication_role = replica (what a logical
-- replication subscriber's apply does) are indexed by the replica row
-- triggers, exactly once
CREATE TABLE rp (id bigint PRIMARY KEY, body text);
SELECT vecrag.bm25_create_index('rp', 'body');
SET session_replication_role = replica;
INSERT INTO rp VALUES (1, 'hello world'), (2, 'hello there');
UPDATE rp SET body = 'bye world' WHERE id = 2;
UPDATE rp SET id = id WHERE id = 2;
DELETE FROM rp WHERE id = 1;
INSERT INTO rp VALUES (3, 'hello hello');
RESET session_replication_role;
INSERT INTO rp VALUES (4, 'world');
SELECT * FROM vecrag.bm25_index_info('rp_body_bm25');
SELECT term, sum(df) FROM rp_body_bm25_terms GROUP BY term HAVING sum(df) <> 0 ORDER BY term;
SELECT id, rank FROM vecrag.bm25_search('rp_body_bm25', 'hello world bye');
SELECT id, round(score::numeric, 9) AS score FROM vecrag.bm25_search('rp_body_bm25', 'hello world bye')
EXCEPT
SELECT id, round(vecrag.bm25_score('rp_body_bm25', 'hello world bye', id)::numeric, 9) FROM rp;
SET session_replication_role = replica;
TRUNCATE rp;
RESET session_replication_role;
SELECT documents FROM vecrag.bm25_index_info('rp_body_bm25');
DROP TABLE rp;
