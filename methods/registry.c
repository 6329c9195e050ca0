/* registry.c -- the method table: one entry per method file. */
#include <string.h>

#include "methods.h"

static const expm_method_t METHODS[] = {
    {"pade", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "Pade scaling and squaring, m in {3,5,7,9,13}, ell-corrected s, triangular fix-up; "
     "Frechet by Alg. 6.4 (the default)",
     "Al-Mohy & Higham, SIMAX 31(3):970-989, 2009 (Alg. 6.1); SIMAX 30(4):1639-1657, 2009 (Alg. 6.4)",
     expm_pade_exp, expm_pade_frechet},
    {"block", EXPM_KIND_FRECHET,
     "L(A,E) as the (1,2) block of exp([[A,E],[0,A]]) by pade",
     "Van Loan, IEEE TAC 23(3):395-404, 1978; Mathias, SIMAX 17(3):610-620, 1996",
     NULL, expm_block_frechet},
};

int expm_method_count(void)
{
    return (int)(sizeof METHODS / sizeof METHODS[0]);
}

const expm_method_t *expm_method_get(int i)
{
    return (i >= 0 && i < expm_method_count()) ? &METHODS[i] : NULL;
}

const expm_method_t *expm_method_find(const char *name)
{
    if (!name || !*name)
        name = "pade";
    for (int i = 0; i < expm_method_count(); i++)
        if (strcmp(METHODS[i].name, name) == 0)
            return &METHODS[i];
    return NULL;
}
