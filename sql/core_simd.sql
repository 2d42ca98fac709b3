-- vecrag.simd and vecrag.simd_kernels(): choosing the distance kernels.
-- Output must not depend on the CPU, so kernel lists are checked in SQL and
-- only their properties are printed.

-- like any extension's setting, vecrag.simd exists once the library is
-- loaded (its first use in the session, or shared_preload_libraries)
LOAD 'vecrag';

-- the default picks the fastest set this CPU runs: the last supported row
SHOW vecrag.simd;
SELECT count(*) FILTER (WHERE active) AS active_sets,
       bool_and(supported) FILTER (WHERE kernel = 'scalar') AS scalar_supported,
       (array_agg(kernel ORDER BY n) FILTER (WHERE active))[1]
         = (array_agg(kernel ORDER BY n DESC) FILTER (WHERE supported))[1] AS auto_is_fastest
FROM vecrag.simd_kernels() WITH ORDINALITY AS k(kernel, supported, active, description, n);

-- every set the server has is one of the GUC's values, with a description
SELECT bool_and(kernel IN ('scalar', 'avx2', 'avx512') AND description <> '') AS known_sets
FROM vecrag.simd_kernels();

-- forcing scalar makes it the one in use; RESET goes back to auto
SET vecrag.simd = scalar;
SHOW vecrag.simd;
SELECT kernel FROM vecrag.simd_kernels() WHERE active;
RESET vecrag.simd;
SHOW vecrag.simd;

-- unknown values are refused with the list of valid ones
SET vecrag.simd = 'sse';
SET vecrag.simd = '';

-- each supported set can be forced and is then the active one; each set the
-- CPU lacks is refused (on a CPU with AVX-512 there is none to refuse)
DO $$
DECLARE
	k record;
	active_kernel text;
BEGIN
	FOR k IN SELECT * FROM vecrag.simd_kernels() LOOP
		IF k.supported THEN
			PERFORM set_config('vecrag.simd', k.kernel, true);
			SELECT s.kernel INTO active_kernel FROM vecrag.simd_kernels() s WHERE s.active;
			IF active_kernel IS DISTINCT FROM k.kernel THEN
				RAISE EXCEPTION 'vecrag.simd = % made % active', k.kernel, active_kernel;
			END IF;
		ELSE
			BEGIN
				PERFORM set_config('vecrag.simd', k.kernel, true);
				RAISE EXCEPTION 'vecrag.simd = % accepted on a CPU without it', k.kernel;
			EXCEPTION WHEN feature_not_supported THEN
				NULL;
			END;
		END IF;
	END LOOP;
	RAISE NOTICE 'every kernel set can be forced, or is refused, as the CPU allows';
END
$$;
SHOW vecrag.simd;

-- a setting made in a transaction goes away with it
BEGIN;
SET LOCAL vecrag.simd = scalar;
SELECT kernel FROM vecrag.simd_kernels() WHERE active;
ROLLBACK;
SHOW vecrag.simd;

-- the chosen set serves the operators: the same answer on every path
SET vecrag.simd = scalar;
SELECT '[1,2,3]'::vector <-> '[4,6,8]', '[1,2,3]'::vector <#> '[4,6,8]',
       '[1,2,3]'::vector <+> '[4,6,8]', round(('[1,2,3]'::vector <=> '[4,6,8]')::numeric, 9);
RESET vecrag.simd;
SELECT '[1,2,3]'::vector <-> '[4,6,8]', '[1,2,3]'::vector <#> '[4,6,8]',
       '[1,2,3]'::vector <+> '[4,6,8]', round(('[1,2,3]'::vector <=> '[4,6,8]')::numeric, 9);
