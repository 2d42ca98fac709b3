-- demo/demo.sql: what demo/run shows; run by psql with -v data=DIR.
\set ECHO none
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS vecrag;
ALTER EXTENSION vecrag UPDATE;
RESET client_min_messages;

\echo '== step 1: load 339,479 GloVe-100 word vectors into a vector(100) column (first run only)'
CREATE TABLE IF NOT EXISTS words (id int PRIMARY KEY, word text NOT NULL, embedding vector(100));
SELECT count(*) = 0 AS need_load FROM words \gset
\if :need_load
SELECT clock_timestamp() AS load_start \gset
CREATE TEMP TABLE word_text (id int, word text);
\set words_file :data '/glove100-words.tsv'
\set base_file :data '/glove100-base.tsv'
COPY word_text FROM :'words_file';
CREATE TEMP TABLE word_vec (id int, embedding vector(100));
COPY word_vec FROM :'base_file';
INSERT INTO words SELECT t.id, t.word, v.embedding FROM word_text t JOIN word_vec v USING (id);
CREATE INDEX ON words (word);
ANALYZE words;
SELECT round(extract(epoch FROM clock_timestamp() - :'load_start')::numeric, 1) AS load_seconds;
\endif
SELECT count(*) AS words, pg_size_pretty(pg_total_relation_size('words')) AS table_size FROM words;

\echo
\echo '== step 2: nearest neighbours by cosine distance (<=>), exact scan over every row'
\timing on
SELECT q.word AS query, n.word AS neighbour, round(n.distance::numeric, 4) AS cosine_distance
FROM words q,
	LATERAL (SELECT w.word, w.embedding <=> q.embedding AS distance
			 FROM words w WHERE w.id <> q.id
			 ORDER BY w.embedding <=> q.embedding LIMIT 5) n
WHERE q.word IN ('king', 'paris', 'physics', 'frog')
ORDER BY q.word, n.distance;
\timing off

\echo
\echo '== step 3: the same by Euclidean distance (<->) for one word'
\timing on
SELECT w.word, round((w.embedding <-> q.embedding)::numeric, 4) AS l2_distance
FROM words w, words q
WHERE q.word = 'database'
ORDER BY w.embedding <-> q.embedding LIMIT 6;
\timing off
