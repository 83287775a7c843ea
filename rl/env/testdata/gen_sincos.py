"""Write sincos.json: [x, sin x, cos x] as hex floats, the results computed
by mpmath at 300 bits and rounded once to float64 (correctly rounded).

Usage (Debian: apt-get install python3-mpmath):  python3 gen_sincos.py > sincos.json
"""
import json, math, random, sys
import mpmath

mpmath.mp.prec = 300
random.seed(7)
xs = [0.0, -0.0, 1e-300, 5e-324, 1e-8, -3e-5, 0.5, 1.0, -1.0, 2.0, math.pi, -math.pi, math.pi / 2,
      2 * math.pi, 100.0, -1234.5678, 1e6, 33554431.5]
xs += [random.uniform(-7, 7) for _ in range(300)] + [random.uniform(-0.3, 0.3) for _ in range(100)]
xs += [random.uniform(-200, 200) for _ in range(100)]
def rounded(f, x):
    return math.copysign(0.0, x) if x == 0 and f is mpmath.sin else float(f(mpmath.mpf(x)))
rows = [[x.hex(), rounded(mpmath.sin, x).hex(), rounded(mpmath.cos, x).hex()] for x in xs]
json.dump(rows, sys.stdout, separators=(",", ":"))
