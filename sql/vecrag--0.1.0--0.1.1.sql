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

-- The adjacency cache (src/graph/cache.c).  vecrag.set_graph_cache puts a
-- statement trigger on a graph's edge table that moves the table's row
-- here to a fresh version before any statement writes edges, in the same
-- transaction; the version a snapshot sees then identifies the edges it
-- sees, and backends keep the table's adjacency in memory under it.
CREATE SEQUENCE vecrag.graph_version_seq;
-- dumped with its value: a restored database must never hand out a version
-- that a restored vecrag.graph_versions row already holds
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_version_seq', '');
CREATE TABLE vecrag.graph_versions (
	edge_table		regclass PRIMARY KEY,
	version			bigint NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('vecrag.graph_versions', '');
GRANT SELECT ON vecrag.graph_versions TO PUBLIC;

CREATE FUNCTION vecrag.graph_edges_changed() RETURNS trigger
	LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE vecrag.graph_versions
		SET version = nextval('vecrag.graph_version_seq'::regclass)
		WHERE edge_table = TG_RELID;
	RETURN NULL;
END
$$;

-- Makes a table's version row agree with its cache trigger: a row with a
-- fresh version when the trigger exists, none otherwise; drops the rows of
-- tables that no longer exist.  Anyone may call it: a fresh version is never
-- one a cache was built under.
CREATE FUNCTION vecrag.graph_cache_sync(edges regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = edges
			AND t.tgfoid = 'vecrag.graph_edges_changed()'::regprocedure) THEN
		INSERT INTO vecrag.graph_versions (edge_table, version)
			VALUES (edges, nextval('vecrag.graph_version_seq'::regclass))
			ON CONFLICT (edge_table) DO NOTHING;
	ELSE
		DELETE FROM vecrag.graph_versions v WHERE v.edge_table = edges;
	END IF;
	-- rows of tables dropped since (DROP TABLE takes the trigger, not the row)
	DELETE FROM vecrag.graph_versions v
		WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = v.edge_table);
END
$$;

-- Turns the adjacency cache on (or off) for a graph's edge table, so for
-- every graph registered on that table.  Needs ownership of the table.
CREATE FUNCTION vecrag.set_graph_cache(graph text, enabled boolean DEFAULT true)
	RETURNS void LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl regclass;
BEGIN
	SELECT g.edge_table INTO tbl FROM vecrag.graph_definitions g WHERE g.name = graph;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'graph "%" does not exist', graph
			USING ERRCODE = 'undefined_object';
	END IF;
	IF enabled THEN
		IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl
				AND t.tgname = 'vecrag_graph_cache') THEN
			EXECUTE format('CREATE TRIGGER vecrag_graph_cache BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION vecrag.graph_edges_changed()', tbl);
		END IF;
		-- fire under session_replication_role = replica too
		EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER vecrag_graph_cache', tbl);
	ELSE
		EXECUTE format('DROP TRIGGER IF EXISTS vecrag_graph_cache ON %s', tbl);
	END IF;
	PERFORM vecrag.graph_cache_sync(tbl);
END
$$;

-- This backend's adjacency cache entries (memory in bytes; which parts are
-- built: out-edges, in-edges, the whole edge list for PageRank and
-- communities; whether the graph was too big for vecrag.graph_cache_size).
CREATE FUNCTION vecrag.graph_cache_entries()
	RETURNS TABLE (edge_table regclass, version bigint, bytes bigint,
		out_edges boolean, in_edges boolean, whole_graph boolean,
		too_big boolean, edges bigint)
	AS 'MODULE_PATHNAME', 'graph_cache_entries'
	LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 10;

CREATE OR REPLACE VIEW vecrag.graphs AS
	SELECT name, edge_table, src_column, dst_column, edge_column,
		relation_column, weight_column, owner, created_at,
		EXISTS (SELECT 1 FROM vecrag.graph_versions v WHERE v.edge_table = d.edge_table)
			AS cached
	FROM vecrag.graph_definitions d;
GRANT SELECT ON vecrag.graphs TO PUBLIC;

-- drop_graph drops the cache trigger with the last graph on a table
CREATE OR REPLACE FUNCTION vecrag.drop_graph(name text, if_exists boolean DEFAULT false)
	RETURNS void LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_owner regrole;
	tbl regclass;
BEGIN
	SELECT g.owner, g.edge_table INTO found_owner, tbl FROM vecrag.graph_definitions g
		WHERE g.name = drop_graph.name;
	IF NOT FOUND THEN
		IF if_exists THEN
			RAISE NOTICE 'graph "%" does not exist, skipping', drop_graph.name;
			RETURN;
		END IF;
		RAISE EXCEPTION 'graph "%" does not exist', drop_graph.name
			USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT pg_has_role(found_owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be a member of role % to drop graph "%"',
			found_owner, drop_graph.name
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM vecrag.graph_definitions g WHERE g.name = drop_graph.name;
	-- the last graph on a table takes the table's cache trigger with it
	IF NOT EXISTS (SELECT 1 FROM vecrag.graph_definitions g WHERE g.edge_table = tbl)
			AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl
				AND t.tgname = 'vecrag_graph_cache') THEN
		IF pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = tbl), 'MEMBER') THEN
			EXECUTE format('DROP TRIGGER vecrag_graph_cache ON %s', tbl);
		ELSE
			RAISE NOTICE 'the adjacency cache trigger on table % stays in place', tbl
				USING DETAIL = 'Only the owner of the table can drop it.',
				HINT = format('The table owner can run DROP TRIGGER vecrag_graph_cache ON %s.', tbl);
		END IF;
	END IF;
	-- also when the table is gone: its version row goes with the graph
	PERFORM vecrag.graph_cache_sync(tbl);
END
$$;

-- communities gained method ('louvain' or 'leiden')
DROP FUNCTION vecrag.communities(text, double precision, integer, text[], boolean);
CREATE FUNCTION vecrag.communities(graph text, resolution double precision DEFAULT 1.0,
		max_levels integer DEFAULT 10, relations text[] DEFAULT NULL,
		weighted boolean DEFAULT false, method text DEFAULT 'louvain')
	RETURNS TABLE (id bigint, level integer, community bigint)
	AS 'MODULE_PATHNAME', 'graph_communities'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000;

-- traverse gained with_paths
DROP FUNCTION vecrag.traverse(text, bigint[], integer, text, text[], integer, integer, boolean);
CREATE FUNCTION vecrag.traverse(graph text, seeds bigint[],
		max_depth integer DEFAULT 2, direction text DEFAULT 'out',
		relations text[] DEFAULT NULL, max_fanout integer DEFAULT NULL,
		max_nodes integer DEFAULT NULL, count_degree boolean DEFAULT true,
		with_paths boolean DEFAULT true)
	RETURNS TABLE (id bigint, depth integer, path vecrag.edge[],
		path_weight double precision, degree integer, relation_path text[])
	AS 'MODULE_PATHNAME', 'graph_traverse'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 100;


-------------------------------------------------------------------------------
-- section: hybrid search, fusion and rerank (src/search)

-- bm25_is_index: whether rel is the metadata table of a BM25 index (its
-- columns are those bm25_create_index gives it); the one test every BM25
-- function and the event trigger use to recognise an index
CREATE FUNCTION vecrag.bm25_is_index(rel regclass) RETURNS boolean
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$ SELECT (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
				  WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped)
				 IS NOT DISTINCT FROM '{source,text_column,id_column,config,postings,terms,stats}'::text[] $$;

-- bm25_record_dependencies: tie an index's side objects to its source table
-- and to the extension in pg_depend (see src/search/bm25_depend.c).
CREATE FUNCTION vecrag.bm25_record_dependencies(bm25_index regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'vecrag_bm25_record_dependencies'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

-- The maintenance function finds the indexed columns by attribute number,
-- so that the index follows RENAME COLUMN (see src/search/bm25_columns.c):
-- bm25_index_columns and bm25_index_column_names give {text column, id
-- column} of an index on a table, by number and by current name, and the
-- bm25_row_* functions read one column of a table row by number.
CREATE FUNCTION vecrag.bm25_index_columns(source regclass, bm25_index regclass) RETURNS int2[]
	AS 'MODULE_PATHNAME', 'vecrag_bm25_index_columns'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_index_column_names(source regclass, bm25_index regclass) RETURNS name[]
	AS 'MODULE_PATHNAME', 'vecrag_bm25_index_column_names'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_row_id(source_row record, id_column int2) RETURNS bigint
	AS 'MODULE_PATHNAME', 'vecrag_bm25_row_id'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_row_text(source_row record, text_column int2) RETURNS text
	AS 'MODULE_PATHNAME', 'vecrag_bm25_row_text'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrag.bm25_row_tsvector(source_row record, text_column int2) RETURNS tsvector
	AS 'MODULE_PATHNAME', 'vecrag_bm25_row_tsvector'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- bm25_create_maintenance: (re)make the maintenance function
-- <name>_maintain of index bm25_index under the indexed columns' current
-- names, and create whichever of its seven triggers on the source table are
-- missing; with build, also index the rows the table holds.  Used by
-- bm25_create_index, by the update of an index created under 0.1.0, and by
-- the maintenance function itself at the first write after a column rename.
CREATE FUNCTION vecrag.bm25_create_maintenance(bm25_index regclass, build boolean) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	tbl regclass;
	text_column name;
	id_column name;
	config regconfig;
	postings regclass;
	terms regclass;
	stats regclass;
	nsp name;
	base name;
	relowner oid;
	meta text;
	text_type regtype;
	terms_call text;
	row_text text;
	lock_key text;
	into_marker constant text := '/*into*/';
	ins text;
	del text;
	body text;
	current_text name;
	current_id name;
	variant int;
	id_of text;
	text_of text;
	rs text;
	rn text;
	ro text;
	work text[];
	trig record;
BEGIN
	SELECT n.nspname, c.relname INTO nsp, base
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = bm25_index;
	IF NOT vecrag.bm25_is_index(bm25_index) THEN
		RAISE EXCEPTION '"%" is not a vecrag BM25 index', base
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF NOT pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = bm25_index), 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of BM25 index %', bm25_index USING ERRCODE = 'insufficient_privilege';
	END IF;
	EXECUTE format('SELECT source, text_column, id_column, config, postings, terms, stats FROM %s', bm25_index)
		INTO tbl, text_column, id_column, config, postings, terms, stats;
	SELECT c.relowner INTO relowner FROM pg_class c WHERE c.oid = tbl;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'BM25 index "%" has no source table', base
			USING ERRCODE = 'undefined_table',
				  HINT = 'Drop it with vecrag.bm25_drop_index and create it again.';
	END IF;
	IF NOT pg_has_role(relowner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl USING ERRCODE = 'insufficient_privilege';
	END IF;
	-- after a RENAME COLUMN the current names, by the attribute numbers in
	-- the _apply_update trigger's column list; the metadata row follows
	SELECT ta.attname, ia.attname INTO current_text, current_id
		FROM pg_trigger t
		JOIN pg_attribute ta ON ta.attrelid = t.tgrelid AND ta.attnum = t.tgattr[0]
		JOIN pg_attribute ia ON ia.attrelid = t.tgrelid AND ia.attnum = t.tgattr[1]
		WHERE t.tgrelid = tbl AND t.tgname = base || '_apply_update' AND t.tgnargs = 2
		  AND array_length(t.tgattr, 1) = 2;
	IF FOUND AND (current_text, current_id) IS DISTINCT FROM (text_column, id_column) THEN
		text_column := current_text;
		id_column := current_id;
		EXECUTE format('UPDATE %s SET text_column = $1, id_column = $2', bm25_index) USING text_column, id_column;
	END IF;
	SELECT a.atttypid::regtype INTO text_type FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = text_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = id_column
								AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'BM25 index "%" refers to a column that table % no longer has', base, tbl
			USING ERRCODE = 'undefined_column',
				  HINT = 'Drop it with vecrag.bm25_drop_index and create it again.';
	END IF;
	meta := format('%I.%I', nsp, base);
	lock_key := format('hashtext(''vecrag_bm25''), hashtext(%L)', meta);

	row_text := CASE WHEN text_type = 'tsvector'::regtype
				THEN 'vecrag.bm25_row_tsvector' ELSE 'vecrag.bm25_row_text' END;
	terms_call := CASE WHEN config IS NULL OR text_type = 'tsvector'::regtype
				  THEN 'vecrag.bm25_document_terms(%s)'
				  ELSE format('vecrag.bm25_document_terms(%%s, %s::regconfig)',
							  replace(quote_literal(config::text), '%', '%%')) END;

	-- %1$s: a FROM-item of source rows aliased s; %2$s: their id as bigint;
	-- %3$s: their terms; %4$s: a WHERE clause or nothing
	ins := format($sql$
		WITH d AS MATERIALIZED (
			SELECT %%2$s AS id, t.term, t.tf, t.doclen
			FROM %%1$s LEFT JOIN LATERAL %%3$s t ON true %%4$s),
		p AS (INSERT INTO %1$s (term, id, tf, doclen)
			  SELECT term, id, tf, doclen FROM d WHERE term IS NOT NULL),
		st AS (INSERT INTO %2$s (n, len)
			   SELECT count(*), coalesce(sum(doclen), 0)
			   FROM (SELECT id, max(coalesce(doclen, 0)) AS doclen FROM d GROUP BY id) x
			   HAVING count(*) > 0),
		f AS (INSERT INTO %3$s (term, df)
			  SELECT term, count(*) FROM d WHERE term IS NOT NULL GROUP BY term RETURNING term)
		SELECT array_agg(term) /*into*/ FROM f$sql$, postings, stats, terms);
	del := format($sql$
		WITH s AS MATERIALIZED (SELECT %%2$s AS id FROM %%1$s %%4$s),
		d AS (DELETE FROM %1$s p USING s WHERE p.id = s.id RETURNING p.term, p.id, p.doclen),
		st AS (INSERT INTO %2$s (n, len)
			   SELECT -(SELECT count(*) FROM s),
					  -coalesce((SELECT sum(doclen) FROM (SELECT DISTINCT id, doclen FROM d) x), 0)
			   WHERE EXISTS (SELECT 1 FROM s)),
		f AS (INSERT INTO %3$s (term, df) SELECT term, -count(*) FROM d GROUP BY term RETURNING term)
		SELECT array_agg(term) /*into*/ FROM f$sql$, postings, stats, terms);

	-- The work of one call, twice: reading the columns by the names they
	-- have now (variant 1, the usual path), and by attribute number
	-- (variant 2, cols = {text, id}: a column was renamed since this
	-- function was made) through whole rows (s.*, n.*, o.*: a source column
	-- named s, n or o changes nothing).  id_of and text_of are format
	-- templates of the id (as bigint) and the text of row %1$s.
	FOR variant IN 1..2 LOOP
		IF variant = 1 THEN
			id_of := '%1$s.' || replace(quote_ident(id_column), '%', '%%') || '::bigint';
			text_of := '%1$s.' || replace(quote_ident(text_column), '%', '%%')
					   || CASE WHEN text_type = 'character varying'::regtype THEN '::text' ELSE '' END;
			rs := 's'; rn := 'n'; ro := 'o';
		ELSE
			id_of := 'vecrag.bm25_row_id(%1$s, cols[2])';
			text_of := row_text || '(%1$s, cols[1])';
			rs := 's.*'; rn := 'n.*'; ro := 'o.*';
		END IF;
		work[variant] := format($sql$
		IF TG_LEVEL = 'ROW' THEN
			IF TG_OP = 'INSERT' THEN
				%1$s;
			ELSIF TG_OP = 'DELETE' THEN
				%2$s;
			ELSIF %3$s IS DISTINCT FROM %4$s OR %5$s IS DISTINCT FROM %6$s THEN
				%2$s;
				%7$s;
				touched := touched || more;
			END IF;
		ELSIF TG_OP = 'INSERT' THEN
			%8$s;
		ELSIF TG_OP = 'DELETE' THEN
			%9$s;
		ELSE
			-- an update re-indexes the rows whose id or text changed
			%10$s;
			%11$s;
			touched := touched || more;
		END IF;$sql$,
			replace(format(ins, '(SELECT) s', format(id_of, 'NEW'),
						   format(terms_call, format(text_of, 'NEW')), ''), into_marker, 'INTO touched'),
			replace(format(del, '(SELECT) s', format(id_of, 'OLD'), NULL, ''), into_marker, 'INTO touched'),
			format(id_of, 'OLD'), format(id_of, 'NEW'), format(text_of, 'OLD'), format(text_of, 'NEW'),
			replace(format(ins, '(SELECT) s', format(id_of, 'NEW'),
						   format(terms_call, format(text_of, 'NEW')), ''), into_marker, 'INTO more'),
			replace(format(ins, 'new_rows s', format(id_of, rs),
						   format(terms_call, format(text_of, rs)), ''), into_marker, 'INTO touched'),
			replace(format(del, 'old_rows s', format(id_of, rs), NULL, ''), into_marker, 'INTO touched'),
			replace(format(del, 'old_rows s', format(id_of, rs), NULL,
						   format('WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE %s = %s AND %s IS NOT DISTINCT FROM %s)',
								  format(id_of, rn), format(id_of, rs), format(text_of, rn), format(text_of, rs))),
					into_marker, 'INTO touched'),
			replace(format(ins, 'new_rows s', format(id_of, rs), format(terms_call, format(text_of, rs)),
						   format('WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE %s = %s AND %s IS NOT DISTINCT FROM %s)',
								  format(id_of, ro), format(id_of, rs), format(text_of, ro), format(text_of, rs))),
					into_marker, 'INTO more'));
	END LOOP;

	-- (#variable_conflict: the variables win over source columns of the
	-- same names)
	body := format($sql$
#variable_conflict use_variable
DECLARE
	cols int2[];
	touched text[];
	more text[];
BEGIN
	-- pg_depend records are not dumped: a restored index gets them here
	PERFORM vecrag.bm25_record_dependencies(%1$L::regclass);
	IF TG_LEVEL = 'ROW' THEN
		-- session_replication_role = replica (a subscriber's apply or
		-- initial sync): nothing to do when the side tables are themselves
		-- subscribed, their rows then come from the publisher.  In any
		-- other mode the statement triggers do the work: these row
		-- triggers fire there only when ALTER TABLE ... ENABLE TRIGGER
		-- ALL/USER reset them to ORIGIN, and must not index a row twice
		IF current_setting('session_replication_role') <> 'replica'
		   OR EXISTS (SELECT 1 FROM pg_subscription_rel WHERE srrelid = %2$L::regclass) THEN
			RETURN NULL;
		END IF;
	ELSIF TG_OP = 'TRUNCATE' THEN
		TRUNCATE %2$s, %3$s, %4$s;
		RETURN NULL;
	ELSIF current_setting('session_replication_role') = 'replica' THEN
		-- a statement trigger made to fire under replica (ENABLE ALWAYS or
		-- REPLICA): the row triggers index these rows
		RETURN NULL;
	END IF;
	IF vecrag.bm25_index_column_names(TG_RELID, %1$L::regclass) = ARRAY[%5$L, %6$L]::name[] THEN
%7$s
	ELSE
		-- a column was renamed since this function was made: read the
		-- columns by attribute number, then make the function again under
		-- the new names (it keeps this path until that succeeds)
		cols := vecrag.bm25_index_columns(TG_RELID, %1$L::regclass);
%8$s
		BEGIN
			PERFORM vecrag.bm25_create_maintenance(%1$L::regclass, false);
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'maintenance function of BM25 index %% was not made again after a column rename: %%',
				%1$L, SQLERRM
				USING HINT = 'Run vecrag.bm25_create_maintenance(''<index>'', false) as its owner, with CREATE on its schema.';
		END;
	END IF;
	-- Every 32nd statement (by the count of unfolded stats rows) folds the
	-- deltas of the terms it touched, unless another writer is folding;
	-- frequent terms are touched, hence folded, often.  Not under
	-- REPEATABLE READ, where a fold could fail on rows folded meanwhile.
	IF touched IS NOT NULL AND current_setting('transaction_isolation') = 'read committed'
	   AND (SELECT count(*) FROM (SELECT FROM %4$s LIMIT 32) x) >= 32
	   AND pg_try_advisory_xact_lock(%9$s) THEN
		WITH d AS (DELETE FROM %3$s WHERE term = ANY (touched) RETURNING term, df)
		INSERT INTO %3$s (term, df) SELECT term, sum(df) FROM d GROUP BY term HAVING sum(df) <> 0;
		WITH d AS (DELETE FROM %4$s RETURNING n, len)
		INSERT INTO %4$s (n, len) SELECT sum(n), sum(len) FROM d HAVING count(*) > 0;
	END IF;
	RETURN NULL;
END
$sql$,
		meta, postings, terms, stats, text_column, id_column, work[1], work[2], lock_key);

	-- made again in place (same OID, owner and rights) after a column rename
	EXECUTE format('CREATE OR REPLACE FUNCTION %I.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER '
				   'SET search_path = pg_catalog, pg_temp AS %L', nsp, base || '_maintain', body);
	EXECUTE format('REVOKE ALL ON FUNCTION %I.%I() FROM PUBLIC', nsp, base || '_maintain');
	-- the triggers it lacks (all of them, but when made again after a
	-- rename), each with its firing mode
	FOR trig IN SELECT * FROM (VALUES
		('_insert', 'AFTER INSERT', 'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT', NULL),
		('_update', 'AFTER UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT', NULL),
		('_delete', 'AFTER DELETE', 'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT', NULL),
		('_truncate', 'AFTER TRUNCATE', 'FOR EACH STATEMENT', 'ALWAYS'),
		('_apply_insert', 'AFTER INSERT', 'FOR EACH ROW', 'REPLICA'),
		-- its column list is how the maintenance function and searches
		-- find the indexed columns (src/search/bm25_columns.c)
		('_apply_update', format('AFTER UPDATE OF %I, %I', text_column, id_column), 'FOR EACH ROW', 'REPLICA'),
		('_apply_delete', 'AFTER DELETE', 'FOR EACH ROW', 'REPLICA')) v(suffix, event, kind, mode)
	LOOP
		CONTINUE WHEN EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = tbl AND t.tgname = base || trig.suffix);
		EXECUTE format('CREATE TRIGGER %I %s ON %s %s EXECUTE FUNCTION %I.%I(''vecrag_bm25'', %L)',
					   base || trig.suffix, trig.event, tbl, trig.kind, nsp, base || '_maintain', meta);
		IF trig.mode IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', tbl, trig.mode, base || trig.suffix);
		END IF;
	END LOOP;

	IF build THEN
		EXECUTE format(ins, format('ONLY %s s', tbl), format('s.%I::bigint', id_column),
					   format(terms_call, CASE WHEN text_type = 'character varying'::regtype
									  THEN format('s.%I::text', text_column) ELSE format('s.%I', text_column) END), '');
	END IF;
	IF (SELECT p.proowner FROM pg_proc p WHERE p.oid = format('%I.%I()', nsp, base || '_maintain')::regprocedure)
	   <> relowner THEN
		EXECUTE format('ALTER FUNCTION %I.%I() OWNER TO %I', nsp, base || '_maintain', pg_get_userbyid(relowner));
	END IF;
	-- CREATE OR REPLACE FUNCTION dropped the function's pg_depend records
	-- (bm25_create_index records them once the index is complete)
	IF NOT build THEN
		PERFORM vecrag.bm25_record_dependencies(bm25_index);
	END IF;
END
$function$;

-- bm25_create_index: register a column for BM25.  Creates, in the table's
-- schema and owned by the table's owner, the metadata table <name>, the
-- tables <name>_postings, <name>_terms, <name>_stats and the maintenance
-- trigger function <name>_maintain with four statement triggers on the table
-- (the truncate one ENABLE ALWAYS) and three row triggers that fire only
-- under session_replication_role = replica (ENABLE REPLICA: logical
-- replication's apply and initial sync fire row triggers only), all
-- recorded in pg_depend as depending on the table and the extension.
CREATE OR REPLACE FUNCTION vecrag.bm25_create_index(
	tbl regclass,
	text_column text,
	id_column text DEFAULT 'id',
	config regconfig DEFAULT NULL,
	name text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	nsp name;
	relname name;
	relowner oid;
	relkind "char";
	text_type regtype;
	id_type regtype;
	id_notnull boolean;
	id_attnum int2;
	meta text;
	postings text;
	terms text;
	stats text;
BEGIN
	IF tbl IS NULL OR text_column IS NULL OR id_column IS NULL THEN
		RAISE EXCEPTION 'tbl, text_column and id_column must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- nspname, not relnamespace::regnamespace: that text is already quoted,
	-- and every use below quotes it with %I
	SELECT n.nspname, c.relname, c.relowner, c.relkind
		INTO nsp, relname, relowner, relkind
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
	IF relkind <> 'r' THEN
		RAISE EXCEPTION '"%" is not a table', tbl
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'BM25 indexes are maintained by statement triggers, which only ordinary tables fire for every write.';
	END IF;
	IF NOT pg_has_role(relowner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl USING ERRCODE = 'insufficient_privilege';
	END IF;
	SELECT a.atttypid::regtype INTO text_type FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = text_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', text_column, tbl
			USING ERRCODE = 'undefined_column';
	END IF;
	IF text_type NOT IN ('text'::regtype, 'character varying'::regtype, 'tsvector'::regtype) THEN
		RAISE EXCEPTION 'column "%" of table % has type %, not text, varchar or tsvector',
			text_column, tbl, text_type USING ERRCODE = 'datatype_mismatch';
	END IF;
	SELECT a.atttypid::regtype, a.attnotnull, a.attnum INTO id_type, id_notnull, id_attnum
		FROM pg_attribute a
		WHERE a.attrelid = tbl AND a.attname = id_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', id_column, tbl
			USING ERRCODE = 'undefined_column';
	END IF;
	IF id_type NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
		RAISE EXCEPTION 'id column "%" of table % has type %, not smallint, integer or bigint',
			id_column, tbl, id_type USING ERRCODE = 'datatype_mismatch';
	END IF;
	IF NOT id_notnull OR NOT EXISTS (
		SELECT 1 FROM pg_index i
		WHERE i.indrelid = tbl AND i.indisunique AND i.indisvalid AND i.indimmediate
		  AND i.indnkeyatts = 1 AND i.indkey[0] = id_attnum AND i.indpred IS NULL) THEN
		RAISE EXCEPTION 'id column "%" of table % must be NOT NULL and have a unique index', id_column, tbl
			USING ERRCODE = 'invalid_table_definition',
				  HINT = 'A primary key on the column is enough.';
	END IF;
	name := coalesce(name, relname || '_' || text_column || '_bm25');
	IF length(name) > 49 THEN
		RAISE EXCEPTION 'BM25 index name "%" is too long', name
			USING ERRCODE = 'name_too_long',
				  DETAIL = 'Names of at most 49 characters leave room for the suffixes of its tables.',
				  HINT = 'Pass a shorter name => ''...''.';
	END IF;
	meta := format('%I.%I', nsp, name);
	IF to_regclass(meta) IS NOT NULL THEN
		RAISE EXCEPTION 'relation "%" already exists', name
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Pass another name => ''...'', or drop the old index with vecrag.bm25_drop_index.';
	END IF;
	postings := format('%I.%I', nsp, name || '_postings');
	terms := format('%I.%I', nsp, name || '_terms');
	stats := format('%I.%I', nsp, name || '_stats');

	EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', tbl);
	EXECUTE format('CREATE TABLE %s (term text COLLATE "C" NOT NULL, id bigint NOT NULL, '
				   'tf integer NOT NULL, doclen integer NOT NULL)', postings);
	EXECUTE format('CREATE TABLE %s (term text COLLATE "C" NOT NULL, df bigint NOT NULL)', terms);
	EXECUTE format('CREATE TABLE %s (n bigint NOT NULL, len bigint NOT NULL)', stats);
	EXECUTE format('CREATE TABLE %s (source regclass NOT NULL, text_column name NOT NULL, '
				   'id_column name NOT NULL, config regconfig, postings regclass NOT NULL, '
				   'terms regclass NOT NULL, stats regclass NOT NULL)', meta);
	-- a publication FOR ALL TABLES replicates them too; their deletes need a replica identity
	EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', postings);
	EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', terms);
	EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', stats);
	EXECUTE format('COMMENT ON TABLE %s IS %L', meta,
				   format('vecrag BM25 index on %s (%s); see vecrag.bm25_create_index', tbl, text_column));

	EXECUTE format('INSERT INTO %s VALUES (%L, %L, %L, %L, %L, %L, %L)', meta,
				   tbl, text_column, id_column, config, postings, terms, stats);
	-- the maintenance function and triggers, then index what is there now
	-- (writers are locked out until commit), then build the btrees in one
	-- pass each rather than row by row
	PERFORM vecrag.bm25_create_maintenance(meta::regclass, true);
	EXECUTE format('CREATE INDEX %I ON %s (term, id) INCLUDE (tf, doclen)', name || '_postings_term', postings);
	EXECUTE format('CREATE INDEX %I ON %s (id)', name || '_postings_id', postings);
	EXECUTE format('CREATE INDEX %I ON %s (term)', name || '_terms_term', terms);

	IF (SELECT c.relowner FROM pg_class c WHERE c.oid = meta::regclass) <> relowner THEN
		EXECUTE format('ALTER TABLE %s OWNER TO %I', meta, pg_get_userbyid(relowner));
		EXECUTE format('ALTER TABLE %s OWNER TO %I', postings, pg_get_userbyid(relowner));
		EXECUTE format('ALTER TABLE %s OWNER TO %I', terms, pg_get_userbyid(relowner));
		EXECUTE format('ALTER TABLE %s OWNER TO %I', stats, pg_get_userbyid(relowner));
	END IF;
	PERFORM vecrag.bm25_record_dependencies(meta::regclass);
	RETURN meta::regclass;
END
$function$;

-- hybrid_search: candidates defaults to NULL, which means k (0.1.0: 100)
CREATE OR REPLACE FUNCTION vecrag.hybrid_search(
	tbl regclass,
	query_text text,
	query_vector vector,
	k integer DEFAULT 10,
	vector_column text DEFAULT 'embedding',
	bm25_index regclass DEFAULT NULL,
	candidates integer DEFAULT NULL,
	fusion text DEFAULT 'rrf',
	rrf_k integer DEFAULT 60,
	weights double precision[] DEFAULT '{1,1}',
	normalization text[] DEFAULT '{minmax,distance}',
	distance text DEFAULT 'cosine',
	k1 double precision DEFAULT 1.2,
	b double precision DEFAULT 0.75)
RETURNS TABLE (id bigint, score double precision, rank integer,
			   bm25_rank integer, bm25_score double precision,
			   vector_rank integer, vector_distance double precision)
	AS 'MODULE_PATHNAME', 'vecrag_hybrid_search'
	LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED ROWS 10;

-- bm25_drop_index: drop an index's triggers, function and tables; works on
-- a stale index too (source table or some of its tables already dropped)
CREATE OR REPLACE FUNCTION vecrag.bm25_drop_index(bm25_index regclass) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	src oid;
	parts oid[];
	base name;
	nsp name;
	owner oid;
	part oid;
	trig name;
BEGIN
	SELECT c.relname, n.nspname, c.relowner INTO base, nsp, owner
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = bm25_index;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', bm25_index::oid
			USING ERRCODE = 'undefined_table';
	END IF;
	IF NOT vecrag.bm25_is_index(bm25_index) THEN
		RAISE EXCEPTION '"%" is not a vecrag BM25 index', base
			USING ERRCODE = 'wrong_object_type';
	END IF;
	IF NOT pg_has_role(owner, 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of BM25 index %', bm25_index USING ERRCODE = 'insufficient_privilege';
	END IF;
	EXECUTE format('SELECT source::oid, ARRAY[postings::oid, terms::oid, stats::oid] FROM %s LIMIT 1', bm25_index)
		INTO src, parts;
	FOR trig IN SELECT t.tgname FROM pg_trigger t
				WHERE t.tgrelid = src AND NOT t.tgisinternal
				  AND t.tgname IN (base || '_insert', base || '_update', base || '_delete', base || '_truncate',
								   base || '_apply_insert', base || '_apply_update', base || '_apply_delete') LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', trig, src::regclass);
	END LOOP;
	IF to_regprocedure(format('%I.%I()', nsp, base || '_maintain')) IS NOT NULL THEN
		EXECUTE format('DROP FUNCTION %I.%I()', nsp, base || '_maintain');
	END IF;
	-- only the index's own tables: same schema, owner and name
	FOR part IN SELECT c.oid FROM pg_class c
				WHERE c.oid = ANY (parts) AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = bm25_index)
				  AND c.relowner = owner AND c.relkind = 'r'
				  AND c.relname IN (base || '_postings', base || '_terms', base || '_stats') LOOP
		EXECUTE format('DROP TABLE %s', part::regclass);
	END LOOP;
	EXECUTE format('DROP TABLE %s', bm25_index);
END
$function$;

-- bm25_alter_table: at the end of every ALTER TABLE,
-- - give the table's BM25 indexes (metadata table, side tables, maintenance
--   function) to the table's new owner after OWNER TO, as PostgreSQL does
--   the table's own indexes.  It runs with the rights of whoever ran the
--   ALTER TABLE (ALTER ... OWNER checks them), and moves only an index tied
--   to the table in pg_depend, which bm25_record_dependencies records only
--   while their owners are equal;
-- - refuse RENAME and SET SCHEMA of an index's own tables, which its
--   maintenance function and triggers name.
CREATE FUNCTION vecrag.bm25_alter_table() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
	r record;
	part regclass;
	fn regprocedure;
BEGIN
	FOR r IN SELECT DISTINCT m.oid::regclass AS meta, m.relowner AS old_owner, c.relowner AS new_owner
			 FROM pg_event_trigger_ddl_commands() cmd
			 JOIN pg_class c ON c.oid = cmd.objid
			 JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
				AND d.refobjsubid = 0 AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
			 JOIN pg_class m ON m.oid = d.objid
			 WHERE cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0
			   AND m.relkind = 'r' AND m.relowner <> c.relowner
			   AND vecrag.bm25_is_index(m.oid) LOOP
		BEGIN
			FOR part IN SELECT p.oid::regclass FROM pg_depend pd JOIN pg_class p ON p.oid = pd.objid
						WHERE pd.classid = 'pg_class'::regclass AND pd.refclassid = 'pg_class'::regclass
						  AND pd.refobjid = r.meta AND pd.deptype = 'a' AND p.relkind = 'r'
						  AND p.relowner = r.old_owner LOOP
				EXECUTE format('ALTER TABLE %s OWNER TO %I', part, pg_get_userbyid(r.new_owner));
			END LOOP;
			FOR fn IN SELECT p.oid::regprocedure FROM pg_depend pd JOIN pg_proc p ON p.oid = pd.objid
					  WHERE pd.classid = 'pg_proc'::regclass AND pd.refclassid = 'pg_class'::regclass
						AND pd.refobjid = r.meta AND pd.deptype = 'a' AND p.proowner = r.old_owner LOOP
				EXECUTE format('ALTER FUNCTION %s OWNER TO %I', fn, pg_get_userbyid(r.new_owner));
			END LOOP;
			EXECUTE format('ALTER TABLE %s OWNER TO %I', r.meta, pg_get_userbyid(r.new_owner));
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE WARNING 'BM25 index % keeps its owner %: %', r.meta, pg_get_userbyid(r.old_owner), SQLERRM
				USING HINT = 'Give its tables and maintenance function to the table''s owner, for example with REASSIGN OWNED.';
		END;
	END LOOP;
	FOR r IN SELECT DISTINCT m.oid::regclass AS meta, m.relname, m.relnamespace, n.nspname
			 FROM pg_event_trigger_ddl_commands() cmd
			 JOIN pg_class m ON m.oid = cmd.objid
				OR m.oid IN (SELECT d.refobjid FROM pg_depend d
							 WHERE d.classid = 'pg_class'::regclass AND d.objid = cmd.objid
							   AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a')
			 JOIN pg_namespace n ON n.oid = m.relnamespace
			 WHERE cmd.classid = 'pg_class'::regclass AND cmd.objsubid = 0 AND m.relkind = 'r'
			   AND vecrag.bm25_is_index(m.oid) LOOP
		IF EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class p ON p.oid = d.objid
				   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
					 AND d.refobjid = r.meta AND d.deptype = 'a' AND p.relkind = 'r'
					 AND (p.relnamespace <> r.relnamespace
						  OR p.relname NOT IN (r.relname || '_postings', r.relname || '_terms', r.relname || '_stats')))
		   OR EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass
						AND d.objid = t.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid = r.meta
						AND d.deptype = 'a'
					  WHERE t.tgargs <> convert_to('vecrag_bm25', getdatabaseencoding()) || decode('00', 'hex')
						  || convert_to(format('%I.%I', r.nspname, r.relname), getdatabaseencoding())
						  || decode('00', 'hex')) THEN
			RAISE EXCEPTION 'cannot rename or move the tables of a BM25 index'
				USING ERRCODE = 'feature_not_supported',
					  DETAIL = 'The maintenance function and triggers of the index name them.',
					  HINT = 'Create the index again under another name with vecrag.bm25_create_index.';
		END IF;
	END LOOP;
END
$function$;
CREATE EVENT TRIGGER vecrag_bm25_alter_table ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
	EXECUTE FUNCTION vecrag.bm25_alter_table();

-- BM25 indexes created under 0.1.0: give them the maintenance function and
-- triggers of 0.1.1 (which read the indexed columns by attribute number and
-- add the replica row triggers), record their dependencies (DROP TABLE of
-- the source drops them, DROP EXTENSION refuses without CASCADE) and give
-- their tables a replica identity.  The new function is made here, so it
-- would join the extension: it is taken out again, as bm25_create_index's
-- are not members (pg_dump dumps it with the index).
DO $upgrade$
DECLARE
	r record;
	p record;
	trig text;
BEGIN
	FOR r IN SELECT DISTINCT t.tgrelid::regclass AS src,
					replace((string_to_array(encode(t.tgargs, 'escape'), '\000'))[2], '\\', '\') AS meta
			 FROM pg_catalog.pg_trigger t
			 WHERE t.tgnargs = 2 AND NOT t.tgisinternal
			   AND (string_to_array(encode(t.tgargs, 'escape'), '\000'))[1] = 'vecrag_bm25' LOOP
		BEGIN
			-- opens the index: its tables must all be there
			PERFORM vecrag.bm25_index_info(r.meta::regclass);
			SELECT n.nspname, c.relname INTO p FROM pg_catalog.pg_class c
				JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = r.meta::regclass;
			FOREACH trig IN ARRAY ARRAY['_insert', '_update', '_delete', '_truncate'] LOOP
				EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', p.relname || trig, r.src);
			END LOOP;
			EXECUTE format('DROP FUNCTION IF EXISTS %I.%I()', p.nspname, p.relname || '_maintain');
			PERFORM vecrag.bm25_create_maintenance(r.meta::regclass, false);
			EXECUTE format('ALTER EXTENSION vecrag DROP FUNCTION %I.%I()', p.nspname, p.relname || '_maintain');
			PERFORM vecrag.bm25_record_dependencies(r.meta::regclass);
			EXECUTE format('SELECT postings, terms, stats FROM %s', r.meta::regclass) INTO p;
			EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', p.postings);
			EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', p.terms);
			EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', p.stats);
		EXCEPTION WHEN OTHERS THEN
			RAISE WARNING 'BM25 index % on table % was not updated: %', r.meta, r.src, SQLERRM
				USING HINT = 'Drop it with vecrag.bm25_drop_index and create it again.';
		END;
	END LOOP;
END
$upgrade$;
