# test/t/002_vector_binary_input.pl: corrupt binary vector input, which plain
# SQL cannot send, gets a clean error from vector_recv.  Each case writes a
# COPY (FORMAT binary) file with pack() and loads it: the load must fail
# with the expected message, leave the table as it was, and leave the
# server running.  Valid files, including 16000 dimensions, load exactly.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vecrag');
$node->safe_psql('postgres',
	'CREATE TABLE items (id int, v vector); CREATE TABLE items3 (id int, v vector(3))');

my $dir = PostgreSQL::Test::Utils::tempdir;
my $nfile = 0;

# A COPY binary file holding one row (id, v) with v's field bytes as given.
sub copy_file
{
	my ($field) = @_;
	my $data = "PGCOPY\n\377\r\n\0" . pack('NN', 0, 0);
	$data .= pack('n', 2) . pack('N', 4) . pack('N', 1);
	$data .= pack('N', length($field)) . $field;
	$data .= pack('n', 0xffff);
	my $path = "$dir/case" . $nfile++ . '.bin';
	open(my $fh, '>:raw', $path) or die "cannot write $path: $!";
	print $fh $data;
	close($fh);
	return $path;
}

# vector payload: int16 dims, int16 unused, then the float4 elements given
# as raw big-endian bytes
sub vec_bytes
{
	my ($dim, $unused, @floats) = @_;
	return pack('nn', $dim & 0xffff, $unused & 0xffff) . join('', map { pack('f>', $_) } @floats);
}

my $nan = unpack('f>', pack('N', 0x7fc00000));
my $inf = unpack('f>', pack('N', 0x7f800000));

my @cases = (
	[ 'short payload', 'items', vec_bytes(3, 0, 1, 2),
		qr/invalid binary vector: expected 12 bytes of elements, got 8/ ],
	[ 'header cut short', 'items', pack('n', 1),
		qr/insufficient data left in message/ ],
	[ 'empty field', 'items', '',
		qr/insufficient data left in message/ ],
	[ 'negative dimensions', 'items', vec_bytes(-1, 0, 1),
		qr/vector must have at least 1 dimension/ ],
	[ 'zero dimensions', 'items', vec_bytes(0, 0),
		qr/vector must have at least 1 dimension/ ],
	[ 'too many dimensions', 'items', vec_bytes(16001, 0, (0) x 16001),
		qr/vector cannot have more than 16000 dimensions/ ],
	[ 'dimensions beyond the payload', 'items', vec_bytes(16000, 0, 1),
		qr/invalid binary vector: expected 64000 bytes of elements, got 4/ ],
	[ 'unused not zero', 'items', vec_bytes(1, 1, 1),
		qr/expected unused to be 0, not 1/ ],
	[ 'NaN element', 'items', vec_bytes(2, 0, 1, $nan),
		qr/NaN not allowed in vector/ ],
	[ 'infinite element', 'items', vec_bytes(2, 0, -$inf, 1),
		qr/infinite value not allowed in vector/ ],
	[ 'trailing bytes', 'items', vec_bytes(1, 0, 1) . pack('N', 0),
		qr/invalid binary vector: expected 4 bytes of elements, got 8/ ],
	[ 'typmod mismatch', 'items3', vec_bytes(2, 0, 1, 2),
		qr/expected 3 dimensions, not 2/ ],
);

# one good row first, so "unchanged" means something
$node->safe_psql('postgres',
	"INSERT INTO items VALUES (0, '[1,2]'); INSERT INTO items3 VALUES (0, '[1,2,3]')");

for my $case (@cases)
{
	my ($name, $table, $field, $error) = @$case;
	my $path = copy_file($field);
	my ($ret, $out, $err) =
	  $node->psql('postgres', "COPY $table FROM '$path' (FORMAT binary)");
	isnt($ret, 0, "$name: COPY fails");
	like($err, $error, "$name: error message");
	is($node->safe_psql('postgres', "SELECT count(*) FROM $table"),
		'1', "$name: no row added");
}
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server still up after every bad file');

# well-formed files load, and read back the same bytes
my @good = (
	[ 'items',  vec_bytes(3, 0, 1, -2.5, 0.1), '[1,-2.5,0.1]' ],
	[ 'items3', vec_bytes(3, 0, 0, -0.0, 3.4028234663852886e38), '[0,-0,3.4028235e+38]' ],
	[ 'items',  vec_bytes(1, 0, 1e-45), '[1e-45]' ],
);
my $id = 1;
for my $g (@good)
{
	my ($table, $field, $text) = @$g;
	my $path = copy_file($field);
	$node->safe_psql('postgres', "COPY $table FROM '$path' (FORMAT binary)");
	is($node->safe_psql('postgres', "SELECT v FROM $table WHERE id = 1"), $text,
		"valid file into $table loads as $text");
	is($node->safe_psql('postgres',
		"SELECT vector_send(v) = '\\x" . unpack('H*', $field) . "'::bytea FROM $table WHERE id = 1"),
		't', "$text sends the bytes it was received as");
	$node->safe_psql('postgres', "DELETE FROM $table WHERE id = 1");
}

my @big = map { ($_ % 200) / 8 - 12 } 0 .. 15999;
my $path = copy_file(vec_bytes(16000, 0, @big));
$node->safe_psql('postgres', "COPY items FROM '$path' (FORMAT binary)");
is($node->safe_psql('postgres',
	"SELECT vector_dims(v), v = ARRAY[" . join(',', @big) . "]::real[]::vector FROM items WHERE id = 1"),
	'16000|t', '16000 dimensions load from binary COPY');

$node->stop;
done_testing();
