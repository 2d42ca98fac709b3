# test/lib/tap-harness.pl: run the TAP test files given as arguments and print
# "counts PASSED FAILED" over all their assertions; a file that dies or exits
# non-zero counts as one more failure.
use strict;
use warnings;
use TAP::Harness;

my $harness = TAP::Harness->new({ verbosity => 0, timer => 1 });
my $agg = $harness->runtests(@ARGV);
my $failed = scalar($agg->failed);
for my $file ($agg->descriptions)
{
	my ($parser) = $agg->parsers($file);
	$failed++ if $parser->exit != 0 && $parser->failed == 0;
	$failed++ if $parser->tests_run == 0 || $parser->parse_errors;
}
printf "counts %d %d\n", scalar($agg->passed), $failed;
