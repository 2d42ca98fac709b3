# test/lib/VecragData.pm: finding and slicing the real data sets for the TAP
# recall tests (023/024 hnsw, 032/033 ivf).
package VecragData;

use strict;
use warnings;
use Exporter 'import';

our @EXPORT_OK = qw(copy_head_lines glove_ground_truth_dir);

# Copy the first $n lines of $src to $dst (a slice the server can read).
sub copy_head_lines
{
	my ($src, $dst, $n) = @_;

	open(my $in, '<', $src) or die "$src: $!";
	open(my $out, '>', $dst) or die "$dst: $!";
	while ($n-- > 0 && defined(my $line = <$in>))
	{
		print $out $line;
	}
	close($in);
	close($out);
}

# The folder with the GloVe-100 100k ground-truth files: ../shared/data,
# which test/run stages (VECRAG_SHARED when the checkout has no ../shared),
# else $data itself.
sub glove_ground_truth_dir
{
	my ($data) = @_;
	my ($shared) = grep { -r "$_/glove100-100k-gt-l2.tsv" }
	  (($ENV{VECRAG_SHARED} ? "$ENV{VECRAG_SHARED}/data" : ()),
		"$ENV{VECRAG_REPO}/../shared/data", $data);
	return $shared // $data;
}

1;
