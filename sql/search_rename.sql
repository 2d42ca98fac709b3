-- BM25 indexes follow ALTER TABLE: RENAME COLUMN of the text or id column,
-- RENAME TO and SET SCHEMA of the table, OWNER TO; renaming or moving the
-- index's own tables is refused
\set SHOW_CONTEXT never
\set VERBOSITY terse
CREATE SCHEMA srn;
-- a dropped column before the indexed ones: attribute numbers and
-- positions differ; columns named like the maintenance function's aliases
-- and variables
CREATE TABLE srn.docs (gone int, extra int, id int PRIMARY KEY, body text, emb vector(2),
	s text, n int, o int, cols int2[], touched text[]);
ALTER TABLE srn.docs DROP COLUMN gone;
INSERT INTO srn.docs (extra, id, emb, body)
SELECT i, i, ARRAY[i, 1]::vector(2), format('document %s about %s flow in %s layers', i,
	(ARRAY['laminar', 'turbulent', 'supersonic'])[i % 3 + 1], (ARRAY['thin', 'thick'])[i % 2 + 1])
FROM generate_series(1, 40) i;
SELECT vecrag.bm25_create_index('srn.docs', 'body');
SELECT tgname, tgattr FROM pg_trigger WHERE tgrelid = 'srn.docs'::regclass AND tgattr <> '' ORDER BY 1;
-- each kind of write right after a rename runs the path that reads the
-- columns by attribute number (the maintenance function then makes itself
-- again under the new names)
CREATE FUNCTION pg_temp.names() RETURNS text LANGUAGE sql AS $$
	SELECT format('metadata %s/%s, function %s', m.text_column, m.id_column,
				  substring(p.prosrc FROM 'ARRAY\[([^]]*)\]::name\[\]'))
	FROM srn.docs_body_bm25 m, pg_proc p WHERE p.oid = 'srn.docs_body_bm25_maintain'::regproc $$;
SELECT pg_temp.names();
ALTER TABLE srn.docs RENAME COLUMN body TO content;
ALTER TABLE srn.docs RENAME COLUMN id TO doc_id;
SELECT source, text_column, id_column, documents FROM vecrag.bm25_index_info('srn.docs_body_bm25');
SELECT pg_temp.names();
-- statement-level writes
INSERT INTO srn.docs (extra, doc_id, content) VALUES (100, 100, 'turbulent turbulent flow'),
	(101, 101, NULL);
SELECT pg_temp.names();
ALTER TABLE srn.docs RENAME COLUMN content TO c2;
UPDATE srn.docs SET c2 = 'thin supersonic layers' WHERE doc_id IN (3, 4);
ALTER TABLE srn.docs RENAME COLUMN doc_id TO i2;
UPDATE srn.docs SET i2 = 200 WHERE i2 = 5;
ALTER TABLE srn.docs RENAME COLUMN c2 TO c3;
UPDATE srn.docs SET extra = -extra WHERE i2 < 20;
ALTER TABLE srn.docs RENAME COLUMN c3 TO c4;
DELETE FROM srn.docs WHERE i2 IN (6, 7, 101);
SELECT pg_temp.names();
-- row-level writes (a subscriber's apply)
SET session_replication_role = replica;
ALTER TABLE srn.docs RENAME COLUMN c4 TO c5;
INSERT INTO srn.docs (extra, i2, c5) VALUES (102, 102, 'laminar laminar laminar');
ALTER TABLE srn.docs RENAME COLUMN c5 TO c6;
UPDATE srn.docs SET c6 = 'thick thick' WHERE i2 = 8;
ALTER TABLE srn.docs RENAME COLUMN c6 TO c7;
UPDATE srn.docs SET extra = 0 WHERE i2 = 9;
ALTER TABLE srn.docs RENAME COLUMN c7 TO content;
ALTER TABLE srn.docs RENAME COLUMN i2 TO doc_id;
DELETE FROM srn.docs WHERE doc_id = 10;
RESET session_replication_role;
SELECT pg_temp.names();
-- the function made again keeps its dependencies
SELECT pg_describe_object(refclassid, refobjid, refobjsubid) AS depends_on, deptype FROM pg_depend
WHERE classid = 'pg_proc'::regclass AND objid = 'srn.docs_body_bm25_maintain'::regproc
  AND refclassid = 'pg_class'::regclass ORDER BY 1;
SELECT * FROM vecrag.bm25_search('srn.docs_body_bm25', 'turbulent flow', 3);
SELECT id, rank, bm25_rank, vector_rank FROM vecrag.hybrid_search('srn.docs', 'turbulent flow', '[6.2,1]', k => 3,
	vector_column => 'emb', distance => 'l2', candidates => 5);
-- the same answers as an index created now
SELECT vecrag.bm25_create_index('srn.docs', 'content', 'doc_id', name => 'fresh');
SELECT q, (SELECT count(*) FROM vecrag.bm25_search('srn.fresh', q, 50)) AS hits,
	   (SELECT array_agg(row(id, round(score::numeric, 9)) ORDER BY rank)
		   FROM vecrag.bm25_search('srn.docs_body_bm25', q, 50))
		  IS NOT DISTINCT FROM
		  (SELECT array_agg(row(id, round(score::numeric, 9)) ORDER BY rank)
		   FROM vecrag.bm25_search('srn.fresh', q, 50)) AS same
FROM (VALUES ('turbulent flow'), ('thin supersonic layers'), ('laminar'), ('thick'), ('document 5')) v(q);
SELECT vecrag.bm25_drop_index('srn.fresh');
-- the renamed columns are still tied to the index
ALTER TABLE srn.docs DROP COLUMN content;
ALTER TABLE srn.docs ALTER COLUMN doc_id TYPE bigint;
-- renaming and moving the table itself
ALTER TABLE srn.docs RENAME TO papers;
CREATE SCHEMA srn2;
ALTER TABLE srn.papers SET SCHEMA srn2;
INSERT INTO srn2.papers (doc_id, content) VALUES (300, 'hypersonic');
SELECT * FROM vecrag.bm25_search('srn.docs_body_bm25', 'hypersonic');
SELECT source, text_column, id_column FROM vecrag.bm25_index_info('srn.docs_body_bm25');
-- the index's own tables are named by its function and triggers
ALTER TABLE srn.docs_body_bm25 RENAME TO other;
ALTER TABLE srn.docs_body_bm25_postings RENAME TO other;
ALTER TABLE srn.docs_body_bm25_terms SET SCHEMA srn2;
ALTER TABLE srn.docs_body_bm25_stats ADD COLUMN note text;
ALTER TABLE srn.docs_body_bm25_stats DROP COLUMN note;
INSERT INTO srn2.papers (doc_id, content) VALUES (301, 'hypersonic hypersonic');
SELECT id, rank FROM vecrag.bm25_search('srn.docs_body_bm25', 'hypersonic');

-- OWNER TO: the index follows the table to its new owner
CREATE ROLE srn_alice;
CREATE ROLE srn_bob;
CREATE ROLE srn_mallory;
GRANT USAGE, CREATE ON SCHEMA srn TO srn_alice, srn_bob, srn_mallory;
CREATE TABLE srn.owned (id int PRIMARY KEY, body text);
ALTER TABLE srn.owned OWNER TO srn_alice;
SET ROLE srn_alice;
INSERT INTO srn.owned VALUES (1, 'red apple'), (2, 'green apple');
SELECT vecrag.bm25_create_index('srn.owned', 'body');
RESET ROLE;
ALTER TABLE srn.owned OWNER TO srn_bob;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
WHERE c.relnamespace = 'srn'::regnamespace AND c.relname LIKE 'owned%' AND c.relkind = 'r' ORDER BY 1;
SELECT p.proname, pg_get_userbyid(p.proowner) AS owner, p.proacl FROM pg_proc p
WHERE p.pronamespace = 'srn'::regnamespace AND p.proname LIKE 'owned%';
SET ROLE srn_bob;
INSERT INTO srn.owned VALUES (3, 'apple apple pie');
SELECT * FROM vecrag.bm25_search('srn.owned_body_bm25', 'apple', 2);
RESET ROLE;
-- a non-owner still cannot plant an index on the table: its own metadata
-- table pointing at bob's table and its own side tables are refused, and
-- neither tied to the table nor given to bob by a later OWNER TO
GRANT SELECT ON srn.owned TO srn_mallory;
SET ROLE srn_mallory;
CREATE TABLE srn.fake_postings (term text COLLATE "C" NOT NULL, id bigint NOT NULL, tf integer NOT NULL, doclen integer NOT NULL);
CREATE INDEX ON srn.fake_postings (term, id) INCLUDE (tf, doclen);
CREATE TABLE srn.fake_terms (term text COLLATE "C" NOT NULL, df bigint NOT NULL);
CREATE INDEX ON srn.fake_terms (term);
CREATE TABLE srn.fake_stats (n bigint NOT NULL, len bigint NOT NULL);
CREATE TABLE srn.fake (source regclass NOT NULL, text_column name NOT NULL, id_column name NOT NULL,
	config regconfig, postings regclass NOT NULL, terms regclass NOT NULL, stats regclass NOT NULL);
INSERT INTO srn.fake VALUES ('srn.owned', 'body', 'id', NULL, 'srn.fake_postings', 'srn.fake_terms', 'srn.fake_stats');
INSERT INTO srn.fake_postings VALUES ('apple', 1, 99, 1);
INSERT INTO srn.fake_terms VALUES ('apple', 1);
INSERT INTO srn.fake_stats VALUES (1, 1);
SELECT * FROM vecrag.bm25_search('srn.fake', 'apple');
SELECT vecrag.bm25_record_dependencies('srn.fake');
RESET ROLE;
ALTER TABLE srn.owned OWNER TO srn_alice;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
WHERE c.relnamespace = 'srn'::regnamespace AND (c.relname LIKE 'owned%' OR c.relname LIKE 'fake%')
  AND c.relkind = 'r' ORDER BY 1;
SET ROLE srn_alice;
SELECT id, rank FROM vecrag.bm25_search('srn.owned_body_bm25', 'apple');
RESET ROLE;

DROP SCHEMA srn CASCADE;
DROP SCHEMA srn2 CASCADE;
DROP ROLE srn_alice;
DROP ROLE srn_bob;
DROP ROLE srn_mallory;
