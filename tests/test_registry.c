/* test_registry.c -- methods/registry.c: the method table is well formed. */
#include <criterion/criterion.h>
#include <string.h>

#include "expmkit.h"

Test(registry, entries_are_complete_and_unique)
{
    int n = expm_method_count();
    cr_assert_geq(n, 2);
    for (int i = 0; i < n; i++) {
        const expm_method_t *m = expm_method_get(i);
        cr_assert_not_null(m);
        cr_expect(m->name && *m->name && m->description && *m->description && m->reference &&
                  *m->reference);
        cr_expect(m->kinds != 0 && (m->kinds & ~3u) == 0, "%s kinds", m->name);
        cr_expect(((m->kinds & EXPM_KIND_EXP) != 0) == (m->exp != NULL), "%s exp", m->name);
        cr_expect(((m->kinds & EXPM_KIND_FRECHET) != 0) == (m->frechet != NULL), "%s frechet",
                  m->name);
        cr_expect(strchr(m->description, '\t') == NULL && strchr(m->description, '\n') == NULL);
        cr_expect_eq(expm_method_find(m->name), m);
        for (int j = i + 1; j < n; j++)
            cr_expect_str_neq(m->name, expm_method_get(j)->name);
    }
    cr_expect_null(expm_method_get(-1));
    cr_expect_null(expm_method_get(n));
    cr_expect_null(expm_method_find("PADE"));
    cr_expect_str_eq(expm_method_find(NULL)->name, "pade");
}
