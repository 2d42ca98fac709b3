-- demo/demo.sql: what demo/run shows; run by psql with -v data=DIR.
\set ECHO none
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS vecrag;
-- index builds keep their graph in memory; PageRank reads the whole graph
SET maintenance_work_mem = '1GB';
SET work_mem = '256MB';

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

\echo
\echo '== step 4: Cranfield, 1,400 aeronautics abstracts: a BM25 index and an hnsw index on their embeddings (first run only)'
CREATE TABLE IF NOT EXISTS cran_docs (id bigint PRIMARY KEY, title text, body text, embedding vector(100));
SELECT count(*) = 0 AS need_load FROM cran_docs \gset
\if :need_load
SELECT clock_timestamp() AS load_start \gset
CREATE TEMP TABLE cran_text (id bigint, title text, body text);
CREATE TEMP TABLE cran_vec (id bigint, embedding vector(100));
\set f :shared '/cranfield-docs.tsv'
COPY cran_text FROM :'f';
\set f :shared '/cranfield-doc-vec.tsv'
COPY cran_vec FROM :'f';
INSERT INTO cran_docs SELECT t.id, t.title, t.body, v.embedding FROM cran_text t JOIN cran_vec v USING (id);
CREATE TABLE cran_queries (id int PRIMARY KEY, body text, embedding vector(100));
CREATE TEMP TABLE cran_qtext (id int, body text);
CREATE TEMP TABLE cran_qvec (id int, embedding vector(100));
\set f :shared '/cranfield-queries.tsv'
COPY cran_qtext FROM :'f';
\set f :shared '/cranfield-query-vec.tsv'
COPY cran_qvec FROM :'f';
INSERT INTO cran_queries SELECT t.id, t.body, v.embedding FROM cran_qtext t JOIN cran_qvec v USING (id);
CREATE TABLE cran_qrels (query_id int, doc_id bigint, grade int);
\set f :shared '/cranfield-qrels.tsv'
COPY cran_qrels FROM :'f';
SELECT vecrag.bm25_create_index('cran_docs', 'body') AS bm25_index;
CREATE INDEX cran_docs_embedding_hnsw ON cran_docs USING hnsw (embedding vector_cosine_ops);
ANALYZE cran_docs;
SELECT round(extract(epoch FROM clock_timestamp() - :'load_start')::numeric, 1) AS load_and_index_seconds;
\endif

\echo
\echo '== step 5: hybrid search for Cranfield query 1: the BM25 and vector (hnsw) top-8 fused with reciprocal rank fusion'
SELECT body AS query FROM cran_queries WHERE id = 1;
\timing on
SELECT h.rank, h.id AS doc, left(d.title, 58) AS title, h.bm25_rank, h.vector_rank,
	   coalesce(q.grade::text, '-') AS judged_relevance
FROM cran_queries cq
	 CROSS JOIN LATERAL vecrag.hybrid_search('cran_docs', cq.body, cq.embedding, k => 8) h
	 JOIN cran_docs d ON d.id = h.id
	 LEFT JOIN cran_qrels q ON q.query_id = cq.id AND q.doc_id = h.id
WHERE cq.id = 1
ORDER BY h.rank;
\timing off

\echo
\echo '== step 6: rerank the 30 hybrid candidates with MMR (lambda 0.5) so near-duplicate abstracts give way'
\timing on
WITH cand AS (
	SELECT h.id, d.embedding
	FROM cran_queries cq
		 CROSS JOIN LATERAL vecrag.hybrid_search('cran_docs', cq.body, cq.embedding, k => 30) h
		 JOIN cran_docs d ON d.id = h.id
	WHERE cq.id = 1 AND d.embedding IS NOT NULL
)
SELECT m.rank, m.id AS doc, left(d.title, 70) AS title
FROM (SELECT array_agg(id) AS ids, array_agg(embedding) AS embs FROM cand) c
	 CROSS JOIN cran_queries cq
	 CROSS JOIN LATERAL vecrag.mmr(cq.embedding, c.ids, c.embs, k => 5, lambda => 0.5) m
	 JOIN cran_docs d ON d.id = m.id
WHERE cq.id = 1
ORDER BY m.rank;
\timing off

\echo
\echo '== step 7: WordNet as a knowledge graph: 117,659 synsets with gloss vectors, 364,552 typed relations (first run only)'
CREATE TABLE IF NOT EXISTS synsets (id bigint PRIMARY KEY, pos text, lemmas text, gloss text, embedding vector(100));
SELECT count(*) = 0 AS need_load FROM synsets \gset
\if :need_load
SELECT clock_timestamp() AS load_start \gset
CREATE TEMP TABLE syn_text (id bigint, pos text, lemmas text, gloss text);
CREATE TEMP TABLE syn_vec (id bigint, embedding vector(100));
\set f :data '/wordnet-nodes.tsv'
COPY syn_text FROM :'f';
\set f :data '/wordnet-node-vec-gloss.tsv'
COPY syn_vec FROM :'f';
INSERT INTO synsets SELECT t.id, t.pos, t.lemmas, t.gloss, v.embedding FROM syn_text t LEFT JOIN syn_vec v USING (id);
CREATE TABLE relations (src bigint, dst bigint, relation text);
\set f :data '/wordnet-edges.tsv'
COPY relations FROM :'f';
CREATE INDEX ON relations (src) INCLUDE (dst, relation);
CREATE INDEX ON relations (dst) INCLUDE (src, relation);
SELECT vecrag.create_graph('wordnet', 'relations', src => 'src', dst => 'dst', relation => 'relation');
\echo building an hnsw index on 117,658 synset vectors ...
CREATE INDEX synsets_embedding_hnsw ON synsets USING hnsw (embedding vector_cosine_ops);
ANALYZE synsets;
ANALYZE relations;
SELECT round(extract(epoch FROM clock_timestamp() - :'load_start')::numeric, 1) AS load_and_index_seconds;
\endif

\echo
\echo '== step 8: GraphRAG: synsets nearest to the word "dolphin" (hnsw), expanded 2 hops along hypernym/hyponym/member links, ranked by similarity and distance'
\timing on
WITH q AS (SELECT embedding FROM words WHERE word = 'dolphin'),
seeds AS (
	SELECT s.id FROM synsets s, q ORDER BY s.embedding <=> q.embedding LIMIT 5
),
expanded AS (
	SELECT t.id, t.depth, t.relation_path
	FROM vecrag.traverse('wordnet', ARRAY(SELECT id FROM seeds), max_depth => 2,
						 relations => ARRAY['hypernym', 'hyponym', 'member_holonym', 'member_meronym']) t
)
SELECT x.depth, replace(split_part(s.lemmas, ',', 1), '_', ' ') AS synset,
	   CASE WHEN x.depth = 0 THEN 'vector hit' ELSE array_to_string(x.relation_path, ' > ') END AS reached_by,
	   round(((1 - (s.embedding <=> q.embedding)) / (1 + x.depth))::numeric, 3) AS score
FROM expanded x JOIN synsets s USING (id) CROSS JOIN q
ORDER BY score DESC NULLS LAST LIMIT 10;
\timing off

\echo
\echo '== step 9: HippoRAG-style personalized PageRank over the whole graph, seeded by the same vector hits'
\timing on
WITH q AS (SELECT embedding FROM words WHERE word = 'dolphin'),
seeds AS (
	SELECT s.id, 1 - (s.embedding <=> q.embedding) AS sim
	FROM synsets s, q ORDER BY s.embedding <=> q.embedding LIMIT 5
)
SELECT p.rank, replace(split_part(s.lemmas, ',', 1), '_', ' ') AS synset, round(p.score::numeric, 4) AS pagerank,
	   left(s.gloss, 50) AS gloss
FROM vecrag.pagerank('wordnet', seeds => ARRAY(SELECT id FROM seeds ORDER BY id),
					 seed_weights => ARRAY(SELECT sim FROM seeds ORDER BY id),
					 direction => 'both', top_n => 8) p
JOIN synsets s USING (id)
ORDER BY p.rank;
\timing off
