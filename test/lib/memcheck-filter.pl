# test/lib/memcheck-filter.pl: print the memcheck error blocks of the given
# valgrind logs that involve vecrag: a frame in vecrag.so or in one of our
# source files (named by the file list on stdin), or a process killed by a
# signal.  Stock PostgreSQL, not built with USE_VALGRIND, reports benign
# uninitialised bytes in core frames (WAL and relcache writes); those blocks
# are not ours and are skipped.  Exit status 1 when anything was printed.
use strict;
use warnings;

my %ours = map { chomp; $_ => 1 } <STDIN>;
my $found = 0;
for my $log (@ARGV)
{
	open my $fh, '<', $log or die "$log: $!";
	local $/ = undef;
	my $text = <$fh>;
	# blocks are separated by a line holding only "==pid=="
	for my $block (split /^==\d+==\s*$/m, $text)
	{
		my $mine = $block =~ /vecrag\.so/
		  || $block =~ /Process terminating with default action of signal/;
		while (!$mine && $block =~ /\(([A-Za-z0-9_]+\.c):\d+\)/g)
		{
			$mine = 1 if $ours{$1};
		}
		next unless $mine && $block =~ /\S/;
		print "--- $log\n$block\n";
		$found++;
	}
}
print "memcheck: $found error blocks involve vecrag\n";
exit($found ? 1 : 0);
