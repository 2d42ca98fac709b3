# test/t/080_dump_restore.pl: a database holding vecrag data survives
# pg_dump/pg_restore (custom format) and a plain-SQL dump: same rows, same
# values, extension recreated.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
	CREATE EXTENSION vecrag;
	CREATE TABLE items (id int PRIMARY KEY, v vector(3), anyv vector);
	INSERT INTO items
		SELECT i, ('[' || i || ',' || i * 0.5 || ',' || -i || ']')::vector(3),
			   CASE WHEN i % 7 = 0 THEN NULL ELSE ('[' || i * 1e-20 || ']')::vector END
		FROM generate_series(1, 500) i;
});
my $fingerprint = q{
	SELECT count(*), md5(string_agg(id || ':' || coalesce(v::text, 'null') || ':' ||
									coalesce(anyv::text, 'null'), ',' ORDER BY id))
	FROM items};
my $before = $node->safe_psql('src', $fingerprint);

my $dump = "$PostgreSQL::Test::Utils::tmp_check/src.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', $dump ],
	'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('restored'), $dump ], 'pg_restore');
is($node->safe_psql('restored', $fingerprint), $before, 'custom-format restore keeps every value');
is($node->safe_psql('restored', "SELECT extname FROM pg_extension WHERE extname = 'vecrag'"),
	'vecrag', 'restore recreates the extension');

my $sql = "$PostgreSQL::Test::Utils::tmp_check/src.sql";
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', $sql ], 'pg_dump plain');
$node->safe_psql('postgres', 'CREATE DATABASE replayed');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('replayed'), '-f', $sql ],
	'plain dump replays');
is($node->safe_psql('replayed', $fingerprint), $before, 'plain-SQL restore keeps every value');

$node->stop;
done_testing();
