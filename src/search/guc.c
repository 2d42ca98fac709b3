/*
 * src/search/guc.c
 *	  The search room's settings: the functions that vecrag.rerank and
 *	  vecrag.hyde_vector call when no function is passed as an argument,
 *	  whether hybrid_search runs BM25 on the compute thread, and (defined in
 *	  bm25_cache.c) the BM25 postings cache size.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "search/search.h"

char	   *search_reranker = NULL;
char	   *search_hyde_generator = NULL;
char	   *search_hyde_embedder = NULL;
bool		search_hybrid_parallel = true;

void
SearchInit(void)
{
	DefineCustomStringVariable("vecrag.reranker",
							   "Function that vecrag.rerank calls to score a batch of candidates.",
							   "A function (query text, documents text[]) returning float8[], one score per document.",
							   &search_reranker, "", PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("vecrag.hyde_generator",
							   "Function that vecrag.hyde_vector(text) calls to write hypothetical documents.",
							   "A function (question text) returning text[].",
							   &search_hyde_generator, "", PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("vecrag.hyde_embedder",
							   "Function that vecrag.hyde_vector(text) calls to embed the question and each document.",
							   "A function (text) returning vector.",
							   &search_hyde_embedder, "", PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("vecrag.hybrid_parallel",
							 "Lets hybrid_search run its BM25 top-k loop on a helper thread while the vector query runs.",
							 "The backend's one helper thread sums the posting lists in memory beside the main thread: "
							 "lower latency for the same CPU time, on a second core.",
							 &search_hybrid_parallel, true, PGC_USERSET, 0, NULL, NULL, NULL);
	Bm25CacheDefineSettings();
}
