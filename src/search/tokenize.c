/*
 * src/search/tokenize.c
 *	  Turning documents and queries into terms with frequencies: vecrag's
 *	  reference tokenizer (lowercase ASCII, maximal [a-z0-9] runs), any text
 *	  search configuration through to_tsvector, and stored tsvectors.  See
 *	  search.h for how the reference tokenizer differs from 'simple'.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "search/search.h"

static SearchTerm *CountTerms(SearchTerm *tokens, int ntokens, int *nterms);

static inline bool
IsTokenChar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/*
 * Order terms bytewise, shorter first on a common prefix (the order of a
 * text column with COLLATE "C").
 */
int
SearchTermCompare(const void *a, const void *b)
{
	const SearchTerm *x = (const SearchTerm *) a;
	const SearchTerm *y = (const SearchTerm *) b;
	int			c = memcmp(x->term, y->term, Min(x->len, y->len));

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* buf[0..len): src lowercased (ASCII) */
static void
Lowercase(const char *src, int len, char *buf)
{
	for (int i = 0; i < len; i++)
		buf[i] = (src[i] >= 'A' && src[i] <= 'Z') ? src[i] + ('a' - 'A') : src[i];
}

/*
 * The next token of buf[*pos..len): true with it at [*start, *pos), false
 * at the end; runs longer than VECRAG_BM25_MAX_TERM_LEN are skipped
 */
static inline bool
NextToken(const char *buf, int len, int *pos, int *start)
{
	int			i = *pos;

	for (;;)
	{
		while (i < len && !IsTokenChar(buf[i]))
			i++;
		if (i >= len)
		{
			*pos = i;
			return false;
		}
		*start = i;
		while (i < len && IsTokenChar(buf[i]))
			i++;
		if (i - *start <= VECRAG_BM25_MAX_TERM_LEN)
		{
			*pos = i;
			return true;
		}
	}
}

/*
 * Split text into lowercased tokens, in document order, each with tf 1.
 * Tokens point into one palloc'd lowercased copy of the text.
 */
static SearchTerm *
ReferenceTokens(text *doc, int *ntokens)
{
	int			len = VARSIZE_ANY_EXHDR(doc);
	char	   *buf = palloc(len + 1);
	SearchTerm *tokens = NULL;
	int			n = 0;
	int			cap = 0;
	int			i = 0;
	int			start;

	Lowercase(VARDATA_ANY(doc), len, buf);
	while (NextToken(buf, len, &i, &start))
	{
		if (n == cap)
		{
			cap = cap == 0 ? 64 : cap * 2;
			tokens = tokens == NULL ? palloc(sizeof(SearchTerm) * cap)
				: repalloc(tokens, sizeof(SearchTerm) * cap);
		}
		tokens[n].term = buf + start;
		tokens[n].len = i - start;
		tokens[n].tf = 1;
		n++;
	}
	*ntokens = n;
	return tokens;
}

/*
 * Sort tokens and merge equal ones, adding up their tf.  Works in place and
 * returns the same array.
 */
static SearchTerm *
CountTerms(SearchTerm *tokens, int ntokens, int *nterms)
{
	int			n = 0;

	if (ntokens == 0)
	{
		*nterms = 0;
		return tokens;
	}
	qsort(tokens, ntokens, sizeof(SearchTerm), SearchTermCompare);
	for (int i = 0; i < ntokens; i++)
	{
		if (n > 0 && SearchTermCompare(&tokens[n - 1], &tokens[i]) == 0)
			tokens[n - 1].tf += tokens[i].tf;
		else
			tokens[n++] = tokens[i];
	}
	*nterms = n;
	return tokens;
}

/*
 * The distinct terms of a stored tsvector (already sorted and distinct),
 * tf = number of positions (1 when positions were stripped).  *doclen is
 * the sum of tf.
 */
SearchTerm *
SearchTsvectorTerms(Datum tsvector, int *nterms, int64 *doclen)
{
	TSVector	tsv = DatumGetTSVector(tsvector);
	WordEntry  *entries = ARRPTR(tsv);
	SearchTerm *terms = palloc(sizeof(SearchTerm) * Max(tsv->size, 1));
	int			n = 0;
	int64		total = 0;

	for (int i = 0; i < tsv->size; i++)
	{
		int			tf = entries[i].haspos ? Max(POSDATALEN(tsv, &entries[i]), 1) : 1;

		if (entries[i].len > VECRAG_BM25_MAX_TERM_LEN)
			continue;
		terms[n].term = STRPTR(tsv) + entries[i].pos;
		terms[n].len = entries[i].len;
		terms[n].tf = tf;
		total += tf;
		n++;
	}
	/* tsvector order is by length first; use ours so merges line up */
	qsort(terms, n, sizeof(SearchTerm), SearchTermCompare);
	*nterms = n;
	*doclen = total;
	return terms;
}

/*
 * The reference tokenizer's distinct terms of src[0..len), sorted, with
 * frequencies, in the caller's buffers: buf (len bytes; the terms point
 * into it) and terms (SearchReferenceTermsMax(len) entries).  Returns the
 * number of terms.  Calls nothing of PostgreSQL, so the compute thread may
 * run it.
 */
int
SearchReferenceTermsInto(const char *src, int len, char *buf, SearchTerm *terms)
{
	int			n = 0;
	int			i = 0;
	int			start;
	int			nterms;

	Lowercase(src, len, buf);
	while (NextToken(buf, len, &i, &start))
	{
		terms[n].term = buf + start;
		terms[n].len = i - start;
		terms[n].tf = 1;
		n++;
	}
	CountTerms(terms, n, &nterms);
	return nterms;
}

/*
 * The distinct terms of a document or query, sorted, with frequencies.
 * config InvalidOid selects the reference tokenizer, otherwise the terms of
 * to_tsvector(config, doc).  Result and term strings are palloc'd in the
 * current context.
 */
SearchTerm *
SearchDocumentTerms(text *doc, Oid config, int *nterms, int64 *doclen)
{
	SearchTerm *tokens;
	int			ntokens;

	if (OidIsValid(config))
		return SearchTsvectorTerms(DirectFunctionCall2(to_tsvector_byid,
													   ObjectIdGetDatum(config),
													   PointerGetDatum(doc)),
								   nterms, doclen);
	tokens = ReferenceTokens(doc, &ntokens);
	*doclen = ntokens;
	return CountTerms(tokens, ntokens, nterms);
}

/*
 * vecrag.tokenize(doc text) returns text[]: the reference tokenizer's
 * tokens in document order, so users can see what BM25 indexes.
 */
PG_FUNCTION_INFO_V1(vecrag_tokenize);
Datum
vecrag_tokenize(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	int			ntokens;
	SearchTerm *tokens = ReferenceTokens(doc, &ntokens);
	Datum	   *elems = palloc(sizeof(Datum) * Max(ntokens, 1));

	for (int i = 0; i < ntokens; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(tokens[i].term, tokens[i].len));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, ntokens, TEXTOID, -1, false, TYPALIGN_INT));
}

/* emit (term, tf, doclen) rows */
static void
ReturnTerms(FunctionCallInfo fcinfo, SearchTerm *terms, int nterms, int64 doclen)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store = SearchBeginResult(fcinfo, &tupdesc);

	if (doclen > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("document has more than %d tokens", PG_INT32_MAX)));
	for (int i = 0; i < nterms; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = PointerGetDatum(cstring_to_text_with_len(terms[i].term, terms[i].len));
		values[1] = Int32GetDatum(terms[i].tf);
		values[2] = Int32GetDatum((int32) doclen);
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
}

/*
 * vecrag.bm25_document_terms(doc text [, config regconfig]) and
 * vecrag.bm25_document_terms(doc tsvector): one row per distinct term with
 * its frequency and the document's length in tokens.  The BM25 triggers
 * feed the postings from these.
 */
PG_FUNCTION_INFO_V1(vecrag_bm25_document_terms);
Datum
vecrag_bm25_document_terms(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	Oid			config = PG_NARGS() > 1 ? PG_GETARG_OID(1) : InvalidOid;
	int			nterms;
	int64		doclen;
	SearchTerm *terms = SearchDocumentTerms(doc, config, &nterms, &doclen);

	ReturnTerms(fcinfo, terms, nterms, doclen);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(vecrag_bm25_tsvector_terms);
Datum
vecrag_bm25_tsvector_terms(PG_FUNCTION_ARGS)
{
	int			nterms;
	int64		doclen;
	SearchTerm *terms = SearchTsvectorTerms(PG_GETARG_DATUM(0), &nterms, &doclen);

	ReturnTerms(fcinfo, terms, nterms, doclen);
	return (Datum) 0;
}
