-- rank fusion (RRF, weighted with normalisations) and hybrid_search
\set SHOW_CONTEXT never
SELECT * FROM vecrag.rrf('{1,2,3}', '{3,1}');
SELECT * FROM vecrag.rrf('{1,2,3}', '{3,1}', '{4}', k => 0, weights => '{1,2,0.5}');
SELECT * FROM vecrag.rrf('{1,2,2,3}', '{}', top_k => 2);		-- repeated id: first rank counts
SELECT * FROM vecrag.weighted_fusion('{1,2,3}', '{10,5,0}', '{3,1}', '{0.2,0.6}',
	normalization => '{minmax,distance}');
SELECT id, round(score::numeric, 6), rank, ranks, normalized::numeric(8,6)[]
FROM vecrag.weighted_fusion('{1,2,3}', '{1,2,3}', '{1,2}', '{5,5}', normalization => '{zscore}',
	weights => '{2,1}');
SELECT * FROM vecrag.weighted_fusion('{1}', '{7}', '{2}', '{7}', normalization => '{none}');
-- score ranges wider than DBL_MAX still normalise to finite scores
SELECT * FROM vecrag.weighted_fusion(ARRAY[1,2], ARRAY[1e308,-1e308], ARRAY[2,3], ARRAY[3,1]);
SELECT * FROM vecrag.weighted_fusion(ARRAY[1,2,3], ARRAY[1.7e308,1.7e308,-1.7e308], ARRAY[2], ARRAY[1],
                                     normalization => '{zscore}');
-- with normalization 'none' a sum past DBL_MAX is an error, not Infinity or NaN
SELECT * FROM vecrag.weighted_fusion(ARRAY[1,2], ARRAY[1e308,1e308], ARRAY[1,2], ARRAY[1e308,1],
                                     normalization => '{none}');
SELECT * FROM vecrag.weighted_fusion(ARRAY[1], ARRAY[1e308], ARRAY[2], ARRAY[1],
                                     weights => '{2,1}', normalization => '{none}');
SELECT id, score, rank FROM vecrag.weighted_fusion(ARRAY[1,2], ARRAY[1e308,-1e308], ARRAY[1,2], ARRAY[-1e308,1e308],
                                     normalization => '{none}');

-- errors
SELECT * FROM vecrag.rrf(NULL, '{1}');
SELECT * FROM vecrag.rrf('{1}', '{2}', weights => '{1}');
SELECT * FROM vecrag.rrf('{1,NULL}', '{2}');
SELECT * FROM vecrag.rrf('{{1,2}}', '{2}');
SELECT * FROM vecrag.rrf('{1}', '{2}', k => -1);
SELECT * FROM vecrag.rrf('{1}', '{2}', top_k => 0);
SELECT * FROM vecrag.weighted_fusion('{1,2}', '{1}', '{2}', '{1}');
SELECT * FROM vecrag.weighted_fusion('{1}', '{1}', '{2}', '{1}', normalization => '{softmax}');
SELECT * FROM vecrag.weighted_fusion('{1}', '{-1}', '{2}', '{1}', normalization => '{distance}');
SELECT * FROM vecrag.weighted_fusion('{1}', '{1}', '{2}', '{1}', normalization => '{minmax,minmax,minmax}');
SELECT * FROM vecrag.weighted_fusion('{1}', '{1}', '{2}', '{1}', list3 => '{3}');

-- hybrid_search
CREATE TABLE items (id int PRIMARY KEY, body text, embedding vector(2));
INSERT INTO items VALUES
	(1, 'red apple pie', '[1,0]'),
	(2, 'green apple', '[0.9,0.1]'),
	(3, 'red car', '[0,1]'),
	(4, 'blue sky', '[0.7,0.7]'),
	(5, 'apple apple apple', NULL),
	(6, 'zero', '[0,0]');
SELECT vecrag.bm25_create_index('items', 'body');
SELECT id, round(score::numeric, 6) AS score, rank, bm25_rank, round(bm25_score::numeric, 4) AS bm25_score,
	   vector_rank, round(vector_distance::numeric, 4) AS vector_distance
FROM vecrag.hybrid_search('items', 'red apple', '[1,0]', k => 10);
-- the same through the plain functions
SELECT f.id, f.rank, f.ranks
FROM vecrag.rrf(
	ARRAY(SELECT id FROM vecrag.bm25_search('items_body_bm25', 'red apple', k => 100) ORDER BY rank),
	ARRAY(SELECT id FROM items WHERE embedding IS NOT NULL AND NOT cosine_distance(embedding, '[1,0]') = 'NaN'
		  ORDER BY embedding <=> '[1,0]', id LIMIT 100)) f;
SELECT id, round(score::numeric, 6) AS score, rank, bm25_rank, vector_rank
FROM vecrag.hybrid_search('items', 'red apple', '[1,0]', fusion => 'weighted', weights => '{0.3,0.7}');
SELECT id, rank FROM vecrag.hybrid_search('items', 'red apple', '[1,0]', k => 2, distance => 'l2',
	fusion => 'weighted', normalization => '{zscore,minmax}', candidates => 100);
SELECT id, rank, vector_rank FROM vecrag.hybrid_search('items', 'apple', '[0,1]', k => 3, candidates => 1,
	bm25_index => 'items_body_bm25', vector_column => 'embedding');
-- candidates defaults to k: ranks beyond the depth are NULL (the document was in
-- the other list only); an explicit NULL is the default
SELECT id, rank, bm25_rank, vector_rank FROM vecrag.hybrid_search('items', 'red apple', '[1,0]', k => 2);
SELECT id, rank, bm25_rank, vector_rank FROM vecrag.hybrid_search('items', 'red apple', '[1,0]', k => 2,
	candidates => NULL);
SELECT id, rank, bm25_rank, vector_rank FROM vecrag.hybrid_search('items', 'red apple', '[1,0]', k => 2,
	candidates => 100);

-- errors
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0,0]');
SELECT * FROM vecrag.hybrid_search('items', 'apple', NULL);
SELECT * FROM vecrag.hybrid_search('items', '', '[1,0]');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', k => 0);
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', fusion => 'max');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', distance => 'hamming');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', vector_column => 'body');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', vector_column => 'nope');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', weights => '{1}');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]', fusion => 'weighted', distance => 'inner_product');
CREATE TABLE other (id int PRIMARY KEY, body text, embedding vector(2));
SELECT * FROM vecrag.hybrid_search('other', 'apple', '[1,0]');
SELECT * FROM vecrag.hybrid_search('other', 'apple', '[1,0]', bm25_index => 'items_body_bm25');
SELECT vecrag.bm25_create_index('items', 'body', name => 'items_second');
SELECT * FROM vecrag.hybrid_search('items', 'apple', '[1,0]');
-- the largest k must not overflow into negative scores
SELECT id, score > 0 AS positive, rank FROM vecrag.rrf(ARRAY[1], ARRAY[2], k => 2147483647);
