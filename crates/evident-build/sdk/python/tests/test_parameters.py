"""Parameters: the last one wins, typed accessors refuse bad values with `invalid-parameter`."""

import unittest

from evident import Parameters, Refusal


class ParametersTest(unittest.TestCase):
    def test_a_mapping_where_the_last_value_wins(self):
        parameters = Parameters([("a", "1"), ("b", "x"), ("a", "2")])
        self.assertEqual(parameters["a"], "2")
        self.assertEqual(parameters.get("c", "none"), "none")
        self.assertEqual(dict(parameters), {"a": "2", "b": "x"})
        self.assertEqual(parameters.pairs(), (("a", "1"), ("b", "x"), ("a", "2")))
        self.assertEqual(Parameters({"a": "2"}), {"a": "2"})
        self.assertIs(Parameters.of(parameters), parameters)
        self.assertEqual(len(Parameters.of(None)), 0)

    def test_booleans_are_exactly_true_or_false(self):
        parameters = Parameters({"yes": "true", "no": "false", "maybe": "True"})
        self.assertIs(parameters.get_bool("yes"), True)
        self.assertIs(parameters.get_bool("no"), False)
        self.assertIs(parameters.get_bool("absent", False), False)
        with self.assertRaises(Refusal) as refused:
            parameters.get_bool("maybe")
        self.assertEqual(refused.exception.code, "invalid-parameter")
        self.assertEqual(
            refused.exception.message,
            'parameter `maybe` is "True": provided string was not `true` or `false`',
        )

    def test_integers_are_decimal_and_within_bounds(self):
        parameters = Parameters({"n": "42", "neg": "-7", "plus": "+3", "bad": "4_2", "space": " 1", "float": "1.5"})
        self.assertEqual(parameters.get_int("n"), 42)
        self.assertEqual(parameters.get_int("n"), 42)
        self.assertEqual(parameters.get_int("neg"), -7)
        self.assertEqual(parameters.get_int("plus"), 3)
        self.assertEqual(parameters.get_int("absent", 5), 5)
        for name in ["bad", "space", "float"]:
            with self.assertRaises(Refusal) as refused:
                parameters.get_int(name)
            self.assertEqual(refused.exception.code, "invalid-parameter")
            self.assertIn(f"parameter `{name}`", refused.exception.message)
        with self.assertRaises(Refusal) as refused:
            parameters.get_int("neg", minimum=0)
        self.assertEqual(refused.exception.message, 'parameter `neg` is "-7": must be at least 0')
        with self.assertRaises(Refusal):
            parameters.get_int("n", maximum=10)

    def test_floats(self):
        parameters = Parameters({"x": "2.5e3", "bad": "two"})
        self.assertEqual(parameters.get_float("x"), 2500.0)
        with self.assertRaises(Refusal):
            parameters.get_float("bad")

    def test_names_and_values_are_text(self):
        with self.assertRaises(TypeError):
            Parameters([("n", 1)])


if __name__ == "__main__":
    unittest.main()
