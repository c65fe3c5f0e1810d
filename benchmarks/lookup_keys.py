"""Look-up keys for identity numbers: HMAC-SM3 over 1,000,000 codes.

``xinyong.subjects.identity.lookup_keys`` is what the screening of a 1,000,000-candidate list
pays before it can query; this measures it (and, for comparison, the bare HMAC-SM3 and the
form check) with a throw-away key ring.

    python benchmarks/lookup_keys.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date, timedelta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()
    from xinyong.core.crypto import fresh_keyring

    ring = fresh_keyring()
    os.environ["XINYONG_DATA_KEY"] = json.dumps(ring.as_json())
    from xinyong.core.codes import make_ric
    from xinyong.subjects.identity import is_identity_number, lookup_keys

    start = date(1950, 1, 1)
    codes = [make_ric("330106", start + timedelta(days=i % 20000), i % 1000) for i in range(args.n)]
    t = time.perf_counter()
    ring.keyed_hashes(codes)
    bare = time.perf_counter() - t
    t = time.perf_counter()
    sum(map(is_identity_number, codes))
    form = time.perf_counter() - t
    t = time.perf_counter()
    keys = lookup_keys(codes)
    total = time.perf_counter() - t
    assert len(keys) == args.n and all(len(k) == 64 for k in keys[:10])
    print(f"{args.n:,} identity numbers: HMAC-SM3 alone {bare:.2f} s, form check {form:.2f} s, "
          f"lookup_keys {total:.2f} s ({args.n / total:,.0f} codes/s)")


if __name__ == "__main__":
    main()
