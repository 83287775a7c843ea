"""Bound the matrix libraries' thread pools to a PyTorch twin's --threads.

torch.set_num_threads bounds PyTorch's own threads, not the OpenBLAS pool
that Debian's PyTorch and numpy multiply matrices in, which otherwise takes
every core, so a "one-thread" figure would use them all. The pool reads its
size when the library loads: call bound() before numpy or torch is
imported. A variable the user set is left as it is.
"""

import os
import sys


def bound(default="1"):
    """Set OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS to the
    value of --threads on the command line (default when absent; "0", which
    the twins read as "PyTorch's default", sets nothing)."""
    threads = default
    for i, arg in enumerate(sys.argv[1:], 1):
        if arg == "--threads" and i + 1 < len(sys.argv):
            threads = sys.argv[i + 1]
        elif arg.startswith("--threads="):
            threads = arg.split("=", 1)[1]
    if threads != "0":
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, threads)
