# test/t/061_types_binary_corrupt.pl: COPY BINARY files crafted byte by byte
# (Perl pack) with every kind of corrupt halfvec and sparsevec field.  Each
# load must fail with a clear error and its SQLSTATE, insert nothing and
# leave the server up; the well-formed control file must load.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('corrupt');
$node->init;
$node->start;
$node->safe_psql('postgres',
	'CREATE EXTENSION vecrag;
	 CREATE TABLE h (v halfvec); CREATE TABLE h2 (v halfvec(2));
	 CREATE TABLE s (v sparsevec); CREATE TABLE s5 (v sparsevec(5));');

my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $n = 0;

# A binary COPY file with one row of one field holding $field's bytes.
sub copy_file
{
	my ($field) = @_;
	my $data = "PGCOPY\n\377\r\n\0" . pack('NN', 0, 0)
	  . pack('n', 1) . pack('N', length($field)) . $field . pack('n', 0xFFFF);
	my $file = "$dir/corrupt_" . $n++ . '.bin';
	open(my $fh, '>:raw', $file) or die "cannot write $file: $!";
	print $fh $data;
	close($fh);
	return $file;
}

sub half_field { my ($dim, $unused, @h) = @_; return pack('nn', $dim, $unused) . pack('n*', @h); }

sub sparse_field
{
	my ($dim, $nnz, $unused, $indices, $values) = @_;
	return pack('NNN', $dim, $nnz, $unused) . pack('N*', @$indices) . pack('f>*', @$values);
}

sub expect_error
{
	my ($table, $field, $sqlstate, $pattern, $name) = @_;
	my $file = copy_file($field);
	my ($rc, $out, $err) = $node->psql('postgres',
		"\\set VERBOSITY verbose\nCOPY $table FROM '$file' (FORMAT binary)");
	isnt($rc, 0, "$name: COPY fails");
	like($err, qr/ERROR:  $sqlstate: $pattern/, "$name: $sqlstate $pattern");
}

# halfvec: int16 dim, int16 unused, dim 16-bit halves
expect_error('h', pack('n', 1), '22P03', 'invalid binary halfvec: expected a 4-byte header, got 2 bytes', 'halfvec short header');
expect_error('h', half_field(0, 0), '22000', 'halfvec must have at least 1 dimension', 'halfvec dim 0');
expect_error('h', half_field(0xFFFF, 0, 0x3C00), '22000', 'halfvec must have at least 1 dimension', 'halfvec negative dim');
expect_error('h', half_field(16001, 0, (0x3C00) x 16001), '54000', 'halfvec cannot have more than 16000 dimensions', 'halfvec too many dims');
expect_error('h', half_field(1, 1, 0x3C00), '22P03', 'expected unused to be 0, not 1', 'halfvec unused not zero');
expect_error('h', half_field(3, 0, 0x3C00, 0x4000), '22P03', 'invalid binary halfvec: expected 6 bytes of elements, got 4', 'halfvec truncated elements');
expect_error('h', half_field(1, 0, 0x3C00, 0x4000), '22P03', 'invalid binary halfvec: expected 2 bytes of elements, got 4', 'halfvec trailing bytes');
expect_error('h', half_field(2, 0, 0x3C00, 0x7E00), '22000', 'NaN not allowed in halfvec', 'halfvec NaN');
expect_error('h', half_field(2, 0, 0xFC00, 0x3C00), '22000', 'infinite value not allowed in halfvec', 'halfvec -Infinity');
expect_error('h2', half_field(3, 0, 0x3C00, 0x3C00, 0x3C00), '22000', 'expected 2 dimensions, not 3', 'halfvec typmod mismatch');

# sparsevec: int32 dim, int32 nnz, int32 unused, nnz int32 indices, nnz float4 values
expect_error('s', pack('NN', 5, 0), '22P03', 'invalid binary sparsevec: expected a 12-byte header, got 8 bytes', 'sparsevec short header');
expect_error('s', sparse_field(0, 0, 0, [], []), '22000', 'sparsevec must have at least 1 dimension', 'sparsevec dim 0');
expect_error('s', sparse_field(1000000001, 0, 0, [], []), '54000', 'sparsevec cannot have more than 1000000000 dimensions', 'sparsevec too many dims');
expect_error('s', sparse_field(5, 0xFFFFFFFF, 0, [], []), '22000', 'sparsevec cannot have negative number of elements', 'sparsevec negative nnz');
expect_error('s', sparse_field(100000, 16001, 0, [ 0 .. 16000 ], [ (1) x 16001 ]), '54000', 'sparsevec cannot have more than 16000 non-zero elements', 'sparsevec too many non-zeros');
expect_error('s', sparse_field(2, 3, 0, [ 0, 1, 2 ], [ 1, 1, 1 ]), '22000', 'sparsevec cannot have more elements than dimensions', 'sparsevec nnz above dim');
expect_error('s', sparse_field(5, 1, 7, [0], [1]), '22P03', 'expected unused to be 0, not 7', 'sparsevec unused not zero');
expect_error('s', sparse_field(5, 2, 0, [ 0, 1 ], [1]), '22P03', 'invalid binary sparsevec: expected 16 bytes of indices and values, got 12', 'sparsevec truncated values');
expect_error('s', sparse_field(5, 1, 0, [ 0, 1 ], [ 1, 2 ]), '22P03', 'invalid binary sparsevec: expected 8 bytes of indices and values, got 16', 'sparsevec trailing bytes');
expect_error('s', sparse_field(5, 2, 0, [ 3, 1 ], [ 1, 2 ]), '22000', 'sparsevec indices must be in ascending order', 'sparsevec unsorted indices');
expect_error('s', sparse_field(5, 2, 0, [ 2, 2 ], [ 1, 2 ]), '22000', 'sparsevec indices must not contain duplicates', 'sparsevec duplicate indices');
expect_error('s', sparse_field(5, 1, 0, [0xFFFFFFFF], [1]), '22000', 'sparsevec index out of bounds', 'sparsevec negative index');
expect_error('s', sparse_field(5, 1, 0, [5], [1]), '22000', 'sparsevec index out of bounds', 'sparsevec index equal to dims');
expect_error('s', sparse_field(5, 1, 0, [0], [0]), '22P03', 'binary representation of sparsevec cannot contain zero values', 'sparsevec zero value');
expect_error('s', pack('NNN', 5, 1, 0) . pack('N', 0) . pack('N', 0x7FC00000), '22000', 'NaN not allowed in sparsevec', 'sparsevec NaN');
expect_error('s', pack('NNN', 5, 1, 0) . pack('N', 0) . pack('N', 0x7F800000), '22000', 'infinite value not allowed in sparsevec', 'sparsevec Infinity');
expect_error('s5', sparse_field(6, 1, 0, [0], [1]), '22000', 'expected 5 dimensions, not 6', 'sparsevec typmod mismatch');

is($node->safe_psql('postgres', 'SELECT (SELECT count(*) FROM h) + (SELECT count(*) FROM h2) + (SELECT count(*) FROM s) + (SELECT count(*) FROM s5)'),
	'0', 'no corrupt row was stored');

# controls: the same builders with valid bytes load
for my $case (
	[ 'h', half_field(2, 0, 0x3C00, 0xC000), '[1,-2]' ],
	[ 'h2', half_field(2, 0, 0x0001, 0x7BFF), '[5.9604645e-08,65504]' ],
	[ 's', sparse_field(5, 2, 0, [ 0, 4 ], [ 1.5, -2 ]), '{1:1.5,5:-2}/5' ],
	[ 's5', sparse_field(5, 0, 0, [], []), '{}/5' ])
{
	my ($table, $field, $text) = @$case;
	my $file = copy_file($field);
	$node->safe_psql('postgres', "COPY $table FROM '$file' (FORMAT binary)");
	is($node->safe_psql('postgres', "SELECT v FROM $table"), $text, "valid $table field loads as $text");
}

$node->stop;
done_testing();
