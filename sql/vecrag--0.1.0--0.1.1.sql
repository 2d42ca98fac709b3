-- vecrag upgrade script from 0.1.0 to 0.1.1: the same changes as sql/vecrag.sql made since
-- 0.1.0, in the same sections. test/t/083_extension_upgrade.pl checks the two agree.

\echo Use "ALTER EXTENSION vecrag UPDATE TO '0.1.1'" to load this file. \quit

-------------------------------------------------------------------------------
-- section: vector type (src/vector)

-------------------------------------------------------------------------------
-- section: halfvec, sparsevec and bit vectors (src/vector)

-------------------------------------------------------------------------------
-- section: hnsw access method (src/hnsw)

-------------------------------------------------------------------------------
-- section: ivf access method (src/ivf)

-------------------------------------------------------------------------------
-- section: graph edges and traversal (src/graph)

-------------------------------------------------------------------------------
-- section: hybrid search, fusion and rerank (src/search)
