"""The pure-Python CBOR codec: RFC 8949's examples, preferred serialisation, and refusals."""

import math
import unittest

from evident import cbor


class Rfc8949Examples(unittest.TestCase):
    # (value, encoding) pairs from RFC 8949 appendix A.
    EXAMPLES = [
        (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
        (1000, "1903e8"), (1000000, "1a000f4240"), (1000000000000, "1b000000e8d4a51000"),
        (18446744073709551615, "1bffffffffffffffff"), (18446744073709551616, "c249010000000000000000"),
        (-18446744073709551616, "3bffffffffffffffff"), (-18446744073709551617, "c349010000000000000000"),
        (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
        (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (1.1, "fb3ff199999999999a"),
        (1.5, "f93e00"), (65504.0, "f97bff"), (100000.0, "fa47c35000"),
        (3.4028234663852886e38, "fa7f7fffff"), (1.0e300, "fb7e37e43c8800759c"),
        (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"), (-4.0, "f9c400"),
        (-4.1, "fbc010666666666666"), (math.inf, "f97c00"), (-math.inf, "f9fc00"),
        (False, "f4"), (True, "f5"), (None, "f6"), (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"),
        ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ('"\\', "62225c"), ("\u00fc", "62c3bc"),
        ("\u6c34", "63e6b0b4"), ("\U00010151", "64f0908591"), ([], "80"), ([1, 2, 3], "83010203"),
        ([1, [2, 3], [4, 5]], "8301820203820405"), ({}, "a0"), ({1: 2, 3: 4}, "a201020304"),
        ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
        (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ]

    def test_encodes_as_the_rfc_does(self):
        for value, expected in self.EXAMPLES:
            with self.subTest(value=value):
                self.assertEqual(cbor.dumps(value).hex(), expected)

    def test_decodes_what_it_encodes(self):
        for value, encoded in self.EXAMPLES:
            with self.subTest(value=value):
                back = cbor.loads(bytes.fromhex(encoded))
                self.assertEqual(back, value)
                if isinstance(value, float):
                    self.assertEqual(math.copysign(1, back), math.copysign(1, value))

    def test_decodes_indefinite_lengths_and_drops_other_tags(self):
        self.assertEqual(cbor.loads(bytes.fromhex("5f42010243030405ff")), b"\x01\x02\x03\x04\x05")
        self.assertEqual(cbor.loads(bytes.fromhex("7f657374726561646d696e67ff")), "streaming")
        self.assertEqual(cbor.loads(bytes.fromhex("9f018202039f0405ffff")), [1, [2, 3], [4, 5]])
        self.assertEqual(cbor.loads(bytes.fromhex("bf61610161629f0203ffff")), {"a": 1, "b": [2, 3]})
        self.assertEqual(cbor.loads(bytes.fromhex("c074323031332d30332d32315432303a30343a30305a")), "2013-03-21T20:04:00Z")
        self.assertTrue(math.isnan(cbor.loads(bytes.fromhex("f97e00"))))

    def test_every_float_comes_back_bit_for_bit(self):
        bits = 0x9E3779B97F4A7C15
        import struct

        for _ in range(5000):
            bits ^= (bits << 13) & 0xFFFFFFFFFFFFFFFF
            bits ^= bits >> 7
            bits ^= (bits << 17) & 0xFFFFFFFFFFFFFFFF
            value = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
            if math.isfinite(value):
                self.assertEqual(struct.pack("<d", cbor.loads(cbor.dumps(value))), struct.pack("<d", value))


class Refusals(unittest.TestCase):
    def test_malformed_items_are_refused(self):
        for encoded in ["", "18", "1c", "62c3", "62c328", "81", "a1", "ff", "8201", "00 00", "5f01ff", "c2 01", "a1 a0 01"]:
            with self.subTest(encoded=encoded):
                with self.assertRaises(cbor.CBORError):
                    cbor.loads(bytes.fromhex(encoded.replace(" ", "")))

    def test_what_cbor_cannot_hold_is_refused(self):
        for value in [object(), {1, 2}, "\ud800"]:
            with self.subTest(value=value):
                with self.assertRaises(cbor.CBORError):
                    cbor.dumps(value)

    def test_nesting_is_limited(self):
        deep = []
        for _ in range(cbor.MAX_DEPTH + 5):
            deep = [deep]
        with self.assertRaises(cbor.CBORError):
            cbor.dumps(deep)
        with self.assertRaises(cbor.CBORError):
            cbor.loads(b"\x81" * (cbor.MAX_DEPTH + 5) + b"\x80")


if __name__ == "__main__":
    unittest.main()
