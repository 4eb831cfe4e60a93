//! Go's text formatting of values, where Helm's output depends on it.
//!
//! Helm prints numbers with `strconv.FormatFloat(x, 'g', -1, 64)` (what `%v`
//! does for a float64), and prints whole values with `%v` in its merge
//! warnings. difyx needs the first to match Helm on ports and map keys, the
//! second only for readable warnings.

use super::Value;

/// `strconv.FormatFloat(x, 'g', -1, 64)`: the shortest digits that round-trip,
/// in exponent form when the decimal exponent is below -4 or at least 6
/// (`1e+06`, `1e-05`), plain otherwise (`999999`, `0.0001`).
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` prints the shortest round-trip digits: "1.2345e6", "-5e-324".
    layout(&format!("{x:e}"))
}

/// Go's 'g' layout of shortest digits given as Rust's `{:e}` text.
fn layout(sci: &str) -> String {
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();

    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    // Plain notation: place the decimal point `exp + 1` digits in.
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if (point as usize) >= digits.len() {
        format!("{}{}", digits, "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// A float64 as Helm's `toYaml` prints it. sigs.k8s.io/yaml writes the
/// value as JSON first — encoding/json's `strconv.AppendFloat(x, 'f', -1,
/// 64)`, or 'e' below 1e-6 and from 1e21 on — and reads that text back as
/// YAML: a whole number that fits an int64 or a uint64 becomes an integer,
/// printed as JSON wrote it (`12345678901234567000`, `100000`, `-0` → `0`);
/// anything else is a float64 again, printed with 'g' ([`format_float`]:
/// `1e+20`, `1e-06`, `1.5`, `1.23456789123e+08`). Plain interpolation
/// (`{{ .Values.x }}`, Go's `%v`) is [`format_float`] throughout.
pub fn format_float_yaml(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e21 {
        // Rust's Display of a whole f64 is Go's 'f' with precision -1: the
        // shortest round-trip digits, padded with zeros, no exponent.
        let text = format!("{x}");
        if let Ok(i) = text.parse::<i64>() {
            return i.to_string();
        }
        if text.parse::<u64>().is_ok() {
            return text;
        }
    }
    format_float(x)
}

/// `strconv.FormatFloat(float64(x), 'g', -1, 32)`: the shortest digits that
/// round-trip through a float32, with the same layout rules as [`format_float`].
pub fn format_float32(x: f32) -> String {
    if !x.is_finite() || x == 0.0 {
        return format_float(f64::from(x));
    }
    layout(&format!("{x:e}"))
}

/// Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`, `true`.
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::String(s) => s.clone(),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(format_value).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}:{}", format_value(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        // Every pair below was observed in Helm's output (SPEC §2.5).
        let cases: &[(f64, &str)] = &[
            (6379.0, "6379"),
            (999999.0, "999999"),
            (1_000_000.0, "1e+06"),
            (-2_000_000.0, "-2e+06"),
            (1_234_567.0, "1.234567e+06"),
            (123_456_789.0, "1.23456789e+08"),
            (123456.7, "123456.7"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (1e20, "1e+20"),
            (5e-324, "5e-324"),
            (100000.0, "100000"),
            (1_234_567.5, "1.2345675e+06"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (-0.0, "-0"),
            (0.0, "0"),
            (-1.5, "-1.5"),
        ];
        for (x, want) in cases {
            assert_eq!(format_float(*x), *want, "format_float({x})");
        }
    }

    /// Every pair checked against Helm 4.3.1 (`{{ toYaml .Values }}` over a
    /// values file, and `--set`/`--set-json` for the ints and JSON numbers).
    #[test]
    fn floats_print_like_helms_to_yaml() {
        let cases: &[(f64, &str)] = &[
            (12345678901234567890.0, "12345678901234567000"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (-1e21, "-1e+21"),
            (1e22, "1e+22"),
            (1e300, "1e+300"),
            (0.000001, "1e-06"),
            (1e-7, "1e-07"),
            (0.0000001234, "1.234e-07"),
            (2.5e-5, "2.5e-05"),
            (100000.0, "100000"),
            (1_000_000.0, "1000000"),
            (100.0, "100"),
            (1.0, "1"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (-0.0, "0"),
            (0.0, "0"),
            (123456789.123, "1.23456789123e+08"),
            (12345678.9, "1.23456789e+07"),
            (9007199254740993.0, "9007199254740992"),
            (123456789012345678.0, "123456789012345680"),
            (-(2f64.powi(63)), "-9.223372036854776e+18"),
            (1e15, "1000000000000000"),
            (-1e-7, "-1e-07"),
            (1.8446744073709552e19, "1.8446744073709552e+19"),
        ];
        for (x, want) in cases {
            assert_eq!(format_float_yaml(*x), *want, "format_float_yaml({x})");
        }
        // Plain interpolation keeps Go's %v.
        assert_eq!(format_float(1_000_000.0), "1e+06");
        assert_eq!(
            format_float(12345678901234567890.0),
            "1.2345678901234567e+19"
        );
    }

    #[test]
    fn float32_keys() {
        // The key `1.23456789012345` and 2^24 + 1, both narrowed from a float64.
        assert_eq!(format_float32(1.234_567_890_123_45_f64 as f32), "1.2345679");
        assert_eq!(format_float32(16_777_217.0_f64 as f32), "1.6777216e+07");
        assert_eq!(format_float32(0.1), "0.1");
        assert_eq!(format_float32(1e-7), "1e-07");
    }

    #[test]
    fn values_print_like_go_percent_v() {
        let mut m = crate::values::Map::new();
        m.insert("property".into(), Value::from("secret_key"));
        m.insert("key".into(), Value::from("dify/api"));
        assert_eq!(
            format_value(&Value::Map(m)),
            "map[key:dify/api property:secret_key]"
        );
        assert_eq!(
            format_value(&Value::List(vec![
                Value::from("a"),
                Value::Float(2.0),
                Value::Null
            ])),
            "[a 2 <nil>]"
        );
    }
}
