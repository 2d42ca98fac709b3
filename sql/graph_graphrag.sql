-- The GraphRAG recipe in one statement: vector top-k seeds, graph expansion
-- from the seeds, then ranking that mixes vector similarity and graph
-- distance (and personalized PageRank from the same seeds).
CREATE TABLE entities (id bigint PRIMARY KEY, name text, embedding vector(3));
INSERT INTO entities VALUES
	(1, 'dog', '[1, 0.1, 0]'), (2, 'canine', '[0.9, 0.2, 0]'), (3, 'wolf', '[0.8, 0.1, 0.3]'),
	(4, 'mammal', '[0.3, 0.9, 0]'), (5, 'animal', '[0.1, 1, 0.1]'), (6, 'cat', '[0.7, 0.2, 0.5]'),
	(7, 'feline', '[0.5, 0.3, 0.8]'), (8, 'car', '[0, 0, 1]'), (9, 'vehicle', '[0, 0.1, 0.9]');
CREATE TABLE relations (src bigint, dst bigint, relation text);
INSERT INTO relations VALUES
	(1, 2, 'hypernym'), (3, 2, 'hypernym'), (2, 4, 'hypernym'), (4, 5, 'hypernym'),
	(6, 7, 'hypernym'), (7, 4, 'hypernym'), (8, 9, 'hypernym'),
	(2, 1, 'hyponym'), (2, 3, 'hyponym'), (4, 2, 'hyponym'), (5, 4, 'hyponym'),
	(7, 6, 'hyponym'), (4, 7, 'hyponym'), (9, 8, 'hyponym'), (1, 6, 'similar_to');
CREATE INDEX ON relations (src) INCLUDE (dst, relation);
SELECT vecrag.create_graph('wordgraph', 'relations', relation => 'relation');

-- query: something like "dog"; seeds are the 2 nearest entities by cosine distance,
-- expanded 2 hops along hypernyms and hyponyms, ranked by similarity / (1 + depth)
WITH seeds AS (
	SELECT id FROM entities ORDER BY embedding <=> '[1, 0.15, 0]' LIMIT 2
), expanded AS (
	SELECT t.id, t.depth, t.relation_path
	FROM vecrag.traverse('wordgraph', ARRAY(SELECT id FROM seeds), max_depth => 2,
		relations => ARRAY['hypernym', 'hyponym']) t
)
SELECT e.name, x.depth, x.relation_path,
	round(((1 - (e.embedding <=> '[1, 0.15, 0]')) / (1 + x.depth))::numeric, 4) AS score
FROM expanded x JOIN entities e USING (id)
ORDER BY score DESC, e.name;

-- HippoRAG-style: personalized PageRank from the seeds, weighted by similarity
WITH seeds AS (
	SELECT id, 1 - (embedding <=> '[1, 0.15, 0]') AS similarity
	FROM entities ORDER BY embedding <=> '[1, 0.15, 0]' LIMIT 3
)
SELECT e.name, p.rank, round(p.score::numeric, 4) AS score
FROM vecrag.pagerank('wordgraph',
		seeds => ARRAY(SELECT id FROM seeds ORDER BY id),
		seed_weights => ARRAY(SELECT similarity FROM seeds ORDER BY id),
		top_n => 5, tolerance => 1e-10) p
JOIN entities e USING (id)
ORDER BY p.rank;

-- composes with LATERAL: the neighbourhood of each of the top 2 hits
SELECT s.name AS hit, e.name AS neighbour, t.depth
FROM (SELECT id, name FROM entities ORDER BY embedding <=> '[0, 0, 1]' LIMIT 2) s,
	LATERAL vecrag.traverse('wordgraph', ARRAY[s.id], max_depth => 1) t
JOIN entities e ON e.id = t.id
ORDER BY s.name, t.depth, e.name;

SELECT vecrag.drop_graph('wordgraph');
DROP TABLE relations, entities;
