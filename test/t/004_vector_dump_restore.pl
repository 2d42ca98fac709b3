# test/t/004_vector_dump_restore.pl: a database using the vector type (typmod
# column, btree index, UNIQUE constraint, a view over avg/sum, a default
# built by an array cast) survives pg_dump and pg_restore, in the custom
# and plain formats, with its data and the objects built on the type intact.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', <<'SQL');
CREATE EXTENSION vecrag;
CREATE TABLE items (
	id int PRIMARY KEY,
	v vector(3) UNIQUE,
	w vector DEFAULT ARRAY[0,0]::vector
);
CREATE INDEX items_v ON items (v);
INSERT INTO items (id, v)
SELECT i, ARRAY[i % 17, (i * 7) % 23 - 11.5, sin(i)]::real[] FROM generate_series(1, 500) i;
UPDATE items SET w = subvector(v, 2, 2) WHERE id % 3 = 0;
CREATE VIEW item_stats AS
	SELECT avg(v) AS mean, sum(v) AS total, min(id) AS first FROM items WHERE v < '[5,0,0]';
SQL

my $dir = PostgreSQL::Test::Utils::tempdir;
my $check = <<'SQL';
SELECT count(*), md5(string_agg(v::text || ' ' || w::text, ',' ORDER BY id)) FROM items;
SELECT * FROM item_stats;
SELECT pg_get_indexdef('items_v'::regclass);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'items'::regclass AND attnum > 0 ORDER BY attnum;
SELECT id FROM items ORDER BY v <-> '[3,2,1]', id LIMIT 3;
SQL
my $before = $node->safe_psql('src', $check);

for my $format (qw(custom plain))
{
	my $db = "dst_$format";
	my $file = "$dir/src.$format";
	command_ok([ 'pg_dump', '--format', $format, '--file', $file, $node->connstr('src') ],
		"pg_dump --format $format");
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	if ($format eq 'custom')
	{
		command_ok([ 'pg_restore', '--exit-on-error', '--dbname', $node->connstr($db), $file ],
			'pg_restore');
	}
	else
	{
		command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $file, $node->connstr($db) ],
			'psql restores the plain dump');
	}
	is($node->safe_psql($db, $check), $before, "$format dump restores the same data and objects");
	my ($ret, $out, $err) = $node->psql($db, "INSERT INTO items (id, v) SELECT 1000, v FROM items WHERE id = 1");
	like($err, qr/duplicate key value violates unique constraint "items_v_key"/,
		"$format dump keeps the UNIQUE constraint on the vector column");
	($ret, $out, $err) = $node->psql($db, "INSERT INTO items (id, v) VALUES (1001, '[1,2]')");
	like($err, qr/expected 3 dimensions, not 2/, "$format dump keeps the typmod");
	is($node->safe_psql($db, 'SELECT w FROM items WHERE id = 1'), '[0,0]',
		"$format dump keeps the column default");
}

$node->stop;
done_testing();
