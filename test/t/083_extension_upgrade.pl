# test/t/083_extension_upgrade.pl: ALTER EXTENSION vecrag UPDATE from the
# first release.  (a) A database created at 0.1.0 with objects of every room
# (vector/halfvec/sparsevec/bit columns, hnsw, ivf and ivfflat indexes, a
# registered graph, a BM25 index) is updated; its version is the control
# file's default_version and the same queries give the same answers through
# the same indexes, and inserts and VACUUM still work.  (b) Its catalog equals
# a fresh CREATE EXTENSION vecrag in another database: every extension member
# and its definition (functions with volatility, strictness, parallel safety,
# cost, rows and ACL; aggregates; types; operators; operator classes and
# families with their members; casts; access methods; tables, views and
# sequences with columns, constraints, triggers and ACLs; comments, initial
# privileges, dependencies); a mismatch prints a unified diff.  (c) pg_dump of
# the updated database restores into a fresh one with the same answers.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $control = slurp_file("$ENV{VECRAG_REPO}/vecrag.control");
my ($default_version) = $control =~ /^default_version\s*=\s*'([^']+)'/m
  or die "no default_version in vecrag.control";

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir;

is($node->safe_psql('postgres',
		"SELECT default_version FROM pg_available_extensions WHERE name = 'vecrag'"),
	$default_version, "the installed control file's default_version is $default_version");

# ---------------------------------------------------------------------------
# (a) objects of every room, created under 0.1.0

$node->safe_psql('postgres', 'CREATE DATABASE upgraded');
$node->safe_psql('upgraded', q{CREATE EXTENSION vecrag VERSION '0.1.0'});
is($node->safe_psql('upgraded', q{SELECT extversion FROM pg_extension WHERE extname = 'vecrag'}),
	'0.1.0', 'CREATE EXTENSION vecrag VERSION 0.1.0 installs the released script');

$node->safe_psql('upgraded', <<'SQL');
CREATE TABLE items (
	id int PRIMARY KEY,
	v vector(16),
	h halfvec(16),
	s sparsevec(40),
	b bit(64)
);
INSERT INTO items
SELECT i, v, v::halfvec(16),
	format('{%s:%s,%s:%s,%s:%s}/40', i % 13 + 1, round(sin(i)::numeric, 3),
		i % 13 + 14, round(cos(i * 3)::numeric, 3), i % 11 + 28, round(sin(i * 7)::numeric, 3))::sparsevec,
	binary_quantize(v) || hashint4(i)::bit(32) || hashint4(i + 7)::bit(16)
FROM (SELECT i, (SELECT array_agg(sin(i * 0.37 + j * 1.91) + cos(i * j * 0.013))::vector(16)
		FROM generate_series(1, 16) j) AS v
	FROM generate_series(1, 2000) i) t;
CREATE INDEX items_v_hnsw ON items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 40);
CREATE INDEX items_v_ivf ON items USING ivf (v vector_ip_ops) WITH (lists = 8, quantizer = 'none');
CREATE INDEX items_h_hnsw ON items USING hnsw (h halfvec_cosine_ops) WITH (m = 8, ef_construction = 40);
CREATE INDEX items_h_ivfflat ON items USING ivfflat (h halfvec_l2_ops) WITH (lists = 8);
CREATE INDEX items_s_hnsw ON items USING hnsw (s sparsevec_l2_ops);
CREATE INDEX items_b_hnsw ON items USING hnsw (b bit_hamming_ops);

CREATE TABLE kg (src bigint, dst bigint, relation text, weight real);
CREATE INDEX ON kg (src) INCLUDE (dst, relation, weight);
CREATE INDEX ON kg (dst) INCLUDE (src, relation, weight);
INSERT INTO kg SELECT i, (i * 7) % 300 + 1, CASE WHEN i % 3 = 0 THEN 'hypernym' ELSE 'related' END,
	1 + i % 5 FROM generate_series(1, 300) i;
INSERT INTO kg SELECT i, (i * 11) % 300 + 1, 'related', 2 FROM generate_series(1, 300) i;
SELECT vecrag.create_graph('kg', 'kg', src => 'src', dst => 'dst', relation => 'relation', weight => 'weight');

CREATE TABLE docs (id int PRIMARY KEY, body text);
INSERT INTO docs SELECT i, format('document %s about %s flow with %s layers', i,
	(ARRAY['laminar', 'turbulent', 'supersonic', 'boundary'])[i % 4 + 1],
	(ARRAY['thin', 'thick', 'viscous'])[i % 3 + 1]) FROM generate_series(1, 400) i;
SELECT vecrag.bm25_create_index('docs', 'body');
SQL

# Each query is checked through its index (EXPLAIN), and its answer must be
# the exact answer (the settings make the scans exhaustive), so it cannot
# depend on how an index was built.
my $settings = 'SET enable_seqscan = off; SET hnsw.ef_search = 400; SET ivf.probes = 8; '
  . 'SET ivfflat.probes = 8;';
my $q = q{(SELECT v FROM items WHERE id = 77)};
my @index_queries = (
	[ 'items_v_hnsw', "SELECT id FROM items ORDER BY v <-> $q LIMIT 5" ],
	[ 'items_v_ivf', "SELECT id FROM items ORDER BY v <#> $q LIMIT 5" ],
	[ 'items_h_hnsw', "SELECT id FROM items ORDER BY h <=> ${q}::halfvec(16) LIMIT 5" ],
	[ 'items_h_ivfflat', "SELECT id FROM items ORDER BY h <-> ${q}::halfvec(16) LIMIT 5" ],
	[ 'items_s_hnsw',
		q{SELECT id FROM items ORDER BY s <-> (SELECT s FROM items WHERE id = 500) LIMIT 5} ],
	# Hamming distances tie: compare the distances, not the ids
	[ 'items_b_hnsw',
		q{SELECT b <~> (SELECT b FROM items WHERE id = 9) FROM items
		  ORDER BY b <~> (SELECT b FROM items WHERE id = 9) LIMIT 5} ]);
my @other_queries = (
	q{SELECT id, depth, path_weight, relation_path FROM vecrag.traverse('kg', ARRAY[1, 5]::bigint[], 2)
	  ORDER BY id, depth, path_weight, relation_path::text},
	q{SELECT name, edge_table, src_column, dst_column, relation_column, weight_column FROM vecrag.graphs},
	q{SELECT id, round(score::numeric, 6), rank FROM vecrag.bm25_search('docs_body_bm25', 'turbulent viscous flow', 8)},
	q{SELECT count(*), md5(string_agg(v::text || h::text || s::text || b::text, ',' ORDER BY id)) FROM items});

sub answers
{
	my ($db) = @_;
	my %a;
	for my $iq (@index_queries)
	{
		my ($index, $sql) = @$iq;
		my $plan = $node->safe_psql($db, "$settings EXPLAIN (COSTS OFF) $sql");
		like($plan, qr/Index Scan using $index\b/, "$db: the query plans a scan of $index");
		$a{$index} = $node->safe_psql($db, "$settings $sql");
		my $exact = $node->safe_psql($db, "SET enable_indexscan = off; SET enable_bitmapscan = off; $sql");
		is($a{$index}, $exact, "$db: $index gives the exact answer");
	}
	$a{$_} = $node->safe_psql($db, $_) for @other_queries;
	return \%a;
}

sub same_answers
{
	my ($before, $after, $what) = @_;
	for my $k (sort keys %$before)
	{
		my $name = length($k) > 60 ? substr($k, 0, 57) . '...' : $k;
		$name =~ s/\s+/ /g;
		is($after->{$k}, $before->{$k}, "$what: $name");
	}
}

my $before = answers('upgraded');
isnt($before->{items_v_hnsw}, '', 'the queries return rows');

$node->safe_psql('upgraded', 'ALTER EXTENSION vecrag UPDATE');
is($node->safe_psql('upgraded', q{SELECT extversion FROM pg_extension WHERE extname = 'vecrag'}),
	$default_version, "ALTER EXTENSION vecrag UPDATE reaches $default_version");
my $after = answers('upgraded');
same_answers($before, $after, 'same answer after the update');

# writes after the update: inserts into every index, deletes, VACUUM
$node->safe_psql('upgraded', <<'SQL');
INSERT INTO items SELECT 5000 + id, v + v, (v + v)::halfvec(16), s, ~b FROM items WHERE id <= 50;
DELETE FROM items WHERE id BETWEEN 100 AND 400;
VACUUM items;
INSERT INTO kg VALUES (1, 299, 'hypernym', 9);
INSERT INTO docs VALUES (1000, 'hypersonic rarefied flow');
SQL
is($node->safe_psql('upgraded',
		"$settings SELECT id FROM items ORDER BY v <-> (SELECT v FROM items WHERE id = 5007) LIMIT 1"),
	'5007', 'a row inserted after the update is found through the hnsw index');
is($node->safe_psql('upgraded',
		"$settings SELECT count(*) FROM (SELECT id FROM items ORDER BY h <-> (SELECT h FROM items WHERE id = 50) LIMIT 2000) t WHERE id BETWEEN 101 AND 400"),
	'0', 'rows deleted and vacuumed after the update are gone from the ivfflat index');
for my $iq (@index_queries)
{
	my ($index, $sql) = @$iq;
	my $exact = $node->safe_psql('upgraded', "SET enable_indexscan = off; SET enable_bitmapscan = off; $sql");
	is($node->safe_psql('upgraded', "$settings $sql"), $exact,
		"after inserts and VACUUM, $index still gives the exact answer");
}
like($node->safe_psql('upgraded', q{SELECT id FROM vecrag.traverse('kg', ARRAY[1]::bigint[], 1)}),
	qr/^299$/m, 'an edge inserted after the update is traversed');
is($node->safe_psql('upgraded', q{SELECT id FROM vecrag.bm25_search('docs_body_bm25', 'hypersonic', 3)}),
	'1000', 'a document inserted after the update is found by bm25_search');

# ---------------------------------------------------------------------------
# (b) the updated catalog equals a fresh install's

# One row per (object, aspect), OIDs replaced by names; search_path is pinned
# so every name prints schema-qualified the same way in both databases.
my $catalog_sql = <<'SQL';
SET search_path = pg_catalog;
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'vecrag'),
m AS (
	SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS obj
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
),
rels AS (
	SELECT c.oid, pg_describe_object('pg_class'::regclass, c.oid, 0) AS obj
	FROM pg_class c WHERE c.relnamespace = 'vecrag'::regnamespace
),
rows(obj, aspect, detail) AS (
	SELECT 'extension vecrag', 'extension', jsonb_build_object(
		'owner', e.extowner::regrole::text, 'schema', e.extnamespace::regnamespace::text,
		'relocatable', e.extrelocatable,
		'config', (SELECT array_agg(c::regclass::text ORDER BY c::regclass::text) FROM unnest(e.extconfig) c),
		'condition', e.extcondition, 'comment', obj_description(e.oid, 'pg_extension'))::text
	FROM pg_extension e WHERE e.extname = 'vecrag'
	UNION ALL
	SELECT obj, 'member', '' FROM m
	UNION ALL
	-- functions and aggregates
	SELECT m.obj, 'pg_proc', (to_jsonb(p) - ARRAY['oid', 'pronamespace', 'proowner', 'prolang',
			'prorettype', 'proargtypes', 'proallargtypes', 'provariadic', 'protrftypes',
			'proargdefaults', 'prosqlbody'] || jsonb_build_object(
		'owner', p.proowner::regrole::text, 'lang', l.lanname,
		'result', pg_get_function_result(p.oid), 'args', pg_get_function_arguments(p.oid)))::text
	FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	JOIN pg_language l ON l.oid = p.prolang
	UNION ALL
	SELECT m.obj, 'definition', pg_get_functiondef(p.oid)
	FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	WHERE p.prokind <> 'a'
	UNION ALL
	SELECT m.obj, 'pg_aggregate', (to_jsonb(a) - ARRAY['aggtranstype', 'aggmtranstype', 'aggsortop']
		|| jsonb_build_object('transtype', a.aggtranstype::regtype::text,
			'mtranstype', a.aggmtranstype::regtype::text, 'sortop', a.aggsortop::regoperator::text))::text
	FROM m JOIN pg_aggregate a ON m.classid = 'pg_proc'::regclass AND a.aggfnoid = m.objid
	UNION ALL
	-- types
	SELECT m.obj, 'pg_type', (to_jsonb(t) - ARRAY['oid', 'typnamespace', 'typowner', 'typrelid',
			'typelem', 'typarray', 'typbasetype', 'typcollation', 'typdefaultbin']
		|| jsonb_build_object('namespace', t.typnamespace::regnamespace::text,
			'owner', t.typowner::regrole::text, 'relid', t.typrelid::regclass::text,
			'elem', t.typelem::regtype::text, 'array', t.typarray::regtype::text,
			'basetype', t.typbasetype::regtype::text, 'collation', t.typcollation::regcollation::text))::text
	FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	-- operators
	SELECT m.obj, 'pg_operator', (to_jsonb(o) - ARRAY['oid', 'oprnamespace', 'oprowner', 'oprleft',
			'oprright', 'oprresult', 'oprcom', 'oprnegate', 'oprcode', 'oprrest', 'oprjoin']
		|| jsonb_build_object('namespace', o.oprnamespace::regnamespace::text,
			'owner', o.oprowner::regrole::text, 'left', o.oprleft::regtype::text,
			'right', o.oprright::regtype::text, 'result', o.oprresult::regtype::text,
			'commutator', o.oprcom::regoperator::text, 'negator', o.oprnegate::regoperator::text,
			'code', o.oprcode::regprocedure::text, 'restrict', o.oprrest::regprocedure::text,
			'join', o.oprjoin::regprocedure::text))::text
	FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
	UNION ALL
	-- operator classes, families and their members
	SELECT m.obj, 'pg_opclass', jsonb_build_object('name', c.opcname,
		'namespace', c.opcnamespace::regnamespace::text, 'owner', c.opcowner::regrole::text,
		'method', am.amname, 'family', pg_describe_object('pg_opfamily'::regclass, c.opcfamily, 0),
		'intype', c.opcintype::regtype::text, 'default', c.opcdefault,
		'keytype', c.opckeytype::regtype::text)::text
	FROM m JOIN pg_opclass c ON m.classid = 'pg_opclass'::regclass AND c.oid = m.objid
	JOIN pg_am am ON am.oid = c.opcmethod
	UNION ALL
	SELECT m.obj, 'pg_opfamily', jsonb_build_object('name', f.opfname,
		'namespace', f.opfnamespace::regnamespace::text, 'owner', f.opfowner::regrole::text,
		'method', am.amname)::text
	FROM m JOIN pg_opfamily f ON m.classid = 'pg_opfamily'::regclass AND f.oid = m.objid
	JOIN pg_am am ON am.oid = f.opfmethod
	UNION ALL
	SELECT m.obj, 'amop ' || o.amopstrategy, pg_describe_object('pg_amop'::regclass, o.oid, 0)
		|| ' purpose ' || o.amoppurpose::text || ' sortfamily '
		|| coalesce(pg_describe_object('pg_opfamily'::regclass, nullif(o.amopsortfamily, '0'::oid), 0), '-')
	FROM m JOIN pg_amop o ON m.classid = 'pg_opfamily'::regclass AND o.amopfamily = m.objid
	UNION ALL
	SELECT m.obj, 'amproc ' || p.amprocnum, pg_describe_object('pg_amproc'::regclass, p.oid, 0)
		|| ' ' || p.amproc::regprocedure::text
	FROM m JOIN pg_amproc p ON m.classid = 'pg_opfamily'::regclass AND p.amprocfamily = m.objid
	UNION ALL
	-- casts and access methods
	SELECT m.obj, 'pg_cast', jsonb_build_object('func', c.castfunc::regprocedure::text,
		'context', c.castcontext, 'method', c.castmethod)::text
	FROM m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'pg_am', jsonb_build_object('name', a.amname,
		'handler', a.amhandler::regprocedure::text, 'type', a.amtype)::text
	FROM m JOIN pg_am a ON m.classid = 'pg_am'::regclass AND a.oid = m.objid
	UNION ALL
	SELECT m.obj, 'pg_namespace', jsonb_build_object('owner', n.nspowner::regrole::text,
		'acl', n.nspacl)::text
	FROM m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
	UNION ALL
	-- every relation in schema vecrag, member or not: columns, constraints,
	-- indexes, triggers, policies, view and sequence definitions, ACLs
	SELECT r.obj, 'pg_class', jsonb_build_object('kind', c.relkind, 'persistence', c.relpersistence,
		'owner', c.relowner::regrole::text, 'acl', c.relacl, 'options', c.reloptions,
		'rowsecurity', c.relrowsecurity, 'forcerowsecurity', c.relforcerowsecurity,
		'replident', c.relreplident, 'tablespace', c.reltablespace,
		'member', EXISTS (SELECT 1 FROM m WHERE m.classid = 'pg_class'::regclass AND m.objid = c.oid))::text
	FROM rels r JOIN pg_class c ON c.oid = r.oid
	UNION ALL
	SELECT r.obj, 'column ' || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
		jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
			'notnull', a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid),
			'identity', a.attidentity, 'generated', a.attgenerated,
			'collation', nullif(a.attcollation, '0'::oid)::regcollation::text, 'acl', a.attacl,
			-- this server stamps view columns with a per-database pg_attver option
			'options', (SELECT array_agg(o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%'),
			'comment', col_description(a.attrelid, a.attnum))::text
	FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	UNION ALL
	SELECT r.obj, 'constraint ' || k.conname, pg_get_constraintdef(k.oid)
	FROM rels r JOIN pg_constraint k ON k.conrelid = r.oid
	UNION ALL
	SELECT r.obj, 'index', pg_get_indexdef(i.indexrelid)
	FROM rels r JOIN pg_index i ON i.indrelid = r.oid
	UNION ALL
	SELECT r.obj, 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
	FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT r.obj, 'policy ' || p.polname, jsonb_build_object('cmd', p.polcmd,
		'permissive', p.polpermissive, 'roles', p.polroles::regrole[]::text,
		'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid))::text
	FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
	UNION ALL
	SELECT r.obj, 'view', pg_get_viewdef(r.oid)
	FROM rels r JOIN pg_class c ON c.oid = r.oid AND c.relkind IN ('v', 'm')
	UNION ALL
	SELECT r.obj, 'sequence', (to_jsonb(s) - 'seqrelid' || jsonb_build_object('type', s.seqtypid::regtype::text))::text
	FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
	UNION ALL
	-- functions and types in schema vecrag that are not members
	SELECT pg_describe_object('pg_proc'::regclass, p.oid, 0), 'not a member', ''
	FROM pg_proc p WHERE p.pronamespace = 'vecrag'::regnamespace
		AND NOT EXISTS (SELECT 1 FROM m WHERE m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
	UNION ALL
	-- comments (object and column), initial privileges, dependencies
	SELECT m.obj, 'comment ' || d.objsubid, d.description
	FROM m JOIN pg_description d ON d.classoid = m.classid AND d.objoid = m.objid
	UNION ALL
	SELECT m.obj, 'init_privs ' || i.objsubid || ' ' || i.privtype::text, i.initprivs::text
	FROM m JOIN pg_init_privs i ON i.classoid = m.classid AND i.objoid = m.objid
	UNION ALL
	SELECT m.obj, 'depends ' || d.deptype::text, pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
	FROM m JOIN pg_depend d ON d.classid = m.classid AND d.objid = m.objid AND d.deptype <> 'e'
)
SELECT obj || ' | ' || aspect || ' | ' || detail FROM rows ORDER BY obj, aspect, detail;
SQL

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION vecrag');
is($node->safe_psql('fresh', q{SELECT extversion FROM pg_extension WHERE extname = 'vecrag'}),
	$default_version, "a fresh CREATE EXTENSION installs $default_version");

sub catalog_diff
{
	my ($expected_db, $got_db, $what) = @_;
	my $want = $node->safe_psql($expected_db, $catalog_sql);
	my $got = $node->safe_psql($got_db, $catalog_sql);
	my $members = () = $want =~ / \| member \| /g;
	cmp_ok($members, '>', 300, "$expected_db: the catalog description lists every member ($members)");
	if ($got eq $want)
	{
		pass($what);
		return;
	}
	for my $f ([ $expected_db, $want ], [ $got_db, $got ])
	{
		open(my $fh, '>', "$dir/$f->[0].catalog") or die "$dir/$f->[0].catalog: $!";
		print $fh "$f->[1]\n";
		close($fh);
	}
	my $diff = `diff -u '$dir/$expected_db.catalog' '$dir/$got_db.catalog'`;
	fail($what);
	diag("catalog of $got_db (+) differs from $expected_db (-):\n$diff");
}
catalog_diff('fresh', 'upgraded',
	"the updated extension's catalog equals a fresh install of $default_version");

# ---------------------------------------------------------------------------
# (c) pg_dump of the updated database restores into a fresh one

my $dump = "$dir/upgraded.sql";
command_ok([ 'pg_dump', '--file', $dump, $node->connstr('upgraded') ], 'pg_dump of the updated database');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $dump, $node->connstr('restored') ],
	'the dump restores into a new database');
is($node->safe_psql('restored', q{SELECT extversion FROM pg_extension WHERE extname = 'vecrag'}),
	$default_version, "the restored database has vecrag $default_version");
same_answers(answers('upgraded'), answers('restored'), 'same answer after dump and restore');
catalog_diff('fresh', 'restored', 'the restored extension catalog equals a fresh install');

$node->stop;
done_testing();
