"""Writes a table shaped like ISLR's `Default` (10 000 rows: student Yes/No,
balance ≈ 10³, income ≈ 4·10⁴, a 3 %-positive default label), seeded, with the
standard library only: the table of the subnormal bench case in bench/run.sh.

    python3 bench/default_table.py OUT.csv [ROWS]
"""
import math
import random
import sys


def main(out, rows=10000):
    rng = random.Random(0)
    with open(out, "w") as f:
        f.write("student,balance,income,default\n")
        for _ in range(rows):
            student = rng.random() < 0.3
            balance = max(0.0, rng.gauss(835.0, 480.0))
            income = max(800.0, rng.gauss(17000.0 if student else 40000.0, 9000.0))
            z = -10.65 + 0.0055 * balance - (0.6 if student else 0.0)
            default = rng.random() < 1.0 / (1.0 + math.exp(-z))
            f.write(f"{'Yes' if student else 'No'},{balance:.2f},{income:.2f},"
                    f"{'Yes' if default else 'No'}\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000)
