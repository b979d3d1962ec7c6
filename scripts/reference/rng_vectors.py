#!/usr/bin/env python3
"""Reference outputs of SplitMix64, xoshiro256** and the stream derivation, from an
independent Python implementation of the published C code (prng.di.unimi.it).

Run by hand: python3 scripts/reference/rng_vectors.py > Tests/GeneratorTests/Fixtures/rng_vectors.json
"""
import json

MASK = (1 << 64) - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def splitmix(seed, count):
    state, out = seed, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        out.append(mix(state))
    return out


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def xoshiro(seed, count):
    s = splitmix(seed, 4)
    out = []
    for _ in range(count):
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(result)
    return out


def fnv1a(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h ^= b
        h = (h * 0x100000001B3) & MASK
    return h


def stream_seed(seed, table, index):
    return mix(mix(mix(seed) ^ fnv1a(table)) ^ ((index + 1) & MASK))


print(json.dumps({
    "splitmix64_seed_1234567": [str(v) for v in splitmix(1234567, 5)],
    "xoshiro256ss_seed_42": [str(v) for v in xoshiro(42, 5)],
    "fnv1a_saas_customer": str(fnv1a("saas.customer")),
    "stream_42_saas_customer_7": [str(v) for v in xoshiro(stream_seed(42, "saas.customer", 7), 3)],
}, indent=2, sort_keys=True))
