// SPDX-License-Identifier: GPL-2.0
/* The hash map of godiagctl: (u64, u64) -> u32 index (ctl/base/hmap.c). */
#include "base/hmap.h"
#include "test.h"

int main(void)
{
	struct hmap m = HMAP_INIT;
	uint32_t i, bad = 0;
	bool added;

	test_begin("hmap: empty map finds nothing");
	CHECK(hmap_find(&m, 0, 0) == NULL);
	test_end();

	test_begin("hmap: 20000 keys, key 0 included, survive growth");
	for (i = 0; i < 20000; i++) {
		uint32_t *v = hmap_get(&m, i * 7919u, 0, i, &added);

		if (!added || *v != i)
			bad++;
	}
	CHECK_U64(m.len, 20000);
	for (i = 0; i < 20000; i++) {
		uint32_t *v = hmap_find(&m, i * 7919u, 0);

		if (!v || *v != i)
			bad++;
	}
	CHECK_U64(bad, 0);
	CHECK(hmap_find(&m, 1, 0) == NULL);
	CHECK(hmap_find(&m, UINT32_MAX, 0) == NULL);
	test_end();

	test_begin("hmap: a present key keeps its value");
	CHECK_U64(*hmap_get(&m, 7919u * 5, 0, 999, &added), 5);
	CHECK(!added);
	CHECK_U64(m.len, 20000);
	test_end();

	test_begin("hmap: keys that differ in one word are apart");
	CHECK(hmap_find(&m, 7919u * 5, 1) == NULL);
	CHECK(hmap_find(&m, 0, 7919u * 5) == NULL);
	CHECK_U64(*hmap_get(&m, 7919u * 5, 1, 7, &added), 7);
	CHECK(added);
	CHECK_U64(*hmap_get(&m, UINT64_MAX, UINT64_MAX, 8, &added), 8);
	CHECK(added);
	CHECK_U64(*hmap_find(&m, 7919u * 5, 0), 5);
	CHECK_U64(*hmap_find(&m, UINT64_MAX, UINT64_MAX), 8);
	CHECK_U64(m.len, 20002);
	test_end();

	hmap_free(&m);
	test_begin("hmap: freed map is empty and reusable");
	CHECK(hmap_find(&m, 0, 0) == NULL);
	CHECK_U64(*hmap_get(&m, UINT32_MAX, 0, 3, &added), 3);
	CHECK(added);
	test_end();
	hmap_free(&m);
	return test_summary();
}
