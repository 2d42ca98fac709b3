# test/t/082_pgvector_migration.pl: a plain pg_dump of a pgvector database
# (vector, halfvec and sparsevec columns, hnsw and ivfflat indexes) restores
# into vecrag once its CREATE EXTENSION line names vecrag, as README's
# "Migrating from pgvector" says; indexes are rebuilt and used.  Skipped
# when pgvector is not installed in this PostgreSQL.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('migrate');
$node->init;
$node->start;
plan skip_all => 'pgvector is not installed'
  unless $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'") eq '1';

$node->safe_psql('postgres', 'CREATE DATABASE pgv');
$node->safe_psql('pgv', q{
	CREATE EXTENSION vector;
	CREATE TABLE items (id int PRIMARY KEY, e vector(3), h halfvec(3), s sparsevec(5));
	INSERT INTO items
		SELECT i, ARRAY[i, i % 7, -(i % 5)]::vector, ARRAY[i % 3, 1, 2]::halfvec,
			   ('{1:' || i || ',3:2}/5')::sparsevec
		FROM generate_series(1, 300) i;
	CREATE INDEX items_e_hnsw ON items USING hnsw (e vector_cosine_ops) WITH (m = 8);
	CREATE INDEX items_e_ivf ON items USING ivfflat (e vector_l2_ops) WITH (lists = 3);
});
my $query = q{SELECT string_agg(id::text, ',' ORDER BY id) FROM
	(SELECT id FROM items ORDER BY e <-> '[10,3,-2]' LIMIT 5) t};
my $fingerprint = q{SELECT md5(string_agg(e::text || h::text || s::text, ',' ORDER BY id)) FROM items};
my $before = $node->safe_psql('pgv', $fingerprint);
my $nearest = $node->safe_psql('pgv', "SET enable_seqscan = off; $query");

my $dump = "$PostgreSQL::Test::Utils::tmp_check/pgvector.sql";
$node->command_ok([ 'pg_dump', '-d', $node->connstr('pgv'), '-f', $dump ], 'pg_dump of the pgvector database');
my $sql = slurp_file($dump);
ok($sql =~ s/CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;/CREATE EXTENSION IF NOT EXISTS vecrag WITH SCHEMA public;/,
	'the dump names the extension once');
$sql =~ s/^COMMENT ON EXTENSION vector .*$//m;
open my $fh, '>', $dump or die $!;
print $fh $sql;
close $fh;

$node->safe_psql('postgres', 'CREATE DATABASE migrated');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('migrated'), '-f', $dump ],
	'the edited dump restores into vecrag');
is($node->safe_psql('migrated', $fingerprint), $before, 'every vector, halfvec and sparsevec value is kept');
is($node->safe_psql('migrated', "SELECT string_agg(amname, ',' ORDER BY amname) FROM pg_index i
	JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
	WHERE i.indrelid = 'items'::regclass AND amname <> 'btree'"),
	'hnsw,ivfflat', 'the hnsw and ivfflat indexes are recreated');
my %op = (hnsw => '<=>', ivfflat => '<->');
for my $am ('hnsw', 'ivfflat')
{
	my $other = $am eq 'hnsw' ? 'items_e_ivf' : 'items_e_hnsw';
	(my $q = $query) =~ s/<->/$op{$am}/;
	my $plan = $node->safe_psql('migrated', "SET enable_seqscan = off; SET ivfflat.probes = 3;
		BEGIN; DROP INDEX $other; EXPLAIN (COSTS OFF) $q; ROLLBACK;");
	like($plan, qr/Index Scan using items_e_/, "the restored $am index is used");
}
is($node->safe_psql('migrated', "SET enable_seqscan = off; SET ivfflat.probes = 3; $query"),
	$nearest, 'same nearest neighbours as pgvector (ivfflat probing every list)');

$node->stop;
done_testing();
