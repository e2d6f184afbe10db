// SPDX-License-Identifier: GPL-2.0
/* The u32 -> index hash map (ctl/u32map.c). */
#include "test.h"
#include "base/u32map.h"

int main(void)
{
	struct u32map m = U32MAP_INIT;
	uint32_t i, bad = 0;
	bool added;

	test_begin("u32map: empty map finds nothing");
	CHECK(u32map_find(&m, 0) == NULL);
	test_end();

	test_begin("u32map: 20000 keys, key 0 included, survive growth");
	for (i = 0; i < 20000; i++) {
		size_t *v = u32map_get(&m, i * 7919u, i, &added);

		if (!added || *v != i)
			bad++;
	}
	CHECK_U64(m.len, 20000);
	for (i = 0; i < 20000; i++) {
		size_t *v = u32map_find(&m, i * 7919u);

		if (!v || *v != i)
			bad++;
	}
	CHECK_U64(bad, 0);
	CHECK(u32map_find(&m, 1) == NULL);
	CHECK(u32map_find(&m, UINT32_MAX) == NULL);
	test_end();

	test_begin("u32map: a present key keeps its value");
	CHECK_U64(*u32map_get(&m, 7919u * 5, 999, &added), 5);
	CHECK(!added);
	CHECK_U64(m.len, 20000);
	test_end();

	u32map_free(&m);
	test_begin("u32map: freed map is empty and reusable");
	CHECK(u32map_find(&m, 0) == NULL);
	CHECK_U64(*u32map_get(&m, UINT32_MAX, 3, &added), 3);
	CHECK(added);
	test_end();
	u32map_free(&m);
	return test_summary();
}
