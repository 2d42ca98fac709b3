/*
 * test/bench/halfvec_convert_check.c
 *	  Exhaustive check of src/vector/halfvec.h's scalar conversions against
 *	  the CPU's F16C instructions: every one of the 2^32 float bit patterns
 *	  through Float4ToHalfUnchecked must equal vcvtps2ph (round to nearest
 *	  even), NaN only needs to stay NaN, and all 65,536 halves through
 *	  HalfToFloat4 must equal vcvtph2ps.  Built and run by
 *	  test/bench/halfvec_convert_check (x86-64 with F16C only).
 */
#include "postgres.h"

#include <immintrin.h>
#include <math.h>

#include "vector/halfvec.h"

#undef printf
#include <stdio.h>

__attribute__((target("f16c"))) static unsigned short
HardwareToHalf(float f)
{
	return _cvtss_sh(f, 0);
}

__attribute__((target("f16c"))) static float
HardwareToFloat(unsigned short h)
{
	return _cvtsh_ss(h);
}

int
main(void)
{
	uint64		checked = 0;
	uint64		bad = 0;

	for (uint64 i = 0; i <= 0xFFFFFFFFULL; i++)
	{
		union
		{
			uint32		i;
			float		f;
		}			u;
		half		ours;

		u.i = (uint32) i;
		ours = Float4ToHalfUnchecked(u.f);
		checked++;
		if (isnan(u.f) ? !HalfIsNan(ours) : ours != HardwareToHalf(u.f))
		{
			if (bad++ < 10)
				printf("float %08x: ours %04x, F16C %04x\n", u.i, ours, HardwareToHalf(u.f));
		}
	}
	for (int h = 0; h < 65536; h++)
	{
		float		ours = HalfToFloat4((half) h);
		float		hw = HardwareToFloat((unsigned short) h);

		checked++;
		if (memcmp(&ours, &hw, sizeof(float)) != 0 && !(isnan(ours) && isnan(hw)))
		{
			if (bad++ < 20)
				printf("half %04x: ours %a, F16C %a\n", h, ours, hw);
		}
	}
	printf("checked %llu conversions, %llu differ from F16C\n",
		   (unsigned long long) checked, (unsigned long long) bad);
	return bad != 0;
}
