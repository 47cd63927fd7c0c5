//! Decimal money in exact integer minor units (`evident:stdlib/money`): parsing, adding,
//! multiplying with a chosen rounding, and formatting, with every overflow an error.

/// The most fraction digits an amount or a quantity may carry: 10^18 still fits an `i64`.
pub const MAX_SCALE: u8 = 18;

/// An amount of one currency: `minor` units of 10^-`scale`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Amount {
    /// The value in units of 10^-`scale` of the currency.
    pub minor: i64,
    /// How many decimal digits `minor` carries.
    pub scale: u8,
    /// The ISO 4217 code: three ASCII capital letters.
    pub currency: String,
}

/// How a result with more digits than its scale is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest; a half to the even neighbour.
    HalfEven,
    /// To the nearest; a half away from zero.
    HalfUp,
    /// Toward zero.
    Down,
}

/// Why a money operation failed; the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not an amount (or a quantity) as `parse` reads it.
    #[error("{text:?} is not {expected}: {reason}")]
    Syntax {
        /// The text given.
        text: String,
        /// What was expected: "an amount such as \"12.34 EUR\"" or "a decimal quantity".
        expected: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two amounts of different currencies were combined.
    #[error("cannot add {0} to {1}: different currencies")]
    CurrencyMismatch(String, String),
    /// The result does not fit 64-bit minor units at its scale.
    #[error("the result does not fit 64-bit minor units at scale {0}")]
    Overflow(u8),
    /// An amount given to an operation has a scale above [`MAX_SCALE`].
    #[error("scale {0} is above the largest, {MAX_SCALE}")]
    ScaleTooLarge(u8),
}

const AMOUNT: &str = "an amount such as \"12.34 EUR\"";
const QUANTITY: &str = "a decimal quantity such as \"3\" or \"1.5\"";

/// Parses `12.34 EUR`: a decimal with an optional `-`, one space, and a currency code; the
/// scale is the number of fraction digits written.
pub fn parse(text: &str) -> Result<Amount, MoneyError> {
    let syntax = |reason| MoneyError::Syntax {
        text: text.to_owned(),
        expected: AMOUNT,
        reason,
    };
    let (number, currency) = text
        .split_once(' ')
        .ok_or_else(|| syntax("no space between the number and the currency"))?;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(syntax("the currency is not three capital letters"));
    }
    let (minor, scale) = decimal(number).map_err(syntax)?;
    let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow(scale))?;
    Ok(Amount {
        minor,
        scale,
        currency: currency.to_owned(),
    })
}

/// The sum of two amounts of one currency, at the larger of their scales.
pub fn add(a: &Amount, b: &Amount) -> Result<Amount, MoneyError> {
    if a.currency != b.currency {
        return Err(MoneyError::CurrencyMismatch(
            b.currency.clone(),
            a.currency.clone(),
        ));
    }
    let scale = a.scale.max(b.scale);
    let minor = rescale(a, scale)?
        .checked_add(rescale(b, scale)?)
        .ok_or(MoneyError::Overflow(scale))?;
    Ok(Amount {
        minor,
        scale,
        currency: a.currency.clone(),
    })
}

/// `a` times `quantity` (a decimal such as `3` or `-1.5`), rounded to `a`'s scale.
pub fn multiply(a: &Amount, quantity: &str, rounding: Rounding) -> Result<Amount, MoneyError> {
    check_scale(a.scale)?;
    let (factor, factor_scale) = decimal(quantity).map_err(|reason| MoneyError::Syntax {
        text: quantity.to_owned(),
        expected: QUANTITY,
        reason,
    })?;
    // |minor| < 2^63 and |factor| < 10^37 / 2^63 is not guaranteed: check the product.
    let product = i128::from(a.minor)
        .checked_mul(factor)
        .ok_or(MoneyError::Overflow(a.scale))?;
    let minor = divide(product, 10i128.pow(u32::from(factor_scale)), rounding);
    Ok(Amount {
        minor: i64::try_from(minor).map_err(|_| MoneyError::Overflow(a.scale))?,
        scale: a.scale,
        currency: a.currency.clone(),
    })
}

/// `12.34 EUR`: every digit of the scale, then the currency.
pub fn format(a: &Amount) -> String {
    let digits = a.minor.unsigned_abs().to_string();
    let scale = usize::from(a.scale);
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if a.minor < 0 { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{whole} {}", a.currency)
    } else {
        format!("{sign}{whole}.{fraction} {}", a.currency)
    }
}

/// `-12.340` -> (-12340, 3): an optional `-`, digits, and optionally `.` and more digits.
fn decimal(text: &str) -> Result<(i128, u8), &'static str> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the number must start with a digit (after an optional '-')");
    }
    if unsigned.contains('.') && fraction.is_empty() {
        return Err("a '.' must be followed by digits");
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the fraction holds something other than digits");
    }
    let scale = u8::try_from(fraction.len())
        .ok()
        .filter(|scale| *scale <= MAX_SCALE)
        .ok_or("more than 18 fraction digits")?;
    // 38 digits always fit an i128; more is refused before any arithmetic.
    if whole.len() + fraction.len() > 38 {
        return Err("too many digits");
    }
    let magnitude = whole
        .bytes()
        .chain(fraction.bytes())
        .fold(0i128, |value, digit| value * 10 + i128::from(digit - b'0'));
    Ok((if negative { -magnitude } else { magnitude }, scale))
}

/// `a.minor` at a scale at least `a.scale`.
fn rescale(a: &Amount, scale: u8) -> Result<i64, MoneyError> {
    check_scale(a.scale)?;
    check_scale(scale)?;
    10i64
        .checked_pow(u32::from(scale - a.scale))
        .and_then(|factor| a.minor.checked_mul(factor))
        .ok_or(MoneyError::Overflow(scale))
}

fn check_scale(scale: u8) -> Result<(), MoneyError> {
    if scale > MAX_SCALE {
        Err(MoneyError::ScaleTooLarge(scale))
    } else {
        Ok(())
    }
}

/// `numerator / denominator` (a positive power of ten), rounded as `rounding` says.
fn divide(numerator: i128, denominator: i128, rounding: Rounding) -> i128 {
    let quotient = numerator / denominator;
    let remainder = (numerator % denominator).abs();
    let away = numerator.signum();
    let round_away = match rounding {
        Rounding::Down => false,
        Rounding::HalfUp => 2 * remainder >= denominator,
        Rounding::HalfEven => {
            2 * remainder > denominator || (2 * remainder == denominator && quotient % 2 != 0)
        }
    };
    if round_away {
        quotient + away
    } else {
        quotient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_scale_sign_and_currency() {
        assert_eq!(
            amount("12.34 EUR"),
            Amount {
                minor: 1234,
                scale: 2,
                currency: "EUR".into()
            }
        );
        assert_eq!(amount("-0.125 USD").minor, -125);
        assert_eq!(amount("-0.125 USD").scale, 3);
        assert_eq!(amount("1000 JPY").scale, 0);
        assert_eq!(amount("0.00 EUR").minor, 0);
        assert_eq!(
            amount("9223372036854775807 XTS").minor,
            i64::MAX,
            "the largest minor amount parses"
        );
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for text in [
            "12.34",
            "12.34EUR",
            "12.34  EUR",
            "12.34 eur",
            "12.34 EURO",
            ".5 EUR",
            "5. EUR",
            "+5 EUR",
            "1,5 EUR",
            "1.2.3 EUR",
            "- EUR",
            "0.1234567890123456789 EUR",
        ] {
            let error = parse(text).expect_err(text);
            assert!(
                matches!(error, MoneyError::Syntax { .. }),
                "{text}: {error}"
            );
        }
        assert_eq!(
            parse("9223372036854775808 XTS"),
            Err(MoneyError::Overflow(0))
        );
        let message = parse("12.34").unwrap_err().to_string();
        assert_eq!(
            message,
            "\"12.34\" is not an amount such as \"12.34 EUR\": no space between the number and the currency"
        );
    }

    #[test]
    fn formats_what_it_parses() {
        for text in [
            "12.34 EUR",
            "-0.05 EUR",
            "0.125 USD",
            "1000 JPY",
            "-7 JPY",
            "0.000 GBP",
        ] {
            assert_eq!(format(&amount(text)), text);
        }
        let smallest = Amount {
            minor: i64::MIN,
            scale: 2,
            currency: "XTS".into(),
        };
        assert_eq!(format(&smallest), "-92233720368547758.08 XTS");
    }

    #[test]
    fn adds_at_the_larger_scale_and_only_one_currency() {
        let sum = add(&amount("12.34 EUR"), &amount("0.006 EUR")).unwrap();
        assert_eq!(format(&sum), "12.346 EUR");
        assert_eq!(
            format(&add(&amount("-5.00 EUR"), &amount("2.5 EUR")).unwrap()),
            "-2.50 EUR"
        );
        assert_eq!(
            add(&amount("1.00 EUR"), &amount("1.00 USD")),
            Err(MoneyError::CurrencyMismatch("USD".into(), "EUR".into()))
        );
        let max = amount("9223372036854775807 XTS");
        assert_eq!(add(&max, &amount("1 XTS")), Err(MoneyError::Overflow(0)));
        assert_eq!(
            add(&max, &amount("0.1 XTS")),
            Err(MoneyError::Overflow(1)),
            "rescaling overflows too"
        );
    }

    #[test]
    fn multiplies_with_each_rounding() {
        let cases = [
            // amount, quantity, half-even, half-up, down
            ("12.34 EUR", "3", "37.02", "37.02", "37.02"),
            ("0.05 EUR", "0.5", "0.02", "0.03", "0.02"),
            ("0.15 EUR", "0.5", "0.08", "0.08", "0.07"),
            ("-0.05 EUR", "0.5", "-0.02", "-0.03", "-0.02"),
            ("-0.15 EUR", "0.5", "-0.08", "-0.08", "-0.07"),
            ("10.00 EUR", "0.19", "1.90", "1.90", "1.90"),
            ("19.99 EUR", "0.075", "1.50", "1.50", "1.49"),
            ("100 JPY", "-1.5", "-150", "-150", "-150"),
            ("1 JPY", "0.4999", "0", "0", "0"),
        ];
        for (text, quantity, half_even, half_up, down) in cases {
            let a = amount(text);
            for (rounding, expected) in [
                (Rounding::HalfEven, half_even),
                (Rounding::HalfUp, half_up),
                (Rounding::Down, down),
            ] {
                let product = multiply(&a, quantity, rounding).unwrap();
                let formatted = format(&product);
                assert_eq!(
                    formatted.split_once(' ').unwrap().0,
                    expected,
                    "{text} x {quantity} {rounding:?}"
                );
            }
        }
        assert!(matches!(
            multiply(&amount("1.00 EUR"), "x", Rounding::Down),
            Err(MoneyError::Syntax { .. })
        ));
        assert_eq!(
            multiply(&amount("9223372036854775807 XTS"), "2", Rounding::Down),
            Err(MoneyError::Overflow(0))
        );
    }
}
