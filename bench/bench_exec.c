/*
 * bench_exec — run a command and report its wall time and peak RSS
 * (wait4 rusage), for the suite's stages that run in another process
 * (the vocx CLI, the Python baseline).
 *
 *   bench_exec --stage S --label L [--bytes B] [--comments N] -- CMD [ARG...]
 *
 * The command's output passes through; afterwards one line
 *   @result stage=S label=L wall_secs=.. rss_kb=.. exit=..
 * and, when --bytes or --comments is given, secs=, mbs= and cps= computed
 * from the wall time.  Exits with the command's status (1 when it was
 * killed by a signal, 127 when it could not be started).
 */
#define _DEFAULT_SOURCE /* wait4 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *stage = NULL, *label = "-";
    unsigned long long bytes = 0, comments = 0;
    int i = 1;
    for (; i + 1 < argc && strcmp(argv[i], "--"); i += 2) {
        if (!strcmp(argv[i], "--stage"))
            stage = argv[i + 1];
        else if (!strcmp(argv[i], "--label"))
            label = argv[i + 1];
        else if (!strcmp(argv[i], "--bytes"))
            bytes = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--comments"))
            comments = strtoull(argv[i + 1], NULL, 10);
        else
            break;
    }
    if (!stage || i >= argc || strcmp(argv[i], "--") || i + 1 >= argc) {
        fprintf(stderr, "usage: bench_exec --stage S --label L [--bytes B] "
                        "[--comments N] -- CMD [ARG...]\n");
        return 2;
    }
    fflush(stdout);
    double t0 = bu_now();
    pid_t pid = fork();
    if (pid < 0)
        bu_die("bench_exec: fork failed");
    if (pid == 0) {
        execvp(argv[i + 1], argv + i + 1);
        fprintf(stderr, "bench_exec: cannot run %s\n", argv[i + 1]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(pid, &status, 0, &ru) < 0)
        bu_die("bench_exec: wait4 failed");
    double dt = bu_now() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    printf("@result stage=%s label=%s wall_secs=%.6f rss_kb=%ld exit=%d",
           stage, label, dt, ru.ru_maxrss, code);
    if (bytes || comments)
        printf(" secs=%.6f bytes=%llu comments=%llu mbs=%.3f cps=%.1f", dt,
               bytes, comments, (double)bytes / dt / 1e6,
               (double)comments / dt);
    printf("\n");
    return code;
}
