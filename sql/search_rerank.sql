-- rerank scoring: MMR, ColBERT MaxSim, feature scores, a model reranker
-- called once per batch, and HyDE
\set SHOW_CONTEXT never
SELECT id, round(score::numeric, 6) AS score, rank
FROM vecrag.mmr('[1,0]', '{1,2,3,4}', ARRAY['[1,0]', '[0.99,0.01]', '[0.6,0.8]', '[0,1]']::vector[],
				k => 4, lambda => 0.5);
-- lambda 1 is plain relevance order; 0 is pure diversity after the first pick
SELECT array_agg(id ORDER BY rank) FROM vecrag.mmr('[1,0]', '{1,2,3,4}',
	ARRAY['[1,0]', '[0.99,0.01]', '[0.6,0.8]', '[0,1]']::vector[], k => 4, lambda => 1);
SELECT array_agg(id ORDER BY rank) FROM vecrag.mmr('[1,0]', '{1,2,3,4}',
	ARRAY['[1,0]', '[0.99,0.01]', '[0.6,0.8]', '[0,1]']::vector[], k => 2, lambda => 0);
-- caller's relevance scores instead of similarity to the query
SELECT array_agg(id ORDER BY rank) FROM vecrag.mmr('[1,0]', '{1,2,3}',
	ARRAY['[1,0]', '[1,0]', '[0,1]']::vector[], scores => '{0.9,0.8,0.1}', lambda => 0.6);
SELECT * FROM vecrag.mmr('[1,0]', '{}', '{}');

SELECT vecrag.maxsim(ARRAY['[1,0]', '[0,1]']::vector[], ARRAY['[1,0]', '[0.6,0.8]']::vector[]);
SELECT vecrag.maxsim(ARRAY['[1,0]']::vector[], ARRAY['[-1,0]']::vector[]);
SELECT vecrag.feature_score('{2,0.5,10}', '{0.5,2,0.01}');

-- a model reranker: one call per batch of candidates
CREATE TABLE rerank_calls (n int);
CREATE FUNCTION length_reranker(query text, documents text[]) RETURNS float8[]
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO rerank_calls VALUES (cardinality(documents));
	RETURN ARRAY(SELECT (length(d) - abs(length(d) - length(query)))::float8 FROM unnest(documents) d);
END $$;
SELECT * FROM vecrag.rerank('abcd', '{10,20,30,40,50}', '{a,abcdef,abcd,ab,abc}',
	k => 3, reranker => 'length_reranker');
SELECT n FROM rerank_calls;
TRUNCATE rerank_calls;
SET vecrag.reranker = 'length_reranker';
SELECT id, rank FROM vecrag.rerank('abcd', '{10,20,30,40,50}', '{a,abcdef,abcd,ab,abc}', batch_size => 2);
SELECT n FROM rerank_calls;
RESET vecrag.reranker;
-- errors
SELECT * FROM vecrag.rerank('q', '{1}', '{a}');
SELECT * FROM vecrag.rerank('q', '{1,2}', '{a}', reranker => 'length_reranker');
SELECT * FROM vecrag.rerank('q', '{1}', '{a}', reranker => 'now');
CREATE FUNCTION short_reranker(query text, documents text[]) RETURNS float8[]
LANGUAGE sql AS $$ SELECT '{1}'::float8[] $$;
SELECT * FROM vecrag.rerank('q', '{1,2}', '{a,b}', reranker => 'short_reranker');
SELECT * FROM vecrag.rerank('q', '{1}', '{a}', k => 0, reranker => 'length_reranker');

-- HyDE: mean of the query and hypothetical document vectors, unit length
SELECT vecrag.hyde_vector('[1,0]', ARRAY['[0,1]', '[0,1]']::vector[]);
SELECT vecrag.hyde_vector('[1,0]', ARRAY['[0,3]']::vector[], include_query => false);
SELECT vecrag.hyde_vector('[3,4]'::vector, '{}');
-- end to end with a generator and an embedder written in SQL
CREATE FUNCTION toy_generator(question text) RETURNS text[] LANGUAGE sql
	AS $$ SELECT ARRAY[question || ' answer', 'answer'] $$;
CREATE FUNCTION toy_embedder(doc text) RETURNS vector LANGUAGE sql
	AS $$ SELECT ('[' || length(doc) || ',' || (position('answer' in doc) > 0)::int || ']')::vector $$;
SELECT vecrag.hyde_vector('why', generator => 'toy_generator', embedder => 'toy_embedder');
SET vecrag.hyde_generator = 'toy_generator';
SET vecrag.hyde_embedder = 'toy_embedder';
SELECT vecrag.hyde_vector('why');
RESET vecrag.hyde_embedder;
SELECT vecrag.hyde_vector('why');
RESET vecrag.hyde_generator;
SELECT vecrag.hyde_vector('why');

-- errors
SELECT vecrag.mmr('[1,0]', '{1,2}', ARRAY['[1,0]']::vector[]);
SELECT * FROM vecrag.mmr('[1,0]', '{1}', ARRAY['[1,0,0]']::vector[]);
SELECT * FROM vecrag.mmr('[1,0]', '{1}', ARRAY['[1,0]']::vector[], lambda => 1.5);
SELECT * FROM vecrag.mmr('[1,0]', '{1}', ARRAY['[1,0]']::vector[], k => -1);
SELECT * FROM vecrag.mmr(NULL, '{1}', ARRAY['[1,0]']::vector[]);
SELECT vecrag.maxsim(ARRAY['[1,0]']::vector[], ARRAY['[1,0,0]']::vector[]);
SELECT vecrag.maxsim('{}', ARRAY['[1,0]']::vector[]);
SELECT vecrag.maxsim(ARRAY['[1,0]', NULL]::vector[], ARRAY['[1,0]']::vector[]);
SELECT vecrag.maxsim(NULL, ARRAY['[1,0]']::vector[]);
SELECT vecrag.feature_score('{1,2}', '{1}');
SELECT vecrag.hyde_vector('[1,0]', ARRAY['[1]']::vector[]);
SELECT vecrag.hyde_vector('[1,0]', ARRAY['[-1,0]']::vector[]);
SELECT vecrag.hyde_vector('[1,0]'::vector, '{}', false);
SELECT vecrag.hyde_vector(NULL::vector, '{}');
SELECT vecrag.hyde_vector('', generator => 'toy_generator', embedder => 'toy_embedder');
