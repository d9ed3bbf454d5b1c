/* A tiny program built against the installed vocx. */
#include <stdio.h>
#include <string.h>
#include <vocx.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (strcmp(vocx_version(), VOCX_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s but library %s\n", VOCX_VERSION_STRING,
                vocx_version());
        return 1;
    }
    vocx_store *s = NULL;
    int rc = vocx_store_open(&s, argv[1], VOCX_OPEN_CREATE);
    if (rc) {
        fprintf(stderr, "open: %s\n", vocx_store_errmsg(s));
        vocx_store_close(s);
        return 1;
    }
    vocx_comment c = {"web-1", "42", "2026-03-01T10:00:00+01:00", "chat",
                      "The refund never arrived.", 0};
    int what = 0;
    rc = vocx_store_put_comment(s, &c, &what);
    vocx_store_totals t;
    if (!rc)
        rc = vocx_store_totals_get(s, &t);
    if (rc || what != VOCX_PUT_INSERTED || t.comments != 1 ||
        strcmp(t.first_at, "2026-03-01T09:00:00Z") != 0) {
        fprintf(stderr, "consumer: %s\n", vocx_store_errmsg(s));
        vocx_store_close(s);
        return 1;
    }
    vocx_store_close(s);
    printf("consumer ok: vocx %s\n", vocx_version());
    return 0;
}
